// The differential check every compiled backend runs: each battery case on the backend against
// the float64 oracle, forward values and gradients.
import { compareArrays, runOnBackend, type OpCase, type Tolerance } from '@metaop/ops/testing';

/** Float32 kernels against the float64 oracle: fused float32 arithmetic reorders rounding. */
export const backendTolerance: Tolerance = { rtol: 2e-4, atol: 2e-5 };

/** Null when `backend` matches the oracle on case `c`; otherwise the mismatches in words. */
export function differential(backend: string, c: OpCase, seed = 1, tol: Tolerance = backendTolerance): string | null {
  const expected = runOnBackend('reference', c, seed);
  const actual = runOnBackend(backend, c, seed);
  const problems: string[] = [];
  expected.outputs.forEach((e, k) => {
    const msg = compareArrays(actual.outputs[k], e, tol, `${c.name} output ${k}`);
    if (msg) problems.push(msg);
  });
  expected.grads.forEach((e, k) => {
    const msg = compareArrays(actual.grads[k], e, scaleForGrad(tol, e), `${c.name} gradient ${k}`);
    if (msg) problems.push(msg);
  });
  return problems.length === 0 ? null : problems.join('\n');
}

/** Gradients sum many float32 terms: allow absolute error relative to the gradient's scale. */
function scaleForGrad(tol: Tolerance, expected: Float64Array): Tolerance {
  let max = 0;
  for (const v of expected) if (Number.isFinite(v)) max = Math.max(max, Math.abs(v));
  return { rtol: tol.rtol, atol: Math.max(tol.atol, tol.rtol * max) };
}
