// Reductions over dims with keepdim: sum, mean, max, min, prod, argmax, argmin, var, std,
// logsumexp, softmax and logSoftmax.
import { checkOptions, type OptionKeys, DTypeError, expectVar, isFloat, normalizeDim, ShapeError, type Var } from '@metaop/core';
import { argReduce, reduce } from '../meta/reduce.js';
import { reshape } from '../meta/reindex.js';
import { cast } from '../meta/elementwise.js';
import { add, div, exp, log, mul, sqrt, sub, where, abs, eq } from './arithmetic.js';
import { detach, flatten } from './shape.js';

export type Dims = number | readonly number[] | undefined;

/** The dims to reduce: undefined means all of them. */
export function dimsOf(x: Var, dims: Dims, op: string): number[] {
  if (dims === undefined) return x.shape.map((_, i) => i);
  const list = typeof dims === 'number' ? [dims] : [...dims];
  return list.map((d) => normalizeDim(d, x.shape, op));
}

function countOf(x: Var, dims: number[]): number {
  return dims.reduce((n, d) => n * x.shape[d], 1);
}

/** Sum; bool sums count as int32. */
export function sum(x: Var, dims?: Dims, keepdim = false): Var {
  expectVar(x, 'sum');
  const v = x.dtype === 'bool' || x.dtype === 'uint8' ? cast(x, 'int32') : x;
  return reduce(v, 'add', dimsOf(x, dims, 'sum'), keepdim);
}

export function prod(x: Var, dims?: Dims, keepdim = false): Var {
  expectVar(x, 'prod');
  const v = x.dtype === 'bool' || x.dtype === 'uint8' ? cast(x, 'int32') : x;
  return reduce(v, 'mul', dimsOf(x, dims, 'prod'), keepdim);
}

export function mean(x: Var, dims?: Dims, keepdim = false): Var {
  expectVar(x, 'mean');
  const ds = dimsOf(x, dims, 'mean');
  const v = isFloat(x.dtype) ? x : cast(x, 'float32');
  return div(reduce(v, 'add', ds, keepdim), countOf(x, ds));
}

/** Largest value over dims (NaN propagates; tied elements share the gradient). */
export function max(x: Var, dims?: Dims, keepdim = false): Var {
  expectVar(x, 'max');
  const ds = dimsOf(x, dims, 'max');
  if (ds.some((d) => x.shape[d] === 0)) throw new ShapeError('cannot take the max of an empty dim', 'max');
  return reduce(x, 'max', ds, keepdim);
}

export function min(x: Var, dims?: Dims, keepdim = false): Var {
  expectVar(x, 'min');
  const ds = dimsOf(x, dims, 'min');
  if (ds.some((d) => x.shape[d] === 0)) throw new ShapeError('cannot take the min of an empty dim', 'min');
  return reduce(x, 'min', ds, keepdim);
}

/** Index of the largest value along dim; over the flattened Var when dim is undefined. */
export function argmax(x: Var, dim?: number, keepdim = false): Var {
  expectVar(x, 'argmax');
  return dim === undefined ? argReduce(flatten(x), 'argmax', 0, false) : argReduce(x, 'argmax', dim, keepdim);
}

export function argmin(x: Var, dim?: number, keepdim = false): Var {
  expectVar(x, 'argmin');
  return dim === undefined ? argReduce(flatten(x), 'argmin', 0, false) : argReduce(x, 'argmin', dim, keepdim);
}

export interface VarianceOptions {
  /** Subtracted from the count in the divisor: 1 is the unbiased estimate (the default), 0 the population variance. */
  correction?: number;
  keepdim?: boolean;
}
const varianceKeys: OptionKeys<VarianceOptions> = { correction: true, keepdim: true };

export function variance(x: Var, dims?: Dims, options: VarianceOptions = {}): Var {
  checkOptions(options, varianceKeys, 'var');
  expectVar(x, 'var');
  if (!isFloat(x.dtype)) throw new DTypeError(`needs a float input, got ${x.describe()}`, 'var');
  const { correction = 1, keepdim = false } = options;
  const ds = dimsOf(x, dims, 'var');
  const centered = sub(x, mean(x, ds, true));
  return div(reduce(mul(centered, centered), 'add', ds, keepdim), Math.max(0, countOf(x, ds) - correction));
}

export function std(x: Var, dims?: Dims, options: VarianceOptions = {}): Var {
  return sqrt(variance(x, dims, options));
}

/** log(sum(exp(x))) over dims, stable for large values. */
export function logsumexp(x: Var, dims?: Dims, keepdim = false): Var {
  expectVar(x, 'logsumexp');
  const ds = dimsOf(x, dims, 'logsumexp');
  const m = detach(reduce(x, 'max', ds, true));
  // An all -inf (or inf) slice would give inf - inf; shift by 0 there instead.
  const shift = where(eq(abs(m), Infinity), 0, m);
  const s = log(reduce(exp(sub(x, shift)), 'add', ds, true));
  const out = add(s, shift);
  return keepdim ? out : reshape(out, x.shape.filter((_, i) => !ds.includes(i)));
}

/** softmax and logSoftmax are defined on floats only, as in PyTorch (an integer input is a bug, e.g. labels for logits). */
function expectFloatInput(x: Var, op: string): void {
  expectVar(x, op);
  if (!isFloat(x.dtype)) throw new DTypeError(`needs a float input, got ${x.describe()}; cast it first, e.g. x.cast('float32')`, op);
}

export function softmax(x: Var, dim = -1): Var {
  expectFloatInput(x, 'softmax');
  const d = normalizeDim(dim, x.shape, 'softmax');
  const e = exp(sub(x, detach(reduce(x, 'max', [d], true))));
  return div(e, reduce(e, 'add', [d], true));
}

export function logSoftmax(x: Var, dim = -1): Var {
  expectFloatInput(x, 'logSoftmax');
  const d = normalizeDim(dim, x.shape, 'logSoftmax');
  return sub(x, logsumexp(x, [d], true));
}
