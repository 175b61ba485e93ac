// @metaop/ops/testing: the op battery every backend runs against the reference oracle: cases as
// data, deterministic inputs, runOnBackend, finite-difference gradient checks and random
// compositions. No test framework is imported here. A differential test of a backend reads:
//
//   for (const c of opCases) {
//     const got = runOnBackend('c', c, seed);
//     const want = runOnBackend('reference', c, seed);
//     got.outputs.forEach((o, k) => expect(compareArrays(o, want.outputs[k], float32Tolerance)).toBeNull());
//   }
import type { OpCase } from './case.js';
import { arithmeticCases } from './cases/arithmetic.js';
import { creationCases } from './cases/creation.js';
import { guardCases } from './cases/guards.js';
import { indexingCases } from './cases/indexing.js';
import { jittorCases } from './cases/jittor.js';
import { linalgConvCases } from './cases/linalg-conv.js';
import { lossCases } from './cases/loss.js';
import { maskingAttentionCases } from './cases/masking-attention.js';
import { normCases } from './cases/norm.js';
import { scanCases } from './cases/scan.js';
import { sortCases } from './cases/sort.js';
import { einsumCases } from './cases/einsum.js';
import { interpolateCases } from './cases/interpolate.js';
import { multinomialCases } from './cases/multinomial.js';
import { metaElementwiseCases } from './cases/meta-elementwise.js';
import { metaReduceCases } from './cases/meta-reduce.js';
import { metaReindexCases } from './cases/meta-reindex.js';
import { nonFiniteCases } from './cases/nonfinite.js';
import { poolActivationCases } from './cases/pool-activation.js';
import { reductionCases } from './cases/reduction.js';
import { shapeCases } from './cases/shape.js';
import { slicingCases } from './cases/slicing.js';

export type { OpCase } from './case.js';
export { gradInputs, F as floatInput, I as int32Input, B as boolInput, C as constantFloatInput } from './case.js';
export type { InputSpec, InputValue, FloatDType } from './inputs.js';
export { Rng, hashString, rngFor, makeValue, makeValues } from './inputs.js';
export { runOnBackend, makeInputs, lossWeights, weightedSum, type RunOptions, type RunResult } from './run.js';
export { checkGradients, checkSecondOrder, describeMismatches, type GradCheckOptions, type GradCheckResult, type GradMismatch } from './gradcheck.js';
export { compareArrays, close, float32Tolerance, float64Tolerance, type Tolerance } from './compare.js';
export { randomComposition, compositionSeeds, DEFAULT_COMPOSITION_RUNS, type CompositionOptions } from './composition.js';
export { fuzzRuns } from './fuzz.js';
export { nonFiniteCases } from './cases/nonfinite.js';
export { sumCases, sumBound, sumInputs, sumRelativeError, naiveRelativeError, type SumCase } from './accuracy.js';

/** Every battery case: all 18 meta-ops and every derived op, several shape variants each. */
export const opCases: readonly OpCase[] = Object.freeze([
  ...metaElementwiseCases,
  ...metaReindexCases,
  ...metaReduceCases,
  ...creationCases,
  ...arithmeticCases,
  ...reductionCases,
  ...shapeCases,
  ...slicingCases,
  ...indexingCases,
  ...linalgConvCases,
  ...poolActivationCases,
  ...lossCases,
  ...guardCases,
  ...jittorCases,
  ...nonFiniteCases,
  ...maskingAttentionCases,
  ...normCases,
  ...scanCases,
  ...sortCases,
  ...einsumCases,
  ...interpolateCases,
  ...multinomialCases,
]);

/** The case called `name`; throws when there is none. */
export function opCase(name: string): OpCase {
  const c = opCases.find((k) => k.name === name);
  if (!c) throw new Error(`no battery case named '${name}'`);
  return c;
}
