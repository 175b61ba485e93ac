// Pooling as reindex → reduce: max, average (with torch's divisor rules) and adaptive average.
import { checkOptions, type OptionKeys, ArgumentError, expectVar, formatShape, isFloat, reduceIdentity, ShapeError, type Var } from '@metaop/core';
import { constant, index } from '../meta/elementwise.js';
import { broadcast, reindex, reshape } from '../meta/reindex.js';
import { argReduce, reduce } from '../meta/reduce.js';
import { add, div, floorDiv, mul, remainder } from './arithmetic.js';
import { pair, type Pair } from './conv.js';

export interface Pool2dOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  ceilMode?: boolean;
  /** Also return, per output cell, the int32 index of the maximum in the flattened H*W plane (torch's return_indices). */
  returnIndices?: boolean;
}
const maxPool2dKeys: OptionKeys<Pool2dOptions> = { stride: true, padding: true, dilation: true, ceilMode: true, returnIndices: true };

function outSize(len: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  const span = len + 2 * p - d * (k - 1) - 1;
  let o = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  // torch: the last window must start inside the input or its left padding.
  if (ceil && (o - 1) * s >= len + p) o--;
  return o;
}

/** Accepts [N, C, H, W] or [C, H, W]; returns the 4-D form and a function restoring the caller's rank. */
function as4d(x: Var, op: string): [Var, (y: Var) => Var] {
  expectVar(x, op);
  if (x.ndim === 4) return [x, (y) => y];
  if (x.ndim === 3) return [reshape(x, [1, ...x.shape]), (y) => reshape(y, y.shape.slice(1))];
  throw new ShapeError(`input must be [N, C, H, W] or [C, H, W], got ${formatShape(x.shape)}`, op);
}

interface Windows {
  OH: number;
  OW: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
}

function windows(x: Var, kernel: Pair, options: Pool2dOptions, op: string): Windows {
  const [kh, kw] = pair(kernel, 'kernelSize', op);
  const [sh, sw] = pair(options.stride ?? kernel, 'stride', op);
  const [ph, pw] = pair(options.padding ?? 0, 'padding', op, 0);
  const [dh, dw] = pair(options.dilation ?? 1, 'dilation', op);
  if (ph > kh / 2 || pw > kw / 2) throw new ArgumentError(`padding ${ph}x${pw} must be at most half the kernel ${kh}x${kw}`, op);
  const [H, W] = x.shape.slice(-2);
  const OH = outSize(H, kh, sh, ph, dh, options.ceilMode ?? false);
  const OW = outSize(W, kw, sw, pw, dw, options.ceilMode ?? false);
  if (OH <= 0 || OW <= 0) throw new ShapeError(`kernel ${kh}x${kw} does not fit the input ${formatShape(x.shape)}`, op);
  return { OH, OW, kh, kw, sh, sw, ph, pw, dh, dw };
}

function windowIndexes(w: Windows): string[] {
  return ['i0', 'i1', `i2*${w.sh}-${w.ph}+i4*${w.dh}`, `i3*${w.sw}-${w.pw}+i5*${w.dw}`];
}

/**
 * Max over kH×kW windows; padding reads -inf. With `returnIndices`, returns [values, indices]:
 * indices (int32, values' shape) point into each channel's flattened H*W input plane, the first
 * maximum of a window in row-major order (a NaN wins), as torch.nn.functional.max_pool2d does.
 */
export function maxPool2d(input: Var, kernelSize: Pair, options: Pool2dOptions & { returnIndices: true }): [Var, Var];
export function maxPool2d(input: Var, kernelSize: Pair, options?: Pool2dOptions & { returnIndices?: false }): Var;
export function maxPool2d(input: Var, kernelSize: Pair, options?: Pool2dOptions): Var | [Var, Var];
export function maxPool2d(input: Var, kernelSize: Pair, options: Pool2dOptions = {}): Var | [Var, Var] {
  const op = 'maxPool2d';
  checkOptions(options, maxPool2dKeys, op);
  const [x, back] = as4d(input, op);
  const w = windows(x, kernelSize, options, op);
  const [N, C, , W] = x.shape;
  const fill = reduceIdentity('max', x.dtype);
  const xs = reindex(x, [N, C, w.OH, w.OW, w.kh, w.kw], windowIndexes(w), fill);
  const values = back(reduce(xs, 'max', [4, 5]));
  if (options.returnIndices !== true) return values;
  // The window cell k of the maximum, then its input row and column: (oh*sh - ph + (k/kw)*dh, ow*sw - pw + (k%kw)*dw).
  const outShape = [N, C, w.OH, w.OW];
  const k = argReduce(reshape(xs, [...outShape, w.kh * w.kw]), 'argmax', 4);
  const row = add(add(mul(index(outShape, 2), w.sh), -w.ph), mul(floorDiv(k, w.kw), w.dh));
  const col = add(add(mul(index(outShape, 3), w.sw), -w.pw), mul(remainder(k, w.kw), w.dw));
  return [values, back(add(mul(row, W), col))];
}

