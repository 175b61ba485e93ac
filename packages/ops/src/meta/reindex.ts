// Reindex meta-ops (one-to-many): out[i] = x[g(i)], or a fill value where g(i) falls outside x.
import {
  ArgumentError,
  broadcastShapes,
  checkShape,
  DTypeError,
  expectVar,
  formatShape,
  normalizeDim,
  numel,
  parseCond,
  parseIndex,
  shapesEqual,
  shapeSymbols,
  ShapeError,
  simplifyCond,
  simplifyIndex,
  Var,
  type IndexCond,
  type IndexExpr,
  type Shape,
} from '@metaop/core';

export type IndexSpec = string | IndexExpr;
export type CondSpec = string | IndexCond;

/** The loop indices of an iteration space, in words: "i0..i2", "i0", "no axes". */
export function axesText(ndim: number): string {
  return ndim === 0 ? 'no axes' : ndim === 1 ? 'i0' : `i0..i${ndim - 1}`;
}

/** Parses index strings (or checks IR) against an iteration space of `ndim` axes. */
export function toIndexExprs(
  specs: readonly IndexSpec[],
  ndim: number,
  symbols: Record<string, number>,
  op: string,
  where?: string,
): IndexExpr[] {
  return specs.map((s) => (typeof s === 'string' ? parseIndex(s, { ndim, symbols, op, where }) : simplifyIndex(checkIr(s, ndim, op))));
}

export function toConds(specs: readonly CondSpec[], ndim: number, symbols: Record<string, number>, op: string, where?: string): IndexCond[] {
  return specs.map((s) => (typeof s === 'string' ? parseCond(s, { ndim, symbols, op, where }) : simplifyCond(s)));
}

function checkIr(e: IndexExpr, ndim: number, op: string): IndexExpr {
  if (e.kind === 'idx' && (e.axis < 0 || e.axis >= ndim)) {
    throw new ArgumentError(`index IR reads axis ${e.axis} but the iteration space has ${ndim} axes`, op);
  }
  if (e.kind === 'bin') {
    checkIr(e.a, ndim, op);
    checkIr(e.b, ndim, op);
  }
  return e;
}

/**
 * out[i0..] = x[indexes[0](i), indexes[1](i), ...] over the output `shape`; positions whose index
 * falls outside x, or where any overflow condition holds, read `overflowValue`.
 */
export function reindex(
  x: Var,
  shape: Shape,
  indexes: readonly IndexSpec[],
  overflowValue = 0,
  overflowConditions: readonly CondSpec[] = [],
): Var {
  const op = 'reindex';
  expectVar(x, op);
  checkShape(shape, op);
  if (indexes.length !== x.ndim) {
    throw new ShapeError(`got ${indexes.length} index expressions for an input of shape ${formatShape(x.shape)}; give one per input dim`, op);
  }
  const symbols = shapeSymbols(x.shape, shape);
  const where = `input ${x.describe()}, output ${formatShape(shape)}: expressions over the output's ${axesText(shape.length)}`;
  return Var.fromNode(
    {
      op,
      indexes: toIndexExprs(indexes, shape.length, symbols, op, where),
      overflowValue,
      overflowConditions: toConds(overflowConditions, shape.length, symbols, op, where),
      inputs: [x],
    },
    shape,
    x.dtype,
  );
}

/**
 * out[i] = x[i with dim replaced by index[i]]; the output has index's shape. Indices outside
 * [0, x.shape[dim]) read 0.
 */
export function gather(x: Var, dim: number, indexVar: Var): Var {
  const op = 'gather';
  expectVar(x, op);
  expectVar(indexVar, op, 'index');
  if (indexVar.dtype !== 'int32') throw new DTypeError(`index must be int32, got ${indexVar.dtype}; cast it`, op);
  const d = normalizeDim(dim, x.shape, op);
  if (indexVar.ndim !== x.ndim) {
    throw new ShapeError(`index ${formatShape(indexVar.shape)} must have as many dims as the input ${formatShape(x.shape)}`, op);
  }
  indexVar.shape.forEach((s, k) => {
    if (k !== d && s > x.shape[k]) {
      throw new ShapeError(`index ${formatShape(indexVar.shape)} is larger than input ${formatShape(x.shape)} in dim ${k}`, op);
    }
  });
  return Var.fromNode({ op, dim: d, inputs: [x, indexVar] }, indexVar.shape, x.dtype);
}

