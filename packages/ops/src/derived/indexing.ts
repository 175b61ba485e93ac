// Index-tensor ops over gather/scatter: scatterAdd, indexSelect, oneHot, embedding lookup.
import { DTypeError, expectVar, formatShape, normalizeDim, ShapeError, type Var } from '@metaop/core';
import { binary, cast, index } from '../meta/elementwise.js';
import { broadcast, gather as gatherMeta, reshape } from '../meta/reindex.js';
import { scatter } from '../meta/reduce.js';

/** torch.gather: out[i] = x[i with dim replaced by index[i]]. */
export function gather(x: Var, dim: number, idx: Var): Var {
  return gatherMeta(x, dim, toInt32(idx, 'gather'));
}

function toInt32(idx: Var, op: string): Var {
  expectVar(idx, op, 'index');
  if (idx.dtype === 'float32' || idx.dtype === 'float64') {
    throw new DTypeError(`index must be an integer Var, got ${idx.describe()}`, op);
  }
  return cast(idx, 'int32');
}

/** torch.scatter_add: x with src[i] added into x[i with dim replaced by index[i]]. */
export function scatterAdd(x: Var, dim: number, idx: Var, src: Var): Var {
  expectVar(x, 'scatterAdd');
  expectVar(src, 'scatterAdd', 'src');
  const d = normalizeDim(dim, x.shape, 'scatterAdd');
  const i = toInt32(idx, 'scatterAdd');
  if (src.dtype !== x.dtype) throw new DTypeError(`src ${src.describe()} must have x's dtype ${x.dtype}`, 'scatterAdd');
  return binary(x, scatter(src, d, i, x.shape, 'add'), 'add');
}

/** Rows (or slices along dim) of x picked by a 1-D index. */
export function indexSelect(x: Var, dim: number, idx: Var): Var {
  expectVar(x, 'indexSelect');
  const d = normalizeDim(dim, x.shape, 'indexSelect');
  const i = toInt32(idx, 'indexSelect');
  if (i.ndim !== 1) throw new ShapeError(`index must be 1-D, got ${formatShape(i.shape)}`, 'indexSelect');
  const shape = x.shape.map((s, k) => (k === d ? i.shape[0] : s));
  const expanded = broadcast(reshape(i, x.shape.map((_, k) => (k === d ? i.shape[0] : 1))), shape);
  return gatherMeta(x, d, expanded);
}

/** One-hot encoding: a new last dim of numClasses (int32 by default). */
export function oneHot(idx: Var, numClasses: number, dtype: Var['dtype'] = 'int32'): Var {
  const i = toInt32(idx, 'oneHot');
  if (!Number.isInteger(numClasses) || numClasses <= 0) throw new ShapeError(`numClasses must be a positive integer, got ${numClasses}`, 'oneHot');
  const shape = [...i.shape, numClasses];
  const classes = index(shape, -1);
  const labels = broadcast(reshape(i, [...i.shape, 1]), shape);
  return cast(binary(classes, labels, 'eq'), dtype);
}