export interface AvgPool2dOptions {
  stride?: Pair;
  padding?: Pair;
  ceilMode?: boolean;
  /** Count padded zeros in the divisor (torch's default). */
  countIncludePad?: boolean;
  divisorOverride?: number;
}
const avgPool2dKeys: OptionKeys<AvgPool2dOptions> = { stride: true, padding: true, ceilMode: true, countIncludePad: true, divisorOverride: true };

/** Mean over kH×kW windows with torch's divisor rules (countIncludePad, ceilMode, divisorOverride). */
export function avgPool2d(input: Var, kernelSize: Pair, options: AvgPool2dOptions = {}): Var {
  const op = 'avgPool2d';
  checkOptions(options, avgPool2dKeys, op);
  const [x, back] = as4d(input, op);
  if (!isFloat(x.dtype)) throw new ArgumentError(`needs a float input, got ${x.describe()}`, op);
  const w = windows(x, kernelSize, { ...options, dilation: 1 }, op);
  const [N, C, H, W] = x.shape;
  const sum = reduce(reindex(x, [N, C, w.OH, w.OW, w.kh, w.kw], windowIndexes(w)), 'add', [4, 5]);
  let divisor: Var;
  if (options.divisorOverride !== undefined) {
    divisor = constant(options.divisorOverride, [], x.dtype);
  } else {
    // Count the window cells inside the padded input (or the input itself): a reindex of ones.
    const includePad = options.countIncludePad ?? true;
    const area = includePad ? [H + 2 * w.ph, W + 2 * w.pw] : [H, W];
    const rows = includePad ? `i0*${w.sh}+i2` : `i0*${w.sh}-${w.ph}+i2`;
    const cols = includePad ? `i1*${w.sw}+i3` : `i1*${w.sw}-${w.pw}+i3`;
    const ones = constant(1, area, x.dtype);
    divisor = reduce(reindex(ones, [w.OH, w.OW, w.kh, w.kw], [rows, cols]), 'add', [2, 3]);
  }
  return back(div(sum, broadcast(divisor, sum.shape)));
}

/** Average over adaptive windows: window i covers [floor(i*L/O), ceil((i+1)*L/O)). */
export function adaptiveAvgPool2d(input: Var, outputSize: Pair): Var {
  const op = 'adaptiveAvgPool2d';
  const [x, back] = as4d(input, op);
  if (!isFloat(x.dtype)) throw new ArgumentError(`needs a float input, got ${x.describe()}`, op);
  const [OH, OW] = pair(outputSize, 'outputSize', op);
  const [N, C, H, W] = x.shape;
  const maxWindow = (L: number, O: number) => {
    let k = 0;
    for (let i = 0; i < O; i++) k = Math.max(k, Math.ceil(((i + 1) * L) / O) - Math.floor((i * L) / O));
    return k;
  };
  const kh = maxWindow(H, OH);
  const kw = maxWindow(W, OW);
  const start = (i: string, L: number, O: number) => `(${i}*${L})/${O}`;
  const end = (i: string, L: number, O: number) => `((${i}+1)*${L}+${O}-1)/${O}`;
  const rows = `${start('i2', H, OH)}+i4`;
  const cols = `${start('i3', W, OW)}+i5`;
  const conds = [`${rows}>=${end('i2', H, OH)}`, `${cols}>=${end('i3', W, OW)}`];
  const sum = reduce(reindex(x, [N, C, OH, OW, kh, kw], ['i0', 'i1', rows, cols], 0, conds), 'add', [4, 5]);
  const ones = constant(1, [1, 1, H, W], x.dtype);
  const count = reduce(reindex(ones, [1, 1, OH, OW, kh, kw], ['i0', 'i1', rows, cols], 0, conds), 'add', [4, 5]);
  return back(div(sum, broadcast(count, sum.shape)));
}
