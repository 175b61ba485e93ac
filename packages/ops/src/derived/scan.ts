// Inclusive scans (torch.cumsum, torch.cumprod) as blocked triangular reductions: each block of
// BLOCK elements is one reindex (element j of row i reads x[j] where j <= i, else the identity)
// reduced along j; the block totals are scanned the same way (recursively) and added on. Work is
// n·BLOCK, every partial result a sum of at most BLOCK terms per level (float32 error grows like
// BLOCK·log_BLOCK(n)·eps, not n·eps), and the whole scan is a few fused kernels per level.
import { expectVar, normalizeDim, type Var } from '@metaop/core';
import { binary, cast } from '../meta/elementwise.js';
import { reduce } from '../meta/reduce.js';
import { broadcast, reindex, reshape } from '../meta/reindex.js';
import { transpose } from './shape.js';

const BLOCK = 64;

/** Inclusive scan of the last dim of x with `fn` ('add' or 'mul'). */
function scanLast(x: Var, fn: 'add' | 'mul'): Var {
  const identity = fn === 'add' ? 0 : 1;
  const r = x.ndim - 1;
  const n = x.shape[r];
  const lead = x.shape.slice(0, -1);
  const leadIdx = lead.map((_, k) => `i${k}`);
  if (n <= BLOCK) {
    const tri = reindex(x, [...lead, n, n], [...leadIdx, `i${r + 1}`], identity, [`i${r + 1}>i${r}`]);
    return reduce(tri, fn, [r + 1]);
  }
  const nb = Math.ceil(n / BLOCK);
  // [..., block b, row i, column j] reads x[b·BLOCK + j] for j <= i; past the end reads the identity.
  const tri = reindex(x, [...lead, nb, BLOCK, BLOCK], [...leadIdx, `i${r}*${BLOCK}+i${r + 2}`], identity, [`i${r + 2}>i${r + 1}`]);
  const intra = reduce(tri, fn, [r + 2]);
  const totals = reindex(intra, [...lead, nb], [...leadIdx, `i${r}`, `${BLOCK - 1}`]);
  const before = reindex(scanLast(totals, fn), [...lead, nb], [...leadIdx, `i${r}-1`], identity);
  const combined = binary(intra, broadcast(reshape(before, [...lead, nb, 1]), [...lead, nb, BLOCK]), fn);
  return reindex(reshape(combined, [...lead, nb * BLOCK]), [...lead, n], [...leadIdx, `i${r}`]);
}

function scan(x: Var, dim: number, fn: 'add' | 'mul', op: string): Var {
  expectVar(x, op);
  const d = normalizeDim(dim, x.shape, op);
  // As torch: bool and uint8 accumulate as integers (int32 here, int64 there).
  const v = x.dtype === 'bool' || x.dtype === 'uint8' ? cast(x, 'int32') : x;
  if (v.ndim === 0) return reshape(scanLast(reshape(v, [1]), fn), []);
  if (v.shape[d] === 0) return v;
  const last = v.ndim - 1;
  return d === last ? scanLast(v, fn) : transpose(scanLast(transpose(v, d, last), fn), d, last);
}

/** torch.cumsum: out[..., i, ...] = Σ_{j <= i} x[..., j, ...] along `dim`. */
export function cumsum(x: Var, dim: number): Var {
  return scan(x, dim, 'add', 'cumsum');
}

/** torch.cumprod: running products along `dim` (the gradient is exact with zeros present). */
export function cumprod(x: Var, dim: number): Var {
  return scan(x, dim, 'mul', 'cumprod');
}
