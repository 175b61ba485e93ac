// Accurate float sums. A float32 sum of n terms added one by one into a float32 accumulator loses
// up to n roundings; this pass decides, per add-accumulator, how its sum is kept, as plain loop IR
// the renderers print as they find it (so the choice is part of every kernel key):
// - 'wide': the running sum is float64 (casts in the IR), rounded to float32 once when read;
// - 'compensated': Kahan summation in float32 (Accumulator.compensated), for targets without fast
//   float64;
// - blocks (register tiles): each block of `block` terms is summed in float32 registers from zero,
//   then added into float64 cells, so vector FMAs keep their speed and no float32 chain is long;
// - chunks (full reductions): the reduction is cut into fixed chunks whose float64 partial sums
//   are added in order afterwards. Threads may share the chunks, and the result is the same for any
//   number of threads, because the chunks depend only on the size.
import { ibin, ic, iv, type IndexExpr } from '@metaop/core';
import type { Accumulator, Expr, Kernel, Stmt } from '../ir/loop-ir.js';
import { mapChildren, rewriteStmts, substitution } from '../ir/transform.js';
import { kernelRanges } from './ranges.js';

export interface AccumulateOptions {
  /** Scalar float32 sums: a float64 running sum, or Kahan compensation in float32. */
  readonly scalar: 'wide' | 'compensated';
  /** Register-tile float32 sums: float64 cells, or float32 blocks of at most this many terms added into float64 cells. */
  readonly tile: 'wide' | { readonly block: number };
  /** Full reductions of at least two chunks of this many terms run as chunks (partial sums added in order). */
  readonly chunk?: number;
}

/** Partial sums of a chunked reduction live in one array (a stack array on C): at most this many. */
const MAX_CHUNKS = 4096;

type LoopStmt = Extract<Stmt, { s: 'loop' }>;

export function accumulate(kernel: Kernel, options: AccumulateOptions): Kernel {
  const r = new Accumulation(kernel, options);
  const body = r.list(kernel.body, true);
  return { ...kernel, body, loopExtents: r.extents };
}

/** Sums this pass rewrites: float add-accumulators it has not handled yet. */
function handled(acc: Accumulator): boolean {
  return acc.fn !== 'add' || (acc.dtype !== 'float32' && acc.dtype !== 'float64') || acc.compensated === true;
}

function maxAccId(stmts: readonly Stmt[]): number {
  let m = -1;
  for (const s of stmts) {
    if (s.s === 'accInit') m = Math.max(m, s.acc.id);
    else if (s.s === 'loop') m = Math.max(m, maxAccId(s.body));
  }
  return m;
}

function updates(stmts: readonly Stmt[], id: number): boolean {
  return stmts.some((s) => (s.s === 'accUpdate' && s.acc === id) || (s.s === 'loop' && updates(s.body, id)));
}

/** Rewrites every expression of the statements with f (applied bottom-up, shared nodes once). */
function mapExprs(stmts: readonly Stmt[], f: (e: Expr) => Expr, memo = new Map<Expr, Expr>()): Stmt[] {
  const expr = (e: Expr): Expr => {
    const hit = memo.get(e);
    if (hit) return hit;
    const out = f(mapChildren(e, expr));
    memo.set(e, out);
    return out;
  };
  return stmts.map((s): Stmt => {
    switch (s.s) {
      case 'loop':
        return { ...s, body: mapExprs(s.body, f, memo) };
      case 'def':
      case 'store':
      case 'accUpdate':
        return { ...s, value: expr(s.value) };
      case 'scatter':
        return { ...s, value: expr(s.value), dynamic: s.dynamic.map((d) => ({ ...d, value: expr(d.value) })) };
      case 'accInit':
      case 'barrier':
      case 'blockReduce':
        return s;
    }
  });
}

/** Updates of accumulator `id` cast their value to float64; reads round the float64 sum to float32. */
function widen(stmts: readonly Stmt[], id: number): Stmt[] {
  const read = mapExprs(stmts, (e) => (e.op === 'acc' && e.acc === id && e.dtype === 'float32' ? { op: 'cast', a: { ...e, dtype: 'float64' }, dtype: 'float32' } : e));
  const visit = (list: readonly Stmt[]): Stmt[] =>
    list.map((s) => {
      if (s.s === 'loop') return { ...s, body: visit(s.body) };
      if (s.s === 'accUpdate' && s.acc === id && s.value.dtype !== 'float64') return { ...s, value: { op: 'cast', a: s.value, dtype: 'float64' } };
      return s;
    });
  return visit(read);
}

