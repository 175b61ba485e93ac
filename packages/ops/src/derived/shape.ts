// Shape ops over the reindex meta-ops: flatten, squeeze, unsqueeze, transpose, expand, detach.
import { expectVar, formatShape, normalizeDim, ShapeError, Var, type Shape } from '@metaop/core';
import { broadcast, permute, reshape } from '../meta/reindex.js';

/** Merges dims startDim..endDim into one. */
export function flatten(x: Var, startDim = 0, endDim = -1): Var {
  expectVar(x, 'flatten');
  const s = normalizeDim(startDim, x.shape, 'flatten');
  const e = normalizeDim(endDim, x.shape, 'flatten');
  if (x.ndim === 0) return reshape(x, [1]);
  if (s > e) throw new ShapeError(`startDim ${startDim} comes after endDim ${endDim}`, 'flatten');
  const merged = x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
  return reshape(x, [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
}

/** Removes size-1 dims (all of them, or those listed). */
export function squeeze(x: Var, dims?: number | readonly number[]): Var {
  expectVar(x, 'squeeze');
  const list = dims === undefined ? x.shape.map((_, i) => i) : (typeof dims === 'number' ? [dims] : dims).map((d) => normalizeDim(d, x.shape, 'squeeze'));
  return reshape(x, x.shape.filter((d, i) => !(d === 1 && list.includes(i))));
}

/** Inserts a size-1 dim at `dim` (negative counts from the end of the result). */
export function unsqueeze(x: Var, dim: number): Var {
  expectVar(x, 'unsqueeze');
  const d = normalizeDim(dim, x.ndim + 1, 'unsqueeze');
  return reshape(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
}

/** Swaps two dims (the last two by default). */
export function transpose(x: Var, dim0 = -2, dim1 = -1): Var {
  expectVar(x, 'transpose');
  if (x.ndim < 2 && dim0 === -2 && dim1 === -1) return x;
  const a = normalizeDim(dim0, x.shape, 'transpose');
  const b = normalizeDim(dim1, x.shape, 'transpose');
  if (x.ndim === 0) return x;
  const perm = x.shape.map((_, i) => i);
  perm[a] = b;
  perm[b] = a;
  return permute(x, perm);
}

/** Broadcasts to `shape`; -1 keeps a dim's size (torch.Tensor.expand). */
export function expand(x: Var, shape: Shape): Var {
  expectVar(x, 'expand');
  const lead = shape.length - x.ndim;
  if (lead < 0) throw new ShapeError(`cannot expand ${formatShape(x.shape)} to fewer dims ${formatShape(shape)}`, 'expand');
  if (shape.slice(0, lead).includes(-1)) {
    throw new ShapeError(`-1 cannot size a new leading dim: expanding ${formatShape(x.shape)} to ${formatShape(shape)}`, 'expand');
  }
  return broadcast(x, shape.map((d, i) => (d === -1 ? x.shape[i - lead] : d)));
}

/** The same values with gradients stopped here. */
export function detach(x: Var): Var {
  expectVar(x, 'detach');
  const v = Var.fromNode({ op: 'reshape', inputs: [x] }, x.shape, x.dtype);
  v.stopGrad = true;
  return v;
}
