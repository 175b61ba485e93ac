// Index-tensor ops over gather/scatter: gather, scatterAdd, indexSelect, oneHot, embedding. Each
// guards its index (index-guard.ts): a value outside the dim raises IndexError when realized, as
// PyTorch raises; the meta-ops gatherMeta/scatter keep the fill-value semantics.
import { DTypeError, expectVar, formatShape, isFloat, normalizeDim, ShapeError, type Var } from '@metaop/core';
import { binary, cast, index } from '../meta/elementwise.js';
import { broadcast, gather as gatherMeta, reshape } from '../meta/reindex.js';
import { scatter } from '../meta/reduce.js';
import { guardIndex } from './index-guard.js';

/** torch.gather: out[i] = x[i with dim replaced by index[i]]. */
export function gather(x: Var, dim: number, idx: Var): Var {
  expectVar(x, 'gather');
  const d = normalizeDim(dim, x.shape, 'gather');
  return gatherMeta(x, d, checkedIndex(idx, 'gather', d, x.shape[d]));
}

/** The index as int32, guarded to lie in 0..size-1 of dim `dim`. */
function checkedIndex(idx: Var, op: string, dim: number, size: number): Var {
  expectVar(idx, op, 'index');
  if (isFloat(idx.dtype)) throw new DTypeError(`index must be an integer Var, got ${idx.describe()}`, op);
  return guardIndex(cast(idx, 'int32'), { op, dim, size });
}

/** torch.scatter_add: x with src[i] added into x[i with dim replaced by index[i]]. */
export function scatterAdd(x: Var, dim: number, idx: Var, src: Var): Var {
  expectVar(x, 'scatterAdd');
  expectVar(src, 'scatterAdd', 'src');
  const d = normalizeDim(dim, x.shape, 'scatterAdd');
  const i = checkedIndex(idx, 'scatterAdd', d, x.shape[d]);
  if (src.dtype !== x.dtype) throw new DTypeError(`src ${src.describe()} must have x's dtype ${x.dtype}`, 'scatterAdd');
  return binary(x, scatter(src, d, i, x.shape, 'add'), 'add');
}

/** Rows (or slices along dim) of x picked by a 1-D index. */
export function indexSelect(x: Var, dim: number, idx: Var): Var {
  return selectAlong(x, dim, idx, 'indexSelect');
}

/** torch.nn.functional.embedding: rows of weight [num, dim] for integer ids [...] -> [..., dim]. */
export function embedding(ids: Var, weight: Var): Var {
  expectVar(ids, 'embedding', 'ids');
  expectVar(weight, 'embedding', 'weight');
  if (weight.ndim !== 2) throw new ShapeError(`weight must be 2-D [numEmbeddings, dim], got ${formatShape(weight.shape)}`, 'embedding');
  const rows = selectAlong(weight, 0, reshape(ids, [ids.numel]), 'embedding');
  return reshape(rows, [...ids.shape, weight.shape[1]]);
}

function selectAlong(x: Var, dim: number, idx: Var, op: string): Var {
  expectVar(x, op);
  expectVar(idx, op, 'index');
  const d = normalizeDim(dim, x.shape, op);
  if (idx.ndim !== 1) throw new ShapeError(`index must be 1-D, got ${formatShape(idx.shape)}`, op);
  const i = checkedIndex(idx, op, d, x.shape[d]);
  const shape = x.shape.map((s, k) => (k === d ? i.shape[0] : s));
  const expanded = broadcast(reshape(i, x.shape.map((_, k) => (k === d ? i.shape[0] : 1))), shape);
  return gatherMeta(x, d, expanded);
}

/** One-hot encoding: a new last dim of numClasses (int32 by default). */
export function oneHot(idx: Var, numClasses: number, dtype: Var['dtype'] = 'int32'): Var {
  expectVar(idx, 'oneHot', 'index');
  if (!Number.isInteger(numClasses) || numClasses <= 0) throw new ShapeError(`numClasses must be a positive integer, got ${numClasses}`, 'oneHot');
  const i = checkedIndex(idx, 'oneHot', idx.ndim, numClasses);
  const shape = [...i.shape, numClasses];
  const classes = index(shape, -1);
  const labels = broadcast(reshape(i, [...i.shape, 1]), shape);
  return cast(binary(classes, labels, 'eq'), dtype);
}
