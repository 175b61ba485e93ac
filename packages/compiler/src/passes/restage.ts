// Restage: a heavy reduction first copies some inputs into scratch buffers laid out for its hot
// loop, which then reads the copies with no tests and with unit stride:
// - padding: an input read through bounds tests (a convolution's borders) gets a zero-bordered
//   copy, so the tests disappear;
// - packing: an input read with a large stride along the output's contiguous axis (the weight of
//   x @ W^T) gets a copy with that dimension innermost, so it can be vectorised.
// Each copy costs one pass over the input; the multiply-adds reuse every element many times.
import { formatCond, iadd, ic, indexBounds, iv, numberKey, simplifyCond, simplifyIndex, type IndexCond, type IndexExpr, type Range } from '@metaop/core';
import type { Expr, Kernel, KernelBuffer, Stmt } from '../ir/loop-ir.js';
import { strideOf } from './linear.js';
import { kernelRanges } from './ranges.js';
import { loadsIn } from '../ir/transform.js';
import { pickVectorAxis, pickVectorWidth, type Axis, type VectorWidths } from './vector-axis.js';

export interface RestageOptions {
  /** Minimum multiply-adds per element of the input before a padded copy pays off. */
  readonly minReuse: number;
  /** Minimum kernel work. */
  readonly minWork: number;
}

type Load = Extract<Expr, { op: 'load' }>;

/** True when `e` is 0 whenever `load` reads 0 (for finite values of everything else). */
function zeroWhen(e: Expr, load: Expr): boolean {
  if (e === load) return true;
  switch (e.op) {
    case 'binary':
      if (e.fn === 'mul') return zeroWhen(e.a, load) || zeroWhen(e.b, load);
      if (e.fn === 'add' || e.fn === 'sub') return zeroWhen(e.a, load) && zeroWhen(e.b, load);
      return false;
    case 'unary':
      return e.fn === 'neg' && zeroWhen(e.a, load);
    case 'cast':
      return zeroWhen(e.a, load);
    default:
      return false;
  }
}

function ownBounds(src: { coords: readonly IndexExpr[]; shape: readonly number[] }, ranges: readonly Range[]): IndexCond {
  let c: IndexCond = { kind: 'bool', value: true };
  src.coords.forEach((x, d) => {
    const inside: IndexCond = { kind: 'and', a: { kind: 'cmp', op: '>=', a: x, b: ic(0) }, b: { kind: 'cmp', op: '<', a: x, b: ic(src.shape[d]) } };
    c = c.kind === 'bool' ? inside : { kind: 'and', a: c, b: inside };
  });
  return simplifyCond(c, ranges);
}

function work(stmts: readonly Stmt[]): number {
  return stmts.reduce((n, s) => n + (s.s === 'loop' ? s.extent * Math.max(1, work(s.body)) : 0), 0);
}

function strides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    out[d] = s;
    s *= shape[d];
  }
  return out;
}

function flatten(coords: readonly IndexExpr[], shape: readonly number[], st: readonly number[] = strides(shape)): IndexExpr {
  return coords.reduce<IndexExpr>((acc, c, d) => (shape[d] === 1 ? acc : iadd(acc, { kind: 'bin', op: '*', a: c, b: ic(st[d]) })), ic(0));
}

interface Plan {
  readonly before: number[];
  /** Scratch dims in source-dim order after padding (before permutation). */
  readonly shape: number[];
  /** Scratch layout: scratch dim k holds source dim perm[k]. */
  readonly perm: number[];
  readonly scratch: number;
  readonly fill: number;
}

/** Loads in the values that accumulators take. */
function updateLoads(stmts: readonly Stmt[], out: Load[] = []): Load[] {
  for (const s of stmts) {
    if (s.s === 'loop') updateLoads(s.body, out);
    else if (s.s === 'accUpdate') loadsIn(s.value, {}, out);
  }
  return out;
}

/** How a load reads along loop v: contiguously or not at all (ok), or through one source dim a copy can make innermost (pack). */
function along(e: Load, v: number): 'ok' | 'pack' | 'bad' {
  const s = strideOf(e.index, v);
  if (s === 0 || s === 1) return 'ok';
  const src = e.source;
  if (s === undefined || !src || e.dynamic.length > 0) return 'bad';
  const moving = src.coords.map((c, d) => (strideOf(c, v) === 0 ? -1 : d)).filter((d) => d >= 0);
  return moving.length === 1 && strideOf(src.coords[moving[0]], v) === 1 ? 'pack' : 'bad';
}

