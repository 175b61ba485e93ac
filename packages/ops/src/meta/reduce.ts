// Reindex-reduce meta-ops (many-to-one): out[j] = ⊕ { x[i] : g(i) = j }.
import {
  ArgumentError,
  checkShape,
  DTypeError,
  expectVar,
  formatShape,
  normalizeDim,
  reduceFns,
  shapeSymbols,
  ShapeError,
  Var,
  type ArgReduceFn,
  type ReduceFn,
  type Shape,
} from '@metaop/core';
import { axesText, toConds, toIndexExprs, type CondSpec, type IndexSpec } from './reindex.js';

function checkReduceFn(fn: ReduceFn, x: Var, op: string): void {
  if (!reduceFns.includes(fn)) throw new ArgumentError(`unknown reduction '${String(fn)}'; one of ${reduceFns.join(', ')}`, op);
  if ((fn === 'add' || fn === 'mul') && x.dtype === 'bool') {
    throw new DTypeError(`cannot ${fn} bool values; cast to int32 or float32 first`, op);
  }
}

/** Reduces `dims` with fn (add, mul, max, min); keepdim leaves them as size 1. */
export function reduce(x: Var, fn: ReduceFn, dims: readonly number[], keepdim = false): Var {
  const op = `reduce(${fn})`;
  expectVar(x, op);
  checkReduceFn(fn, x, op);
  const ds = [...new Set(dims.map((d) => normalizeDim(d, x.shape, op)))].sort((a, b) => a - b);
  if (ds.length !== dims.length) throw new ShapeError(`dims [${dims.join(', ')}] repeat a dim`, op);
  if (ds.length === 0) return x;
  const shape = keepdim ? x.shape.map((d, k) => (ds.includes(k) ? 1 : d)) : x.shape.filter((_, k) => !ds.includes(k));
  return Var.fromNode({ op: 'reduce', fn, dims: ds, keepdim, inputs: [x] }, shape, x.dtype);
}

/**
 * The twin of reindex: every input element x[i] is combined with fn into out[indexes(i)], where
 * each expression is over the input coordinates. Elements that map outside `shape`, or where an
 * overflow condition holds, are dropped. Cells nothing maps to hold fn's identity. As in Jittor,
 * the expressions name the output `x` and the input `y`: xshapeK, xstrideK and XDIM describe the
 * output, yshapeK, ystrideK and YDIM the input.
 */
export function reindexReduce(
  x: Var,
  fn: ReduceFn,
  shape: Shape,
  indexes: readonly IndexSpec[],
  overflowConditions: readonly CondSpec[] = [],
): Var {
  const op = `reindexReduce(${fn})`;
  expectVar(x, op);
  checkReduceFn(fn, x, op);
  checkShape(shape, op);
  if (indexes.length !== shape.length) {
    throw new ShapeError(`got ${indexes.length} index expressions for an output of shape ${formatShape(shape)}; give one per output dim`, op);
  }
  // Jittor's names: reindex_reduce reads y and writes x, so xshapeK/XDIM describe the output.
  const symbols = shapeSymbols(shape, x.shape);
  const where = `input ${x.describe()}, output ${formatShape(shape)}: expressions over the input's ${axesText(x.ndim)}`;
  return Var.fromNode(
    {
      op: 'reindexReduce',
      fn,
      indexes: toIndexExprs(indexes, x.ndim, symbols, op, where),
      overflowConditions: toConds(overflowConditions, x.ndim, symbols, op, where),
      inputs: [x],
    },
    shape,
    x.dtype,
  );
}

/**
 * The twin of gather: out = fn's identity of `shape`, then out[i with dim replaced by index[i]] ⊕= src[i].
 * index has src's shape; indices outside [0, shape[dim]) are dropped.
 */
export function scatter(src: Var, dim: number, indexVar: Var, shape: Shape, fn: ReduceFn = 'add'): Var {
  const op = `scatter(${fn})`;
  expectVar(src, op, 'source');
  expectVar(indexVar, op, 'index');
  checkReduceFn(fn, src, op);
  checkShape(shape, op);
  if (indexVar.dtype !== 'int32') throw new DTypeError(`index must be int32, got ${indexVar.dtype}; cast it`, op);
  if (indexVar.ndim !== src.ndim || indexVar.shape.some((d, k) => d !== src.shape[k])) {
    throw new ShapeError(`index ${formatShape(indexVar.shape)} must have the source's shape ${formatShape(src.shape)}`, op);
  }
  if (shape.length !== src.ndim) {
    throw new ShapeError(`output ${formatShape(shape)} must have as many dims as the source ${formatShape(src.shape)}`, op);
  }
  const d = normalizeDim(dim, src.shape, op);
  src.shape.forEach((s, k) => {
    if (k !== d && s > shape[k]) {
      throw new ShapeError(`source ${formatShape(src.shape)} is larger than the output ${formatShape(shape)} in dim ${k}`, op);
    }
  });
  return Var.fromNode({ op: 'scatter', fn, dim: d, inputs: [src, indexVar] }, shape, src.dtype);
}

/** Index (int32) of the largest/smallest element along dim; ties and NaN give the first. */
export function argReduce(x: Var, fn: ArgReduceFn, dim: number, keepdim = false): Var {
  const op = fn;
  expectVar(x, op);
  if (fn !== 'argmax' && fn !== 'argmin') throw new ArgumentError(`unknown arg reduction '${String(fn)}'`, 'argReduce');
  const d = normalizeDim(dim, x.shape, op);
  if (x.shape[d] === 0) throw new ShapeError(`cannot take ${fn} over an empty dim ${d} of ${formatShape(x.shape)}`, op);
  const shape = keepdim ? x.shape.map((s, k) => (k === d ? 1 : s)) : x.shape.filter((_, k) => k !== d);
  return Var.fromNode({ op: 'argReduce', fn, dim: d, keepdim, inputs: [x] }, shape, 'int32');
}
