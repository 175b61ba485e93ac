// The shape of a battery case: inputs to draw, the graph to build from them, and what to check.
import type { Var } from '@metaop/core';
import type { InputSpec } from './inputs.js';

export interface OpCase {
  /** Unique, stable name: fixtures and failure reports refer to cases by it. */
  readonly name: string;
  /** The public ops this case exercises (meta-op names and derived-op export names). */
  readonly covers: readonly string[];
  readonly inputs: readonly InputSpec[];
  /** Builds the graph from Vars made from the inputs, in order. */
  build(...xs: Var[]): Var | readonly Var[];
  /**
   * Differentiate sum(out * R) with respect to the float inputs (default: true when some input
   * is float and not marked noGrad, and some output is float).
   */
  readonly grad?: boolean;
  /** Too big for element-by-element finite differences on the oracle: forward checks only. */
  readonly large?: boolean;
}

/** The indices of the inputs a case is differentiated with respect to. */
export function gradInputs(c: OpCase): number[] {
  if (c.grad === false) return [];
  const out: number[] = [];
  c.inputs.forEach((s, k) => {
    const float = s.dtype === undefined || s.dtype === 'float' || s.dtype === 'float32' || s.dtype === 'float64';
    if (float && !s.noGrad) out.push(k);
  });
  return out;
}

/** Shorthands for input specs. */
export const F = (shape: readonly number[], opts: Omit<InputSpec, 'shape' | 'dtype'> = {}): InputSpec => ({ shape, ...opts });
export const I = (shape: readonly number[], min: number, max: number): InputSpec => ({ shape, dtype: 'int32', min, max });
export const B = (shape: readonly number[]): InputSpec => ({ shape, dtype: 'bool' });
/** A float input that is never differentiated (targets, weights). */
export const C = (shape: readonly number[], opts: Omit<InputSpec, 'shape' | 'dtype' | 'noGrad'> = {}): InputSpec => ({
  shape,
  ...opts,
  noGrad: true,
});
