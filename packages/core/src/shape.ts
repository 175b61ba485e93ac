// Shapes, strides and the numpy broadcasting rule.
import { ShapeError } from './errors.js';

export type Shape = readonly number[];

export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major (C-contiguous) strides in elements. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function checkShape(shape: Shape, op: string): void {
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new ShapeError(`shape ${formatShape(shape)} has a dimension that is not a non-negative integer`, op);
    }
  }
  // Element counts beyond 2^53 are inexact as numbers: no size check or index on them can be trusted.
  if (!Number.isSafeInteger(numel(shape))) {
    throw new ShapeError(`shape ${formatShape(shape)} has about ${numel(shape).toPrecision(3)} elements, more than 2^53; no tensor can be that large`, op);
  }
}

/**
 * Resolves a possibly negative dim against a rank (or a shape, which the error message then
 * shows), throwing a ShapeError naming the op when out of range.
 */
export function normalizeDim(dim: number, ndimOrShape: number | Shape, op: string): number {
  const ndim = typeof ndimOrShape === 'number' ? ndimOrShape : ndimOrShape.length;
  // As in PyTorch, a 0-d tensor takes dim 0 or -1 (both name its single position).
  const span = Math.max(ndim, 1);
  if (!Number.isInteger(dim) || dim < -span || dim >= span) {
    const what = typeof ndimOrShape === 'number' ? `a tensor with ${ndim} dims` : `shape ${formatShape(ndimOrShape)} (${ndim} dims)`;
    throw new ShapeError(`dim ${dim} is out of range for ${what}; use a dim in [${-span}, ${span - 1}]`, op);
  }
  return dim < 0 ? Math.max(dim + ndim, 0) : dim;
}

/** The numpy broadcast of several shapes, or a ShapeError naming the op and all shapes. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const ndim = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(ndim).fill(1);
  for (let k = 1; k <= ndim; k++) {
    let size = 1;
    for (const s of shapes) {
      const d = s.length - k >= 0 ? s[s.length - k] : 1;
      if (d === 1) continue;
      if (size !== 1 && size !== d) {
        throw new ShapeError(
          `shapes ${shapes.map(formatShape).join(' and ')} cannot be broadcast together: ` +
            `dim ${-k} has sizes ${size} and ${d}; sizes must match or be 1 (reshape or unsqueeze one operand)`,
          op,
        );
      }
      size = d;
    }
    out[ndim - k] = size;
  }
  checkShape(out, op);
  return out;
}
