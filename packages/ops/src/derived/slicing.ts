// Slicing and assembling: at() with Python-style specs, narrow, pad modes, concat, stack, split,
// chunk, flip and repeat, all as reindex-class meta-ops.
import {
  ArgumentError,
  expectVar,
  formatShape,
  iadd,
  ibin,
  ic,
  iv,
  normalizeDim,
  promoteTypes,
  ShapeError,
  type IndexExpr,
  type Var,
} from '@metaop/core';
import { binary, cast } from '../meta/elementwise.js';
import { pad as padMeta, reindex, reshape, slice } from '../meta/reindex.js';
import { unsqueeze } from './shape.js';

/** One dim of an at() spec: an index (drops the dim), a "start:stop:step" string, or null (all). */
export type SliceSpec = number | string | null | { start?: number; stop?: number; step?: number };

function parseSliceString(spec: string): { start?: number; stop?: number; step?: number } | number {
  const m = /^\s*(-?\d+)?\s*(?::\s*(-?\d+)?\s*(?::\s*(-?\d+)?\s*)?)?$/.exec(spec);
  if (!m || spec.trim() === '') {
    throw new ArgumentError(`bad slice ${JSON.stringify(spec)}; use "start:stop:step" with integers, e.g. "1:", ":-1", "::2"`, 'at');
  }
  if (!spec.includes(':')) return Number(m[1]);
  const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  return { start: num(m[1]), stop: num(m[2]), step: num(m[3]) };
}

/**
 * Python-style indexing: x.at(0, '1:3', null, '::-1') is x[0, 1:3, :, ::-1]. Missing trailing
 * specs keep their dims.
 */
export function at(x: Var, ...specs: SliceSpec[]): Var {
  expectVar(x, 'at');
  if (specs.length > x.ndim) throw new ShapeError(`${specs.length} indices for a Var of shape ${formatShape(x.shape)}`, 'at');
  const starts: (number | undefined)[] = [];
  const stops: (number | undefined)[] = [];
  const steps: (number | undefined)[] = [];
  const drop: number[] = [];
  specs.forEach((raw, d) => {
    const spec = typeof raw === 'string' ? parseSliceString(raw) : raw;
    if (spec === null) {
      starts.push(undefined);
      stops.push(undefined);
      steps.push(undefined);
    } else if (typeof spec === 'number') {
      if (!Number.isInteger(spec) || spec < -x.shape[d] || spec >= x.shape[d]) {
        throw new ShapeError(`index ${spec} is out of range for dim ${d} of size ${x.shape[d]}`, 'at');
      }
      const i = spec < 0 ? spec + x.shape[d] : spec;
      starts.push(i);
      stops.push(i + 1);
      steps.push(1);
      drop.push(d);
    } else {
      starts.push(spec.start);
      stops.push(spec.stop);
      steps.push(spec.step);
    }
  });
  const y = slice(x, starts, stops, steps);
  return drop.length === 0 ? y : reshape(y, y.shape.filter((_, i) => !drop.includes(i)));
}

/** length elements of dim starting at start. */
export function narrow(x: Var, dim: number, start: number, length: number): Var {
  expectVar(x, 'narrow');
  const d = normalizeDim(dim, x.shape, 'narrow');
  const s = start < 0 ? start + x.shape[d] : start;
  if (s < 0 || length < 0 || s + length > x.shape[d]) {
    throw new ShapeError(`narrow(${dim}, ${start}, ${length}) is outside dim ${d} of size ${x.shape[d]}`, 'narrow');
  }
  const starts = x.shape.map((_, i) => (i === d ? s : 0));
  const stops = x.shape.map((n, i) => (i === d ? s + length : n));
  return slice(x, starts, stops);
}

export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

/**
 * torch.nn.functional.pad: `padding` lists (before, after) pairs starting from the last dim.
 * Negative amounts crop. Modes other than constant read mirrored, edge or wrapped elements.
 */