/** The updates of accumulator `from` go to `to` instead. */
function retarget(stmts: readonly Stmt[], from: number, to: number): Stmt[] {
  return stmts.map((s) => (s.s === 'loop' ? { ...s, body: retarget(s.body, from, to) } : s.s === 'accUpdate' && s.acc === from ? { ...s, acc: to } : s));
}

/** A reduce loop and the reduce loops perfectly nested in it, outermost first. */
function reducePath(loop: LoopStmt): LoopStmt[] {
  const path = [loop];
  for (let l = loop; l.body.length === 1 && l.body[0].s === 'loop' && l.body[0].role === 'reduce'; ) {
    l = l.body[0];
    path.push(l);
  }
  return path;
}

/** Terms each iteration of path[d] adds to one accumulator cell. */
function termsPer(path: readonly LoopStmt[], d: number): number {
  return path.slice(d + 1).reduce((n, l) => n * l.extent, 1);
}

/** path with path[d] replaced by `stmts`. */
function rebuild(path: readonly LoopStmt[], d: number, stmts: Stmt[]): Stmt[] {
  if (d === 0) return stmts;
  return rebuild(path, d - 1, [{ ...path[d - 1], body: stmts }]);
}

class Accumulation {
  readonly extents: number[];
  private nextAcc: number;

  constructor(
    private readonly kernel: Kernel,
    private readonly options: AccumulateOptions,
  ) {
    this.extents = [...kernel.loopExtents];
    this.nextAcc = maxAccId(kernel.body) + 1;
  }

  private fresh(extent: number): number {
    this.extents.push(extent);
    return this.extents.length - 1;
  }

  private newAcc(dtype: Accumulator['dtype'], tile: readonly number[]): Accumulator {
    return { id: this.nextAcc++, fn: 'add', dtype, tile };
  }

  /** Statements with every float sum declared in them (at any depth) rewritten; `top`: the kernel body. */
  list(stmts: readonly Stmt[], top: boolean): Stmt[] {
    const i = stmts.findIndex((s) => s.s === 'accInit' && !handled(s.acc));
    const recurse = (s: Stmt): Stmt => (s.s === 'loop' ? { ...s, body: this.list(s.body, false) } : s);
    if (i < 0) return stmts.map(recurse);
    const acc = (stmts[i] as Extract<Stmt, { s: 'accInit' }>).acc;
    const rest = this.list(stmts.slice(i + 1), top);
    return [...stmts.slice(0, i).map(recurse), ...this.sum(acc, rest, top)];
  }

  /** The accumulator's declaration and the statements after it (its loops and its readers), rewritten. */
  private sum(acc: Accumulator, rest: Stmt[], top: boolean): Stmt[] {
    const scalar = acc.tile.length === 0;
    if (acc.dtype === 'float32' && scalar && this.options.scalar === 'compensated') return [{ s: 'accInit', acc: { ...acc, compensated: true } }, ...rest];
    let body = rest;
    const { tile } = this.options;
    if (acc.dtype === 'float32' && !scalar && tile !== 'wide') {
      body = body.map((s) => (s.s === 'loop' && s.role === 'reduce' && updates([s], acc.id) ? this.blocks(acc, s, tile.block) : [s])).flat();
    }
    const wide: Accumulator = { ...acc, dtype: 'float64' };
    if (acc.dtype === 'float32') body = widen(body, acc.id);
    if (scalar && top && this.options.chunk) {
      const chunked = this.chunks(wide, body, this.options.chunk);
      if (chunked) return chunked;
    }
    return [{ s: 'accInit', acc: wide }, ...body];
  }

