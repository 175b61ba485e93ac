// Inverting a scatter: reindexReduce(x, add, shape, idx) with affine index expressions whose
// every output dim is "output = one input axis (coefficient ±1) + other axes + constant" can be
// computed in gather form, out[j] = Σ over the other axes of x[solved axes],
// which runs as an ordinary reduction (tiled, vectorised, parallel over the output) instead of
// read-modify-write scatters. Convolution input gradients (stride 1) and pooling gradients with
// stride ≥ kernel take this path.
import { ibin, ic, icmp, iv, simplifyIndex, type IndexCond, type IndexExpr, type Range } from '@metaop/core';
import { strideOf } from './passes/linear.js';

export interface Inversion {
  /** For each input axis: the output dim it is solved from, or -1 for a free (summed) axis. */
  readonly solvedFrom: readonly number[];
  /** Free input axes, in order: the reduction loops. */
  readonly free: readonly number[];
  /**
   * Input coordinates as expressions over the new iteration space: output dims are axes
   * 0..outRank-1, free input axes follow in `free` order.
   */
  readonly coords: readonly IndexExpr[];
  /**
   * Conditions over the same space that an output cell must meet to receive anything: an output
   * dim whose index is a constant c is written only where its coordinate is c.
   */
  readonly constraints: readonly IndexCond[];
}

/** Affine coefficients of e over `rank` axes plus the constant, or undefined if not affine. */
function affine(e: IndexExpr, rank: number): { coeff: number[]; c: number } | undefined {
  const coeff: number[] = [];
  for (let a = 0; a < rank; a++) {
    const s = strideOf(e, a);
    if (s === undefined) return undefined;
    coeff.push(s);
  }
  const zero = simplifyIndex(e, Array.from({ length: rank }, (): Range => [0, 0]));
  if (zero.kind !== 'const') return undefined;
  // Verify: the rebuilt affine form equals e everywhere (strides alone miss products of axes).
  let rebuilt: IndexExpr = ic(zero.value);
  coeff.forEach((k, a) => {
    if (k !== 0) rebuilt = ibin('+', rebuilt, ibin('*', iv(a), ic(k)));
  });
  const diff = simplifyIndex(ibin('-', e, rebuilt));
  if (diff.kind !== 'const' || diff.value !== 0) return undefined;
  return { coeff, c: zero.value };
}

/**
 * The gather form of a reindexReduce with input shape `inShape`, output shape `outShape` and
 * index expressions `indexes` (over input axes), or undefined when it does not apply or would do
 * much more work than the scatter.
 */
export function invertScatter(indexes: readonly IndexExpr[], inShape: readonly number[], outShape: readonly number[]): Inversion | undefined {
  const rank = inShape.length;
  const forms = indexes.map((e) => affine(e, rank));
  if (forms.some((f) => f === undefined)) return undefined;
  const solvedFrom = new Array<number>(rank).fill(-1);
  const uses = new Array<number>(rank).fill(0);
  const constraints: IndexCond[] = [];
  forms.forEach((f) => f?.coeff.forEach((k, a) => k !== 0 && uses[a]++));
  for (let d = 0; d < indexes.length; d++) {
    const f = forms[d] as { coeff: number[]; c: number };
    // Solve for the axis with coefficient ±1 that appears in this dim only, the longest one.
    let pick = -1;
    for (let a = 0; a < rank; a++) {
      if (Math.abs(f.coeff[a]) !== 1 || uses[a] !== 1 || solvedFrom[a] >= 0) continue;
      if (pick < 0 || inShape[a] > inShape[pick]) pick = a;
    }
    if (pick < 0) {
      // An output dim that no input axis moves (constant) needs no axis, only the constraint
      // that the cell sits at that constant; anything else fails.
      if (f.coeff.some((k) => k !== 0)) return undefined;
      constraints.push(icmp('==', iv(d), ic(f.c)));
      continue;
    }
    solvedFrom[pick] = d;
  }
  const free = solvedFrom.map((d, a) => (d < 0 ? a : -1)).filter((a) => a >= 0);
  const outNumel = outShape.reduce((p, n) => p * n, 1);
  const freeNumel = free.reduce((p, a) => p * inShape[a], 1);
  const inNumel = inShape.reduce((p, n) => p * n, 1);
  if (outNumel * freeNumel > 2 * inNumel + 1024) return undefined;
  // i_s = (j_d - c - Σ_{k≠s} coeff_k i_k) / coeff_s with coeff_s = ±1.
  const freeAxis = new Map(free.map((a, k) => [a, outShape.length + k]));
  const coords: IndexExpr[] = [];
  for (let a = 0; a < rank; a++) {
    const fa = freeAxis.get(a);
    if (fa !== undefined) {
      coords.push(iv(fa));
      continue;
    }
    const d = solvedFrom[a];
    const f = forms[d] as { coeff: number[]; c: number };
    let rest: IndexExpr = ic(f.c);
    f.coeff.forEach((k, b) => {
      if (b !== a && k !== 0) rest = ibin('+', rest, ibin('*', iv(freeAxis.get(b) as number), ic(k)));
    });
    const e = ibin('-', iv(d), rest);
    coords.push(f.coeff[a] === 1 ? e : ibin('-', ic(0), e));
  }
  return { solvedFrom, free, coords, constraints };
}