/**
 * Expands size-1 (or missing leading) dims to `shape` by the numpy rule. With `dims` (Jittor's
 * form), those output dims are new axes of size shape[d] and x's dims fill the others in order,
 * broadcast both ways against the rest of `shape` (a 1 on either side takes the other's size):
 * broadcast(x [2], [2, 3], [1]) repeats x along a new last axis.
 */
export function broadcast(x: Var, shape: Shape, dims?: readonly number[]): Var {
  const op = 'broadcast';
  expectVar(x, op);
  checkShape(shape, op);
  if (dims !== undefined) return broadcastNewDims(x, shape, dims, op);
  const target = broadcastShapes(op, x.shape, shape);
  if (!shapesEqual(target, shape)) {
    throw new ShapeError(`cannot broadcast ${formatShape(x.shape)} to ${formatShape(shape)}: the input is larger in some dim`, op);
  }
  if (shapesEqual(x.shape, shape)) return x;
  return Var.fromNode({ op, inputs: [x] }, shape, x.dtype);
}

/** Jittor's broadcast(x, shape, dims): x reshaped with size-1 axes at `dims`, then broadcast. */
function broadcastNewDims(x: Var, shape: Shape, dims: readonly number[], op: string): Var {
  const count = dims.length;
  const ndim = Math.max(x.ndim, shape.length - count) + count;
  const isNew = new Array<boolean>(ndim).fill(false);
  for (const d of dims) {
    const k = Number.isInteger(d) && d < 0 ? d + ndim : d;
    if (!Number.isInteger(k) || k < 0 || k >= ndim) {
      throw new ArgumentError(`dims [${dims.join(', ')}]: ${d} is not a dim of the ${ndim}-d result; use -${ndim}..${ndim - 1}`, op);
    }
    if (isNew[k]) throw new ArgumentError(`dims [${dims.join(', ')}] name dim ${k} twice`, op);
    isNew[k] = true;
  }
  // Walk from the last dim, as Jittor does: new dims take shape's size, the others pair x's
  // dims with shape's, right-aligned, each side missing counting as 1.
  const out = new Array<number>(ndim);
  const xView = new Array<number>(ndim);
  for (let i = ndim - 1, xi = x.ndim - 1, yi = shape.length - 1; i >= 0; i--) {
    const ys = yi >= 0 ? shape[yi] : 1;
    yi--;
    if (isNew[i]) {
      out[i] = ys;
      xView[i] = 1;
      continue;
    }
    const xs = xi >= 0 ? x.shape[xi] : 1;
    xi--;
    if (xs !== ys && xs !== 1 && ys !== 1) {
      throw new ShapeError(
        `cannot broadcast ${formatShape(x.shape)} to ${formatShape(shape)} with new dims [${dims.join(', ')}]: result dim ${i} pairs ${xs} with ${ys}`,
        op,
      );
    }
    out[i] = xs === 1 ? ys : xs;
    xView[i] = xs;
  }
  return broadcast(reshape(x, xView), out);
}

/** Same elements in row-major order, new shape; one dim may be -1. */
export function reshape(x: Var, shape: Shape): Var {
  const op = 'reshape';
  expectVar(x, op);
  const resolved = resolveReshape(x.shape, shape, op);
  if (shapesEqual(resolved, x.shape)) return x;
  return Var.fromNode({ op, inputs: [x] }, resolved, x.dtype);
}

function resolveReshape(from: Shape, to: Shape, op: string): number[] {
  const total = numel(from);
  const unknown = to.filter((d) => d === -1).length;
  if (unknown > 1) throw new ShapeError(`shape ${formatShape(to)} has more than one -1`, op);
  const known = to.filter((d) => d !== -1);
  checkShape(known, op);
  const knownSize = numel(known);
  let resolved = [...to];
  if (unknown === 1) {
    if (knownSize === 0 || total % knownSize !== 0) {
      throw new ShapeError(`cannot reshape ${formatShape(from)} (${total} elements) to ${formatShape(to)}`, op);
    }
    resolved = to.map((d) => (d === -1 ? total / knownSize : d));
  }
  if (numel(resolved) !== total) {
    throw new ShapeError(
      `cannot reshape ${formatShape(from)} (${total} elements) to ${formatShape(resolved)} (${numel(resolved)} elements)`,
      op,
    );
  }
  return resolved;
}