/**
 * The axis the tile pass will vectorise, by its rule (vector-axis.ts) but counting reads a copy can
 * make contiguous: output channels of strided or 7x7 convolutions get their weights packed.
 */
function vectorAxis(kernel: Kernel, widths: VectorWidths): number | undefined {
  const main = kernel.body[kernel.body.length - 1];
  const spatial: Axis[] = [];
  let store: Extract<Stmt, { s: 'store' }> | undefined;
  const visit = (stmts: readonly Stmt[]) => {
    for (const s of stmts) {
      if (s.s === 'loop') {
        if (s.role === 'spatial') spatial.push({ v: s.v, extent: s.extent });
        visit(s.body);
      } else if (s.s === 'store') store = s;
    }
  };
  if (!main) return undefined;
  visit([main]);
  const loads = updateLoads([main]);
  if (!store || loads.length === 0) return undefined;
  const storeIndex = store.index;
  const packs = (a: Axis) => loads.filter((e) => along(e, a.v) === 'pack').length;
  const axisFor = (lanes: number) =>
    pickVectorAxis(
      spatial,
      storeIndex,
      lanes,
      (a) => loads.every((e) => along(e, a.v) !== 'bad'),
      (a, b) => packs(a) - packs(b) || b.extent - a.extent,
    );
  return axisFor(pickVectorWidth(widths, axisFor))?.v;
}

