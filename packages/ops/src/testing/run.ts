// Running a battery case on a named backend: forward values and the gradients of sum(out * R).
import { isFloat, realize, tidy, withBackend, type DType, type Var } from '@metaop/core';
import { grad } from '../autograd/grad.js';
import { tensor } from '../creation.js';
import { binary, cast } from '../meta/elementwise.js';
import { reduce } from '../meta/reduce.js';
import { gradInputs, type OpCase } from './case.js';
import { makeValues, numelOf, rngFor, type FloatDType, type InputValue } from './inputs.js';

export interface RunOptions {
  /** The dtype of 'float' inputs (default float32). */
  readonly floatDType?: FloatDType;
  /** Use these input values instead of makeInputs(case, seed). */
  readonly inputs?: readonly InputValue[];
  /** Compute gradients (default: when the case has differentiable inputs and a float output). */
  readonly grads?: boolean;
}

export interface RunResult {
  /** Each output's values, converted to float64. */
  readonly outputs: Float64Array[];
  readonly shapes: number[][];
  readonly dtypes: DType[];
  /** d/dx of sum(out * R) for each input in gradInputs(case), in that order; empty without gradients. */
  readonly grads: Float64Array[];
}

/** The deterministic inputs of a case. */
export function makeInputs(c: OpCase, seed: number, floatDType: FloatDType = 'float32'): InputValue[] {
  return makeValues(c.name, c.inputs, seed, floatDType);
}

/** The fixed random weights R of each output (uniform in [-1, 1), exact in float32). */
export function lossWeights(c: OpCase, seed: number, shapes: readonly (readonly number[])[], salt = 'R'): Float64Array[] {
  const rng = rngFor(`${c.name}#${salt}`, seed);
  return shapes.map((shape) => Float64Array.from({ length: numelOf(shape) }, () => Math.fround(rng.uniform(-1, 1))));
}

/** sum over float outputs of out * R, in float64. */
export function weightedSum(values: readonly Float64Array[], dtypes: readonly DType[], weights: readonly Float64Array[]): number {
  let s = 0;
  values.forEach((v, k) => {
    if (!isFloat(dtypes[k])) return;
    for (let i = 0; i < v.length; i++) s += v[i] * weights[k][i];
  });
  return s;
}

export function toFloat64(a: ArrayLike<number>): Float64Array {
  return Float64Array.from(a);
}

export function outputList(out: Var | readonly Var[]): Var[] {
  return Array.isArray(out) ? [...(out as readonly Var[])] : [out as Var];
}

/** Builds a case's Vars from input values on the current backend. */
export function inputVars(values: readonly InputValue[]): Var[] {
  return values.map((v) => tensor(v.data, v.shape, v.dtype));
}

/** The scalar sum(out * R) over the float outputs, as a graph (float64 when dtypes are mixed). */
export function weightedLoss(outs: readonly Var[], weights: readonly Float64Array[]): Var | undefined {
  const floats = outs.map((o, k) => [o, k] as const).filter(([o]) => isFloat(o.dtype));
  if (floats.length === 0) return undefined;
  const dtype = floats.every(([o]) => o.dtype === 'float32') ? 'float32' : 'float64';
  let total: Var | undefined;
  for (const [o, k] of floats) {
    const x = cast(o, dtype);
    const term = reduce(binary(x, tensor(weights[k], o.shape, dtype), 'mul'), 'add', o.shape.map((_, d) => d));
    total = total === undefined ? term : binary(total, term, 'add');
  }
  return total;
}

/**
 * Realizes a case on `backend`: its outputs and, when it has differentiable inputs, the gradients
 * of sum(out * R) with respect to them. Every Var made here is disposed before returning.
 */
export function runOnBackend(backend: string, c: OpCase, seed: number, options: RunOptions = {}): RunResult {
  const values = options.inputs ?? makeInputs(c, seed, options.floatDType);
  return withBackend(backend, () =>
    tidy(() => {
      const xs = inputVars(values);
      const outs = outputList(c.build(...xs));
      const targets = gradInputs(c).map((k) => xs[k]);
      const wantGrads = (options.grads ?? true) && targets.length > 0 && outs.some((o) => isFloat(o.dtype));
      let gradVars: Var[] = [];
      if (wantGrads) {
        const loss = weightedLoss(outs, lossWeights(c, seed, outs.map((o) => o.shape))) as Var;
        gradVars = grad(loss, targets);
      }
      realize([...outs, ...gradVars]);
      return {
        outputs: outs.map((o) => toFloat64(o.dataSync())),
        shapes: outs.map((o) => [...o.shape]),
        dtypes: outs.map((o) => o.dtype),
        grads: gradVars.map((g) => toFloat64(g.dataSync())),
      };
    }),
  );
}
