// sort, argsort and topk as a bitonic sorting network over meta-ops: each compare-exchange stage
// is one reindex (the partner position) and a ternary choosing between the pair, on int32 positions;
// the values are gathered at the positions, so gradients flow to the selected elements only.
// Ties are broken by the original position, which makes every sort stable.
import { checkOptions, type OptionKeys, ArgumentError, expectVar, formatShape, noGrad, normalizeDim, ShapeError, type Var } from '@metaop/core';
import { cast, index } from '../meta/elementwise.js';
import { gather, reindex, reshape } from '../meta/reindex.js';
import { eq, floorDiv, ge, gt, logicalAnd, logicalOr, logicalXor, lt, ne, remainder, where } from './arithmetic.js';
import { transpose } from './shape.js';

export interface SortOptions {
  /** Largest first (NaN first), else smallest first (NaN last), as torch.sort. */
  descending?: boolean;
  /** Equal values keep their original order. Always true here: the network breaks ties by position. */
  stable?: boolean;
}
const sortKeys: OptionKeys<SortOptions> = { descending: true, stable: true };

/**
 * Whether (value a at position ia) goes before (b at ib) in the sorted order. Positions >= n are
 * padding (after everything); NaN counts as larger than every number; ties go by position.
 */
function before(a: Var, ia: Var, b: Var, ib: Var, n: number, descending: boolean): Var {
  const padA = ge(ia, n);
  const padB = ge(ib, n);
  const nanA = ne(a, a);
  const nanB = ne(b, b);
  const byIndex = lt(ia, ib);
  const byValue = where(eq(a, b), byIndex, descending ? gt(a, b) : lt(a, b));
  const byNan = where(logicalAnd(nanA, nanB), byIndex, descending ? nanA : nanB);
  const numbers = where(logicalOr(nanA, nanB), byNan, byValue);
  return where(logicalOr(padA, padB), where(logicalAnd(padA, padB), byIndex, padB), numbers);
}

/** The int32 positions that sort the last dim of x (a float/int Var; bools are cast first). */
function sortPositions(x: Var, descending: boolean): Var {
  const r = x.ndim - 1;
  const n = x.shape[r];
  let p = 1;
  while (p < n) p *= 2;
  const lead = x.shape.slice(0, -1);
  const leadIdx = lead.map((_, k) => `i${k}`);
  const shape = [...lead, p];
  // Padded to a power of two: positions past n read 0 and sort last by the pad rule.
  const xp = p === n ? x : reindex(x, shape, [...leadIdx, `i${r}`]);
  const pos = index(shape, r);
  let idx = pos;
  for (let k = 2; k <= p; k *= 2) {
    for (let j = k / 2; j >= 1; j /= 2) {
      const partner = reindex(idx, shape, [...leadIdx, `i${r}+${j}-${2 * j}*((i${r}/${j})%2)`]);
      const lower = eq(remainder(floorDiv(pos, j), 2), 0);
      const ascendingBlock = eq(remainder(floorDiv(pos, k), 2), 0);
      // The lower position of an ascending block (or the upper of a descending one) takes the earlier element.
      const takesFirst = eq(lower, ascendingBlock);
      const selfFirst = before(gather(xp, r, idx), idx, gather(xp, r, partner), partner, n, descending);
      idx = where(logicalXor(takesFirst, selfFirst), partner, idx);
    }
  }
  return p === n ? idx : reindex(idx, [...lead, n], [...leadIdx, `i${r}`]);
}

/** Applies `fn` to x with `dim` moved last, and moves the results' last dim back. */
function alongLast<T extends Var[]>(x: Var, d: number, fn: (v: Var) => T): T {
  const last = x.ndim - 1;
  if (d === last) return fn(x);
  return fn(transpose(x, d, last)).map((v) => transpose(v, d, last)) as T;
}

function sorted(x: Var, dim: number, descending: boolean, op: string): [Var, Var] {
  const d = normalizeDim(dim, x.shape, op);
  if (x.ndim === 0) return [x, reshape(index([1], 0), [])];
  return alongLast(x, d, (v) => {
    if (v.shape[v.ndim - 1] <= 1) return [v, index(v.shape, v.ndim - 1)];
    const positions = noGrad(() => sortPositions(v.dtype === 'bool' ? cast(v, 'int32') : v, descending));
    return [gather(v, v.ndim - 1, positions), positions];
  });
}

function checkDescending(d: unknown, op: string): boolean {
  if (d !== undefined && typeof d !== 'boolean') throw new ArgumentError(`descending must be a boolean, got ${String(d)}`, op);
  return d === true;
}

/** torch.sort: [values, int32 indices] along dim (stable: equal values keep their order). */
export function sort(x: Var, dim = -1, options: SortOptions = {}): [Var, Var] {
  checkOptions(options, sortKeys, 'sort');
  expectVar(x, 'sort');
  return sorted(x, dim, checkDescending(options.descending, 'sort'), 'sort');
}

/** torch.argsort: the int32 indices that sort x along dim. */
export function argsort(x: Var, dim = -1, options: SortOptions = {}): Var {
  checkOptions(options, sortKeys, 'argsort');
  expectVar(x, 'argsort');
  return sorted(x, dim, checkDescending(options.descending, 'argsort'), 'argsort')[1];
}

export interface TopkOptions {
  /** The k largest (default), else the k smallest. */
  largest?: boolean;
  /** Results in sorted order; always true here (torch allows any order when false). */
  sorted?: boolean;
}
const topkKeys: OptionKeys<TopkOptions> = { largest: true, sorted: true };

/** torch.topk: [values, int32 indices] of the k largest (or smallest) along dim, in sorted order. */
export function topk(x: Var, k: number, dim = -1, options: TopkOptions = {}): [Var, Var] {
  const op = 'topk';
  checkOptions(options, topkKeys, op);
  expectVar(x, op);
  const d = normalizeDim(dim, x.shape, op);
  const size = x.ndim === 0 ? 1 : x.shape[d];
  if (!Number.isInteger(k) || k < 0 || k > size) {
    throw new ShapeError(`k ${k} must be an integer in [0, ${size}] (the size of dim ${dim} of ${formatShape(x.shape)})`, op);
  }
  const [values, indices] = sorted(x, d, options.largest !== false, op);
  if (x.ndim === 0) return [values, indices];
  const take = (v: Var) => reindex(v, v.shape.map((s, i) => (i === d ? k : s)), v.shape.map((_, i) => `i${i}`));
  return [take(values), take(indices)];
}