export function restagePaddedInputs(kernel: Kernel, options: RestageOptions, widths: VectorWidths = { lanes: 8 }): Kernel {
  const total = work(kernel.body);
  if (total < options.minWork) return kernel;
  const ranges = kernelRanges(kernel);
  const buffers: KernelBuffer[] = [...kernel.buffers];
  const plans = new Map<string, Plan>();
  const extents = [...kernel.loopExtents];
  const copies: Stmt[] = [];

  const lane = vectorAxis(kernel, widths);
  const planFor = (e: Load): Plan | undefined => {
    const src = e.source;
    if (!src || e.dynamic.length > 0) return undefined;
    const numel = src.shape.reduce((a, b) => a * b, 1);
    if (total / numel < options.minReuse) return undefined;
    // A padding read: its validity is exactly "my coordinates are inside my buffer".
    const padding = e.valid.kind !== 'bool' && (src.boundsOnly || formatCond(simplifyCond(e.valid, ranges)) === formatCond(ownBounds(src, ranges)));
    // Packing: one source dim moves with the vector axis at unit rate while the flat access does not.
    let perm = src.shape.map((_, d) => d);
    if (lane !== undefined && e.valid.kind === 'bool' && e.valid.value && along(e, lane) === 'pack') {
      const moving = src.coords.findIndex((c) => strideOf(c, lane) !== 0);
      perm = [...perm.filter((d) => d !== moving), moving];
    }
    const packing = perm.some((d, k) => d !== k);
    if (!padding && !packing) return undefined;
    if (!padding && !(e.valid.kind === 'bool' && e.valid.value)) return undefined;
    const before: number[] = [];
    const shape: number[] = [];
    for (let d = 0; d < src.shape.length; d++) {
      const [lo, hi] = indexBounds(src.coords[d], ranges);
      if (!Number.isFinite(lo) || !Number.isFinite(hi)) return undefined;
      const b = Math.max(0, -lo);
      before.push(b);
      shape.push(src.shape[d] + b + Math.max(0, hi - (src.shape[d] - 1)));
    }
    const padded = shape.reduce((a, b) => a * b, 1);
    if (padded > 4 * numel + 4096) return undefined;
    const key = `${e.buf}|${before.join(',')}|${shape.join(',')}|${perm.join(',')}|${numberKey(e.fill)}`;
    const existing = plans.get(key);
    if (existing) return existing;
    const scratch = buffers.length;
    buffers.push({ dtype: e.dtype, numel: padded, role: 'scratch' });
    // The copy: scratch[perm(c)] = src[c - before] inside the source, the fill outside; the loops
    // run over the scratch layout so its writes are contiguous.
    const scratchShape = perm.map((d) => shape[d]);
    const loopVars = scratchShape.map((n) => {
      extents.push(n);
      return extents.length - 1;
    });
    const vars = new Array<number>(shape.length);
    perm.forEach((d, k) => (vars[d] = loopVars[k]));
    const inner = vars.map((v, d) => iadd(iv(v), ic(-before[d])));
    let valid: IndexCond = { kind: 'bool', value: true };
    inner.forEach((c, d) => {
      if (before[d] === 0 && shape[d] === src.shape[d]) return;
      const inside: IndexCond = {
        kind: 'and',
        a: { kind: 'cmp', op: '>=', a: c, b: ic(0) },
        b: { kind: 'cmp', op: '<', a: c, b: ic(src.shape[d]) },
      };
      valid = valid.kind === 'bool' ? inside : { kind: 'and', a: valid, b: inside };
    });
    const copyRanges = extents.map((n) => [0, Math.max(0, n - 1)] as const);
    const read: Load = {
      op: 'load',
      buf: e.buf,
      index: simplifyIndex(flatten(inner, src.shape, src.strides), copyRanges),
      dynamic: [],
      valid,
      fill: e.fill,
      dtype: e.dtype,
    };
    let body: Stmt[] = [{ s: 'store', buf: scratch, index: simplifyIndex(flatten(loopVars.map(iv), scratchShape), copyRanges), value: read }];
    for (let k = loopVars.length - 1; k >= 0; k--) body = [{ s: 'loop', v: loopVars[k], extent: scratchShape[k], role: 'spatial', schedule: {}, body }];
    copies.push(...body);
    const plan = { before, shape, perm, scratch, fill: e.fill };
    plans.set(key, plan);
    return plan;
  };

  const memo = new Map<Expr, Expr>();
  const restaged = new Set<Expr>();
  const rewrite = (e: Expr): Expr => {
    const hit = memo.get(e);
    if (hit) return hit;
    let out: Expr = e;
    switch (e.op) {
      case 'load': {
        const plan = planFor(e);
        if (plan && e.source) {
          const shifted = e.source.coords.map((c, d) => iadd(c, ic(plan.before[d])));
          const coords = plan.perm.map((d) => shifted[d]);
          const shape = plan.perm.map((d) => plan.shape[d]);
          out = {
            op: 'load',
            buf: plan.scratch,
            index: simplifyIndex(flatten(coords, shape), ranges),
            dynamic: [],
            valid: { kind: 'bool', value: true },
            fill: 0,
            dtype: e.dtype,
            source: { coords, shape, boundsOnly: false },
          };
          restaged.add(e);
        }
        break;
      }
      case 'cast':
      case 'unary':
        out = { ...e, a: rewrite(e.a) };
        break;
      case 'binary':
        out = { ...e, a: rewrite(e.a), b: rewrite(e.b) };
        break;
      case 'select': {
        const a = rewrite(e.a);
        // select(inside(L), E, 0) where E is 0 whenever L is: the zero border of L's padded copy
        // already gives 0 there, so the test goes (gather-form convolution gradients).
        const zero = e.b.op === 'const' && e.b.value === 0;
        const cond = e.cond.op === 'test' ? formatCond(simplifyCond(e.cond.cond, ranges)) : undefined;
        const padded = [...restaged].find((l) => l.op === 'load' && formatCond(simplifyCond(l.valid, ranges)) === cond && l.fill === 0);
        if (zero && padded && zeroWhen(e.a, padded)) out = a;
        else out = { ...e, cond: rewrite(e.cond), a, b: rewrite(e.b) };
        break;
      }
      default:
        break;
    }
    memo.set(e, out);
    return out;
  };
  const visit = (stmts: readonly Stmt[]): Stmt[] =>
    stmts.map((s): Stmt => {
      switch (s.s) {
        case 'loop':
          return { ...s, body: visit(s.body) };
        case 'accUpdate':
          return s.tile.length === 0 ? { ...s, value: rewrite(s.value) } : s;
        default:
          return s;
      }
    });
  const body = visit(kernel.body);
  if (plans.size === 0) return kernel;
  return {
    ...kernel,
    buffers,
    loopExtents: extents,
    body: [...copies, ...body],
    notes: [...kernel.notes, `${plans.size} input${plans.size === 1 ? '' : 's'} restaged (padded or packed) in scratch buffers`],
  };
}