export function pad(x: Var, padding: readonly number[], mode: PadMode = 'constant', value = 0): Var {
  expectVar(x, 'pad');
  if (padding.length % 2 !== 0 || padding.length / 2 > x.ndim) {
    throw new ShapeError(`padding [${padding.join(', ')}] needs (before, after) pairs for at most ${x.ndim} dims`, 'pad');
  }
  const before = x.shape.map(() => 0);
  const after = x.shape.map(() => 0);
  for (let k = 0; k < padding.length / 2; k++) {
    before[x.ndim - 1 - k] = padding[2 * k];
    after[x.ndim - 1 - k] = padding[2 * k + 1];
  }
  // Crop first where amounts are negative.
  const cropped = slice(
    x,
    before.map((b) => (b < 0 ? -b : 0)),
    after.map((a, d) => (a < 0 ? x.shape[d] + a : x.shape[d])),
  );
  x.shape.forEach((len, d) => {
    if (len + Math.min(before[d], 0) + Math.min(after[d], 0) < 0) {
      throw new ShapeError(`negative padding ${before[d]}/${after[d]} crops more than dim ${d} of size ${len}`, 'pad');
    }
  });
  const pb = before.map((b) => Math.max(0, b));
  const pa = after.map((a) => Math.max(0, a));
  if (mode === 'constant') return padMeta(cropped, pb, pa, value);
  const shape = cropped.shape.map((d, i) => d + pb[i] + pa[i]);
  const indexes: IndexExpr[] = cropped.shape.map((len, d) => {
    const j = ibin('-', iv(d), ic(pb[d]));
    if (pb[d] === 0 && pa[d] === 0) return iv(d);
    if (mode === 'replicate') {
      if (len === 0) throw new ShapeError(`replicate padding needs a non-empty dim ${d}, got size 0`, 'pad');
      return ibin('min', ibin('max', j, ic(0)), ic(len - 1));
    }
    if (mode === 'circular') {
      if (pb[d] > len || pa[d] > len) throw new ShapeError(`circular padding ${pb[d]}/${pa[d]} exceeds dim ${d} of size ${len}`, 'pad');
      return ibin('%', j, ic(len));
    }
    if (pb[d] >= len || pa[d] >= len) {
      throw new ShapeError(`reflect padding ${pb[d]}/${pa[d]} must be smaller than dim ${d} of size ${len}`, 'pad');
    }
    // reflect(j) = (L-1) - |(L-1) - |j||, with |a| = max(a, -a)
    const absJ = ibin('max', j, ibin('-', ic(0), j));
    const inner = ibin('-', ic(len - 1), absJ);
    return ibin('-', ic(len - 1), ibin('max', inner, ibin('-', ic(0), inner)));
  });
  if (mode !== 'reflect' && mode !== 'replicate' && mode !== 'circular') throw new ArgumentError(`unknown pad mode '${String(mode)}'`, 'pad');
  return reindex(cropped, shape, indexes);
}

/** Joins Vars along an existing dim; the others must match. */
export function concat(xs: readonly Var[], dim = 0): Var {
  if (xs.length === 0) throw new ArgumentError('needs at least one Var', 'concat');
  xs.forEach((x) => expectVar(x, 'concat'));
  const first = xs[0];
  if (first.ndim === 0) throw new ShapeError('0-d Vars cannot be concatenated; use stack, or unsqueeze them first', 'concat');
  const d = normalizeDim(dim, first.shape, 'concat');
  for (const x of xs) {
    if (x.ndim !== first.ndim || x.shape.some((s, i) => i !== d && s !== first.shape[i])) {
      throw new ShapeError(
        `shapes ${xs.map((v) => formatShape(v.shape)).join(', ')} differ outside dim ${d}; only the concat dim may differ`,
        'concat',
      );
    }
  }
  if (xs.length === 1) return xs[0];
  const dtype = xs.map((x) => x.dtype).reduce(promoteTypes);
  const total = xs.reduce((n, x) => n + x.shape[d], 0);
  // Each part padded to the full extent with zeros, then added: one fused kernel.
  let offset = 0;
  let out: Var | undefined;
  for (const x of xs) {
    const before = x.shape.map((_, i) => (i === d ? offset : 0));
    const after = x.shape.map((_, i) => (i === d ? total - offset - x.shape[d] : 0));
    offset += x.shape[d];
    const part = padMeta(cast(x, dtype), before, after, 0);
    out = out === undefined ? part : binary(out, part, dtype === 'bool' ? 'or' : 'add');
  }
  return out as Var;
}

