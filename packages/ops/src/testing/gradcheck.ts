// Gradient checks by central finite differences in float64: first order (grad of sum(f(x) * R))
// and second order (grad of sum(grad(...) * R2)), element by element.
import { realize, tidy, withBackend, type Var } from '@metaop/core';
import { grad } from '../autograd/grad.js';
import { binary, cast } from '../meta/elementwise.js';
import { reduce } from '../meta/reduce.js';
import { tensor } from '../creation.js';
import { gradInputs, type OpCase } from './case.js';
import { close, type Tolerance } from './compare.js';
import type { InputValue } from './inputs.js';
import { inputVars, lossWeights, makeInputs, outputList, runOnBackend, toFloat64, weightedLoss, weightedSum } from './run.js';

export interface GradCheckOptions {
  /** Backend to run on (default 'reference'). */
  readonly backend?: string;
  /** Finite-difference step (default 1e-6). */
  readonly h?: number;
  /** Default { rtol: 1e-6, atol: 1e-6 }. */
  readonly tolerance?: Tolerance;
}

export interface GradMismatch {
  /** Index into the case's inputs. */
  readonly input: number;
  readonly element: number;
  readonly analytic: number;
  readonly numeric: number;
}

export interface GradCheckResult {
  /** The inputs checked (indices into case.inputs). */
  readonly inputs: number[];
  readonly analytic: Float64Array[];
  readonly numeric: Float64Array[];
  readonly mismatches: GradMismatch[];
}

const defaultTolerance: Tolerance = { rtol: 1e-6, atol: 1e-6 };

function perturbed(values: readonly InputValue[], k: number, i: number, delta: number): InputValue[] {
  return values.map((v, j) => {
    if (j !== k) return v;
    const data = v.data.slice();
    data[i] += delta;
    return { ...v, data };
  });
}

/** Central differences of `f` with respect to every element of the inputs `ks`. */
function numericGrads(values: readonly InputValue[], ks: readonly number[], h: number, f: (vs: InputValue[]) => number): Float64Array[] {
  return ks.map((k) => {
    const out = new Float64Array(values[k].data.length);
    for (let i = 0; i < out.length; i++) {
      out[i] = (f(perturbed(values, k, i, h)) - f(perturbed(values, k, i, -h))) / (2 * h);
    }
    return out;
  });
}

function mismatchesOf(ks: readonly number[], analytic: Float64Array[], numeric: Float64Array[], tol: Tolerance): GradMismatch[] {
  const bad: GradMismatch[] = [];
  ks.forEach((k, j) => {
    for (let i = 0; i < numeric[j].length; i++) {
      if (!close(analytic[j][i], numeric[j][i], tol)) bad.push({ input: k, element: i, analytic: analytic[j][i], numeric: numeric[j][i] });
    }
  });
  return bad;
}

/** Compares grad(sum(f(x) * R), x) with central differences of the same sum, in float64. */
export function checkGradients(c: OpCase, seed: number, options: GradCheckOptions = {}): GradCheckResult {
  const backend = options.backend ?? 'reference';
  const h = options.h ?? 1e-6;
  const values = makeInputs(c, seed, 'float64');
  const ks = gradInputs(c);
  const base = runOnBackend(backend, c, seed, { inputs: values });
  const weights = lossWeights(c, seed, base.shapes);
  const loss = (vs: InputValue[]) => {
    const r = runOnBackend(backend, c, seed, { inputs: vs, grads: false });
    return weightedSum(r.outputs, r.dtypes, weights);
  };
  const analytic = base.grads.length > 0 ? base.grads : ks.map((k) => new Float64Array(values[k].data.length));
  const numeric = numericGrads(values, ks, h, loss);
  return { inputs: ks, analytic, numeric, mismatches: mismatchesOf(ks, analytic, numeric, options.tolerance ?? defaultTolerance) };
}

/** The gradients of sum(f(x) * R) (as a graph) and grad of sum(those * R2) with respect to x. */
function secondOrder(c: OpCase, seed: number, values: readonly InputValue[], withHessian: boolean): { first: Float64Array[]; second: Float64Array[] } {
  return tidy(() => {
    const xs = inputVars(values);
    const targets = gradInputs(c).map((k) => xs[k]);
    const outs = outputList(c.build(...xs));
    const loss = weightedLoss(outs, lossWeights(c, seed, outs.map((o) => o.shape)));
    // No float output: nothing to differentiate, every gradient is zero.
    if (loss === undefined) {
      const zeros = targets.map((x) => new Float64Array(x.numel));
      return { first: zeros, second: withHessian ? zeros : [] };
    }
    const firsts = grad(loss, targets);
    const r2 = lossWeights(c, seed, firsts.map((g) => g.shape), 'R2');
    let second: Var[] = [];
    if (withHessian) {
      let l2: Var | undefined;
      firsts.forEach((g, j) => {
        const term = reduce(binary(g, tensor(r2[j], g.shape, g.dtype), 'mul'), 'add', g.shape.map((_, d) => d));
        l2 = l2 === undefined ? term : binary(l2, cast(term, l2.dtype), 'add');
      });
      second = grad(l2 as Var, targets);
    }
    realize([...firsts, ...second]);
    return { first: firsts.map((g) => toFloat64(g.dataSync())), second: second.map((g) => toFloat64(g.dataSync())) };
  });
}

/**
 * Second-order check: with g(x) = grad(sum(f(x) * R), x), compares grad(sum(g(x) * R2), x) with
 * central differences of sum(g(x) * R2).
 */
export function checkSecondOrder(c: OpCase, seed: number, options: GradCheckOptions = {}): GradCheckResult {
  const backend = options.backend ?? 'reference';
  const h = options.h ?? 1e-5;
  const values = makeInputs(c, seed, 'float64');
  const ks = gradInputs(c);
  return withBackend(backend, () => {
    const base = secondOrder(c, seed, values, true);
    const r2 = lossWeights(c, seed, ks.map((k) => values[k].shape), 'R2');
    const l2 = (vs: InputValue[]) => {
      const { first } = secondOrder(c, seed, vs, false);
      let s = 0;
      first.forEach((g, j) => g.forEach((v, i) => (s += v * r2[j][i])));
      return s;
    };
    const numeric = numericGrads(values, ks, h, l2);
    const tol = options.tolerance ?? { rtol: 1e-5, atol: 1e-5 };
    return { inputs: ks, analytic: base.second, numeric, mismatches: mismatchesOf(ks, base.second, numeric, tol) };
  });
}

/** A one-line description of the worst mismatches, for test failure messages. */
export function describeMismatches(c: OpCase, r: GradCheckResult): string {
  const worst = [...r.mismatches]
    .sort((a, b) => Math.abs(b.analytic - b.numeric) - Math.abs(a.analytic - a.numeric))
    .slice(0, 4)
    .map((m) => `input ${m.input}[${m.element}]: grad ${m.analytic} vs finite difference ${m.numeric}`)
    .join('; ');
  return `${c.name}: ${r.mismatches.length} gradient elements differ: ${worst}`;
}