  /** A reduce nest as float32 blocks of at most `block` terms per cell, each added into `acc` when done. */
  private blocks(acc: Accumulator, loop: LoopStmt, block: number): Stmt[] {
    const path = reducePath(loop);
    const d = path.findIndex((_, k) => termsPer(path, k) <= block);
    const per = Math.floor(block / termsPer(path, d));
    if (per >= path[d].extent) return [loop];
    const pieces = this.split(path[d], per, 'reduce', (inner) => {
      const part = this.newAcc('float32', acc.tile);
      return [{ s: 'accInit', acc: part }, ...retarget([inner], acc.id, part.id), ...this.addInto(acc, part)];
    });
    return rebuild(path, d, pieces);
  }

  /** acc ⊕= part, cell by cell (tile loops as the tile pass makes them: rows unrolled, the last dim vectorised). */
  private addInto(acc: Accumulator, part: Accumulator): Stmt[] {
    const vars = acc.tile.map((n) => this.fresh(n));
    const tile: IndexExpr[] = vars.map((v) => iv(v));
    const value: Expr = { op: 'acc', acc: part.id, tile, dtype: part.dtype };
    let body: Stmt[] = [{ s: 'accUpdate', acc: acc.id, tile, value }];
    for (let k = vars.length - 1; k >= 0; k--) {
      const last = k === vars.length - 1;
      body = [{ s: 'loop', v: vars[k], extent: acc.tile[k], role: 'tile', schedule: last ? { vectorize: acc.tile[k] } : { unroll: true }, body }];
    }
    return body;
  }

  /** A top-level reduction of a scalar sum as fixed chunks: partial sums in a tile, added in order at the end. */
  private chunks(acc: Accumulator, body: Stmt[], chunk: number): Stmt[] | null {
    const at = body.findIndex((s) => s.s === 'loop' && s.role === 'reduce' && updates([s], acc.id));
    if (at < 0) return null;
    const loop = body[at] as LoopStmt;
    const terms = termsPer(reducePath(loop), 0);
    const per = Math.max(Math.ceil(chunk / terms), Math.ceil(loop.extent / MAX_CHUNKS));
    const count = Math.floor(loop.extent / per);
    if (count < 2) return null;
    const partials = this.newAcc(acc.dtype, [count]);
    const pieces = this.split(loop, per, 'spatial', (inner, index) => {
      if (index === null) return [inner]; // the tail adds straight into the sum
      const part = this.newAcc(acc.dtype, []);
      return [
        { s: 'accInit', acc: part },
        ...retarget([inner], acc.id, part.id),
        { s: 'accUpdate', acc: partials.id, tile: [index], value: { op: 'acc', acc: part.id, tile: [], dtype: acc.dtype } },
      ];
    });
    const c = this.fresh(count);
    const combine: Stmt = {
      s: 'loop',
      v: c,
      extent: count,
      role: 'reduce',
      schedule: {},
      body: [{ s: 'accUpdate', acc: acc.id, tile: [], value: { op: 'acc', acc: partials.id, tile: [iv(c)], dtype: acc.dtype } }],
    };
    return [{ s: 'accInit', acc }, { s: 'accInit', acc: partials }, ...body.slice(0, at), ...pieces, combine, ...body.slice(at + 1)];
  }

  /**
   * Loop `loop` as floor(extent/per) pieces of `per` iterations (a loop of role `role` over them)
   * and a tail piece; wrap(inner, the piece's index, null for the tail) makes each piece's statements.
   */
  private split(loop: LoopStmt, per: number, role: LoopStmt['role'], wrap: (inner: LoopStmt, index: IndexExpr | null) => Stmt[]): Stmt[] {
    const count = Math.floor(loop.extent / per);
    const tail = loop.extent - count * per;
    const piece = (extent: number, at: (inner: number) => IndexExpr): LoopStmt => {
      const v = this.fresh(extent);
      const r = substitution((x) => (x === loop.v ? at(v) : iv(x)), kernelRanges({ ...this.kernel, loopExtents: this.extents }));
      return { ...loop, v, extent, body: rewriteStmts(loop.body, r) };
    };
    const out: Stmt[] = [];
    if (count > 0) {
      const b = this.fresh(count);
      const inner = piece(per, (v) => ibin('+', ibin('*', iv(b), ic(per)), iv(v)));
      out.push({ s: 'loop', v: b, extent: count, role, schedule: {}, body: wrap(inner, iv(b)) });
    }
    if (tail > 0) out.push(...wrap(piece(tail, (v) => ibin('+', ic(count * per), iv(v))), null));
    return out;
  }
}
