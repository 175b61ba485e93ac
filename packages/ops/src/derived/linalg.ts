// matmul as broadcast × broadcast → reduce(add): the contraction the compiler tiles.
import { broadcastShapes, DTypeError, expectVar, formatShape, ShapeError, type Var } from '@metaop/core';
import { binary } from '../meta/elementwise.js';
import { broadcast, reshape } from '../meta/reindex.js';
import { reduce } from '../meta/reduce.js';

/** torch.matmul: 1-D operands are vectors, leading dims broadcast (batched matmul). */
export function matmul(a: Var, b: Var): Var {
  expectVar(a, 'matmul');
  expectVar(b, 'matmul');
  if (a.ndim === 0 || b.ndim === 0) throw new ShapeError('operands must have at least one dim; use mul for scalars', 'matmul');
  if (a.dtype === 'bool' || b.dtype === 'bool') throw new DTypeError('cannot multiply bool matrices; cast them first', 'matmul');
  // As torch.matmul: no promotion between the operands (float32 @ int32 is almost always a bug).
  if (a.dtype !== b.dtype) {
    throw new DTypeError(
      `expected both operands to have the same dtype, got ${a.describe()} @ ${b.describe()}; cast one, e.g. b.cast('${a.dtype}')`,
      'matmul',
    );
  }
  let x = a;
  let y = b;
  const vecA = x.ndim === 1;
  const vecB = y.ndim === 1;
  if (vecA) x = reshape(x, [1, x.shape[0]]);
  if (vecB) y = reshape(y, [y.shape[0], 1]);
  const [n, k] = x.shape.slice(-2);
  const [k2, m] = y.shape.slice(-2);
  if (k !== k2) {
    throw new ShapeError(
      `inner dims differ: ${formatShape(a.shape)} @ ${formatShape(b.shape)} (${k} vs ${k2}); the last dim of the first must equal the second-to-last of the second`,
      'matmul',
    );
  }
  const batch = broadcastShapes('matmul', x.shape.slice(0, -2), y.shape.slice(0, -2));
  // [..., n, k, 1] * [..., 1, k, m] summed over k
  const full = [...batch, n, k, m];
  const xa = broadcast(reshape(x, [...x.shape.slice(0, -2), n, k, 1]), full);
  const yb = broadcast(reshape(y, [...y.shape.slice(0, -2), 1, k, m]), full);
  let out = reduce(binary(xa, yb, 'mul'), 'add', [full.length - 2]);
  if (vecA && vecB) out = reshape(out, batch);
  else if (vecA) out = reshape(out, [...batch, m]);
  else if (vecB) out = reshape(out, [...batch, n]);
  return out;
}