/** Joins Vars along a new dim. */
export function stack(xs: readonly Var[], dim = 0): Var {
  if (xs.length === 0) throw new ArgumentError('needs at least one Var', 'stack');
  const d = normalizeDim(dim, xs[0].ndim + 1, 'stack');
  return concat(xs.map((x) => unsqueeze(x, d)), d);
}

/** Splits along dim into pieces of `sizes` (a list), or of `sizes` elements each (the last may be smaller). */
export function split(x: Var, sizes: number | readonly number[], dim = 0): Var[] {
  expectVar(x, 'split');
  const d = normalizeDim(dim, x.shape, 'split');
  const len = x.shape[d];
  let list: number[];
  if (typeof sizes === 'number') {
    if (!Number.isInteger(sizes) || sizes <= 0) throw new ArgumentError(`split size ${sizes} must be a positive integer`, 'split');
    // An empty dim splits into one empty piece, as in PyTorch.
    list = len === 0 ? [0] : [];
    for (let s = 0; s < len; s += sizes) list.push(Math.min(sizes, len - s));
  } else {
    list = [...sizes];
    if (list.reduce((a, b) => a + b, 0) !== len) {
      throw new ShapeError(`sizes [${list.join(', ')}] do not add up to dim ${d} of size ${len}`, 'split');
    }
  }
  let offset = 0;
  return list.map((n) => {
    const part = narrow(x, d, offset, n);
    offset += n;
    return part;
  });
}

/** Splits into `chunks` nearly equal pieces along dim. */
export function chunk(x: Var, chunks: number, dim = 0): Var[] {
  expectVar(x, 'chunk');
  const d = normalizeDim(dim, x.shape, 'chunk');
  if (!Number.isSafeInteger(chunks) || chunks <= 0) throw new ArgumentError(`chunks ${chunks} must be a positive integer`, 'chunk');
  // PyTorch gives `chunks` empty pieces of an empty dim.
  if (x.shape[d] === 0) return Array.from({ length: chunks }, () => narrow(x, d, 0, 0));
  return split(x, Math.max(1, Math.ceil(x.shape[d] / chunks)), d);
}

/** Reverses the order of elements along dims. */
export function flip(x: Var, dims: number | readonly number[]): Var {
  expectVar(x, 'flip');
  const list = (typeof dims === 'number' ? [dims] : dims).map((d) => normalizeDim(d, x.shape, 'flip'));
  return slice(
    x,
    x.shape.map(() => undefined),
    x.shape.map(() => undefined),
    x.shape.map((_, i) => (list.includes(i) ? -1 : 1)),
  );
}

/** Tiles x: repeats[k] copies along dim k (torch.Tensor.repeat); extra leading repeats add dims. */
export function repeat(x: Var, repeats: readonly number[]): Var {
  expectVar(x, 'repeat');
  if (repeats.length < x.ndim) {
    throw new ShapeError(`needs at least ${x.ndim} repeat counts for ${formatShape(x.shape)}, got ${repeats.length}`, 'repeat');
  }
  for (const r of repeats) {
    if (!Number.isSafeInteger(r) || r < 0) throw new ShapeError(`repeat counts [${repeats.join(', ')}] must be non-negative integers`, 'repeat');
  }
  const lead = repeats.length - x.ndim;
  const src = reshape(x, [...repeats.slice(0, lead).map(() => 1), ...x.shape]);
  const shape = src.shape.map((s, i) => s * repeats[i]);
  return reindex(
    src,
    shape,
    src.shape.map((s, i) => (s === 1 ? ic(0) : repeats[i] === 1 ? iv(i) : ibin('%', iv(i), ic(s)))),
  );
}

/** Shifts elements along dim by `shift`, wrapping around (torch.roll). */
export function roll(x: Var, shift: number, dim: number): Var {
  expectVar(x, 'roll');
  const d = normalizeDim(dim, x.shape, 'roll');
  if (!Number.isSafeInteger(shift)) throw new ArgumentError(`shift ${shift} must be an integer`, 'roll');
  const len = x.shape[d];
  if (len === 0) return x;
  const s = ((shift % len) + len) % len;
  return reindex(
    x,
    x.shape,
    x.shape.map((_, i) => (i === d ? ibin('%', iadd(iv(i), ic(len - s)), ic(len)) : iv(i))),
  );
}
