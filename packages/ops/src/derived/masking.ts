// Masks over values: tril/triu (triangles of the last two dims) and maskedFill, built from the
// index meta-op, a comparison and a ternary, so they fuse into their neighbours' kernels.
import { ArgumentError, broadcastShapes, DTypeError, expectVar, formatShape, ShapeError, type Var } from '@metaop/core';
import { constant, index } from '../meta/elementwise.js';
import { ge, le, sub, where } from './arithmetic.js';

function checkDiagonal(x: Var, diagonal: number, op: string): void {
  expectVar(x, op);
  if (x.ndim < 2) throw new ShapeError(`input ${formatShape(x.shape)} needs at least 2 dims (a matrix or a batch of them); unsqueeze a vector first`, op);
  if (!Number.isInteger(diagonal)) throw new ArgumentError(`diagonal must be an integer, got ${diagonal}`, op);
}

/** The int32 grid col - row over the last two dims of x, shape [rows, cols]. */
function colMinusRow(x: Var): Var {
  const mat = x.shape.slice(-2);
  return sub(index(mat, 1), index(mat, 0));
}

/** Zero of x's dtype (false for bool), as a 0-d Var so where() keeps x's dtype. */
const zeroOf = (x: Var): Var => constant(0, [], x.dtype);

/**
 * torch.tril: keeps the elements on and below the `diagonal`-th diagonal of the last two dims
 * (0 the main diagonal, positive above it, negative below) and zeroes the rest.
 */
export function tril(x: Var, diagonal = 0): Var {
  checkDiagonal(x, diagonal, 'tril');
  return where(le(colMinusRow(x), diagonal), x, zeroOf(x));
}

/** torch.triu: keeps the elements on and above the `diagonal`-th diagonal of the last two dims. */
export function triu(x: Var, diagonal = 0): Var {
  checkDiagonal(x, diagonal, 'triu');
  return where(ge(colMinusRow(x), diagonal), x, zeroOf(x));
}

/**
 * torch.Tensor.masked_fill: `value` where the bool `mask` is true, x elsewhere. mask and x
 * broadcast together (as PyTorch's out-of-place masked_fill); the value is converted to x's dtype.
 */
export function maskedFill(x: Var, mask: Var, value: number | boolean): Var {
  const op = 'maskedFill';
  expectVar(x, op);
  expectVar(mask, op, 'mask');
  if (mask.dtype !== 'bool') {
    throw new DTypeError(`mask must be bool, got ${mask.describe()}; compare first (e.g. m.ne(0)) or cast(m, 'bool')`, op);
  }
  if (typeof value !== 'number' && typeof value !== 'boolean') {
    throw new ArgumentError(`value must be a number, got ${value === null ? 'null' : typeof value}`, op);
  }
  broadcastShapes(op, x.shape, mask.shape);
  const fill = constant(typeof value === 'boolean' ? Number(value) : value, [], x.dtype);
  return where(mask, fill, x);
}

