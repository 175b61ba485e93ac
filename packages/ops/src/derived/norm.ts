// Functional normalisation (torch.nn.functional.layer_norm, group_norm, batch_norm): mean and
// biased variance over the normalised dims, then (x - mean)·rsqrt(var + eps)·weight + bias.
import { checkOptions, type OptionKeys, ArgumentError, DTypeError, expectVar, formatShape, isFloat, ShapeError, type Var } from '@metaop/core';
import { reshape } from '../meta/reindex.js';
import { add, mul, rsqrt, sub } from './arithmetic.js';
import { mean } from './reduction.js';

function checkFloat(x: Var, op: string): void {
  expectVar(x, op);
  if (!isFloat(x.dtype)) throw new DTypeError(`needs a float input, got ${x.describe()}; cast it first`, op);
}

function checkEps(eps: number, op: string): void {
  if (typeof eps !== 'number' || !(eps >= 0)) throw new ArgumentError(`eps must be a non-negative number, got ${String(eps)}`, op);
}

/** weight and bias of `shape`, read through `view` (their shape with size-1 dims where x has others). */
function affine(y: Var, weight: Var | undefined | null, bias: Var | undefined | null, shape: readonly number[], view: number[], op: string): Var {
  let out = y;
  for (const [name, p] of [['weight', weight], ['bias', bias]] as const) {
    if (p === undefined || p === null) continue;
    expectVar(p, op, name);
    if (p.ndim !== shape.length || p.shape.some((d, i) => d !== shape[i])) {
      throw new ShapeError(`${name} ${formatShape(p.shape)} must be ${formatShape(shape)}`, op);
    }
    out = name === 'weight' ? mul(out, reshape(p, view)) : add(out, reshape(p, view));
  }
  return out;
}

/** (x - mean)·rsqrt(biased var + eps) over `dims`, the statistics kept in place for broadcasting. */
function standardize(x: Var, dims: number[], eps: number): Var {
  const centered = sub(x, mean(x, dims, true));
  return mul(centered, rsqrt(add(mean(mul(centered, centered), dims, true), eps)));
}

/** torch.nn.functional.layer_norm: normalises over the trailing dims `normalizedShape`. */
export function layerNorm(x: Var, normalizedShape: number | readonly number[], weight?: Var | null, bias?: Var | null, eps = 1e-5): Var {
  const op = 'layerNorm';
  checkFloat(x, op);
  checkEps(eps, op);
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  const lead = x.ndim - shape.length;
  if (shape.length === 0 || lead < 0 || shape.some((d, i) => d !== x.shape[lead + i])) {
    throw new ShapeError(`normalizedShape ${formatShape(shape)} must be a non-empty tail of the input shape ${formatShape(x.shape)}`, op);
  }
  const dims = shape.map((_, i) => lead + i);
  return affine(standardize(x, dims, eps), weight, bias, shape, shape, op);
}

/** torch.nn.functional.group_norm: [N, C, ...] with C split into numGroups groups, each normalised over its channels and the spatial dims. */
export function groupNorm(x: Var, numGroups: number, weight?: Var | null, bias?: Var | null, eps = 1e-5): Var {
  const op = 'groupNorm';
  checkFloat(x, op);
  checkEps(eps, op);
  if (x.ndim < 2) throw new ShapeError(`input ${formatShape(x.shape)} must be [N, C, ...]`, op);
  const [n, c] = x.shape;
  if (!Number.isInteger(numGroups) || numGroups < 1 || c % numGroups !== 0) {
    throw new ShapeError(`numGroups ${numGroups} must be a positive integer that divides the ${c} channels of input ${formatShape(x.shape)}`, op);
  }
  const spatial = x.shape.slice(2);
  const grouped = reshape(x, [n, numGroups, c / numGroups, ...spatial]);
  const dims = grouped.shape.map((_, i) => i).slice(2);
  const y = reshape(standardize(grouped, dims, eps), x.shape);
  return affine(y, weight, bias, [c], [c, ...spatial.map(() => 1)], op);
}

export interface BatchNormFnOptions {
  weight?: Var | null;
  bias?: Var | null;
  /** Normalise with the batch's statistics (default false: with the running ones). */
  training?: boolean;
  eps?: number;
}
const batchNormKeys: OptionKeys<BatchNormFnOptions> = { weight: true, bias: true, training: true, eps: true };

/**
 * torch.nn.functional.batch_norm over [N, C, ...]: per channel, with the batch's mean and biased
 * variance when training, else with runningMean and runningVar [C]. Unlike torch, it never
 * updates the running statistics in place (nn.BatchNorm1d/2d do that); pass null for them when
 * training without running statistics.
 */
export function batchNorm(x: Var, runningMean: Var | null, runningVar: Var | null, options: BatchNormFnOptions = {}): Var {
  const op = 'batchNorm';
  checkOptions(options, batchNormKeys, op);
  checkFloat(x, op);
  const { weight, bias, training = false, eps = 1e-5 } = options;
  checkEps(eps, op);
  if (x.ndim < 2) throw new ShapeError(`input ${formatShape(x.shape)} must be [N, C, ...]`, op);
  const c = x.shape[1];
  const view = x.shape.map((d, i) => (i === 1 ? d : 1));
  const dims = x.shape.map((_, i) => i).filter((i) => i !== 1);
  let y: Var;
  if (training) {
    const count = dims.reduce((k, d) => k * x.shape[d], 1);
    if (count <= 1) throw new ShapeError(`expected more than 1 value per channel when training, got input ${formatShape(x.shape)}`, op);
    y = standardize(x, dims, eps);
  } else {
    if (!runningMean || !runningVar) throw new ArgumentError('runningMean and runningVar are needed unless training is true', op);
    for (const [name, s] of [['runningMean', runningMean], ['runningVar', runningVar]] as const) {
      expectVar(s, op, name);
      if (s.ndim !== 1 || s.shape[0] !== c) throw new ShapeError(`${name} ${formatShape(s.shape)} must be [${c}] for input ${formatShape(x.shape)}`, op);
    }
    y = mul(sub(x, reshape(runningMean, view)), reshape(rsqrt(add(runningVar, eps)), view));
  }
  return affine(y, weight, bias, [c], view.slice(1), op);
}