/** Reorders dims: out.shape[k] = x.shape[perm[k]]. */
export function permute(x: Var, perm: readonly number[]): Var {
  const op = 'permute';
  expectVar(x, op);
  if (perm.length !== x.ndim) {
    throw new ShapeError(`permutation [${perm.join(', ')}] has ${perm.length} entries for ${x.ndim} dims ${formatShape(x.shape)}`, op);
  }
  const p = perm.map((d) => normalizeDim(d, x.shape, op));
  if (new Set(p).size !== p.length) throw new ShapeError(`[${perm.join(', ')}] is not a permutation`, op);
  if (p.every((d, k) => d === k)) return x;
  return Var.fromNode({ op, perm: p, inputs: [x] }, p.map((d) => x.shape[d]), x.dtype);
}

/**
 * Python-style slicing per dim: starts/stops may be negative or undefined, steps non-zero
 * (negative steps walk backwards).
 */
export function slice(
  x: Var,
  starts: readonly (number | undefined)[],
  stops: readonly (number | undefined)[],
  steps: readonly (number | undefined)[] = [],
): Var {
  const op = 'slice';
  expectVar(x, op);
  if (starts.length > x.ndim || stops.length > x.ndim || steps.length > x.ndim) {
    throw new ShapeError(`got more slice bounds than the ${x.ndim} dims of ${formatShape(x.shape)}`, op);
  }
  const s: number[] = [];
  const st: number[] = [];
  const shape: number[] = [];
  x.shape.forEach((len, d) => {
    const step = steps[d] ?? 1;
    if (!Number.isSafeInteger(step) || step === 0) throw new ArgumentError(`step ${step} in dim ${d} must be a non-zero integer`, op);
    const [start, count] = sliceIndices(len, starts[d], stops[d], step, op);
    s.push(start);
    st.push(step);
    shape.push(count);
  });
  if (shapesEqual(shape, x.shape) && st.every((v) => v === 1)) return x;
  return Var.fromNode({ op, starts: s, steps: st, inputs: [x] }, shape, x.dtype);
}

/** Python's slice.indices: the first index and the element count. */
function sliceIndices(len: number, start: number | undefined, stop: number | undefined, step: number, op: string): [number, number] {
  for (const v of [start, stop]) {
    if (v !== undefined && !Number.isSafeInteger(v)) throw new ArgumentError(`slice bound ${v} is not an integer (or beyond 2^53)`, op);
  }
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  let a: number;
  let b: number;
  if (step > 0) {
    a = start === undefined ? 0 : clamp(start < 0 ? start + len : start, 0, len);
    b = stop === undefined ? len : clamp(stop < 0 ? stop + len : stop, 0, len);
    return [a, Math.max(0, Math.ceil((b - a) / step))];
  }
  a = start === undefined ? len - 1 : clamp(start < 0 ? start + len : start, -1, len - 1);
  b = stop === undefined ? -1 : clamp(stop < 0 ? stop + len : stop, -1, len - 1);
  const count = Math.max(0, Math.ceil((a - b) / -step));
  return [count === 0 ? 0 : a, count];
}

/** Pads each dim with `before[d]` and `after[d]` copies of `value`. */
export function pad(x: Var, before: readonly number[], after: readonly number[], value = 0): Var {
  const op = 'pad';
  expectVar(x, op);
  if (before.length !== x.ndim || after.length !== x.ndim) {
    throw new ShapeError(`needs ${x.ndim} before/after amounts for ${formatShape(x.shape)}, got ${before.length}/${after.length}`, op);
  }
  for (const p of [...before, ...after]) {
    if (!Number.isSafeInteger(p) || p < 0) throw new ArgumentError(`padding ${p} must be a non-negative integer (slice to crop)`, op);
  }
  if ([...before, ...after].every((p) => p === 0)) return x;
  const shape = x.shape.map((d, k) => d + before[k] + after[k]);
  checkShape(shape, op);
  return Var.fromNode({ op, before: [...before], after: [...after], value, inputs: [x] }, shape, x.dtype);
}
