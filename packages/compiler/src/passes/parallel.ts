// Parallelise: share out the outer loops of each nest whose iterations write disjoint cells (always
// for spatial loops; for scatters only over exclusive variables). When the outermost such loop has
// too few iterations for the threads, the loops perfectly nested in it are shared out with it as one
// iteration space (C: OpenMP collapse). Top-level nests that run on threads share one thread team;
// a nest the next one does not depend on is marked `nowait`, so threads go on without a barrier.
import { isFloat } from '@metaop/core';
import type { Expr, Kernel, Stmt } from '../ir/loop-ir.js';

export interface ParallelOptions {
  /** Minimum iterations of the whole nest (of a kernel's top-level nests together) before threads pay off. */
  readonly minWork: number;
  /** Threads of the machine: a nest is shared out over enough loops for a few work items per thread. */
  readonly threads: number;
  /** Most loops of one nest shared out together (1: only the outermost parallel loop). */
  readonly axes: number;
  /** Mark top-level nests that run on one thread team, and which of them need no barrier after them. */
  readonly team: boolean;
}

type LoopStmt = Extract<Stmt, { s: 'loop' }>;

/** Work items per thread a nest's parallel loops should give (static shares then differ by at most 1/8). */
const ITEMS_PER_THREAD = 8;

function work(s: Stmt): number {
  if (s.s !== 'loop') return 1;
  return s.extent * Math.max(1, ...s.body.map(work));
}

function scatterExclusive(stmts: readonly Stmt[]): Set<number> | null {
  let result: Set<number> | null = null;
  const visit = (list: readonly Stmt[]) => {
    for (const s of list) {
      if (s.s === 'loop') visit(s.body);
      else if (s.s === 'scatter') {
        const ex: Set<number> = new Set(s.exclusive);
        result = result === null ? ex : new Set([...result].filter((v) => ex.has(v)));
      }
    }
  };
  visit(stmts);
  return result;
}

/** Scalar accumulators a statement list updates, with their reduction. */
function updatedAccs(stmts: readonly Stmt[], fns: Map<number, string>, into = new Set<string>()): Set<string> {
  for (const s of stmts) {
    if (s.s === 'loop') updatedAccs(s.body, fns, into);
    else if (s.s === 'accUpdate') into.add(s.tile.length > 0 ? 'tile' : (fns.get(s.acc) ?? '?'));
    else if (s.s === 'scatter' || s.s === 'store') into.add('other');
  }
  return into;
}

const parallelLoop = (l: LoopStmt): LoopStmt => ({ ...l, schedule: { ...l.schedule, parallel: true } });

export function parallelize(kernel: Kernel, options: ParallelOptions): Kernel {
  const fns = new Map<number, string>();
  const collect = (stmts: readonly Stmt[]) => {
    for (const s of stmts) {
      if (s.s === 'accInit') {
        // A float sum or product split across threads would depend on their number: such sums get
        // threads only as fixed chunks (passes/accumulate.ts), never through a reduction clause.
        const ordered = (s.acc.fn === 'add' || s.acc.fn === 'mul') && isFloat(s.acc.dtype);
        fns.set(s.acc.id, s.acc.tile.length > 0 ? 'tile' : ordered ? 'ordered' : s.acc.fn);
      } else if (s.s === 'loop') collect(s.body);
    }
  };
  collect(kernel.body);
  const items = ITEMS_PER_THREAD * options.threads;
  // A full reduction (no output loop to share out) splits its reduction loop across threads,
  // each thread with a private accumulator combined at the end.
  const reductionLoop = (s: Stmt): boolean => {
    if (s.s !== 'loop' || s.role !== 'reduce' || work(s) < options.minWork) return false;
    const accs = updatedAccs(s.body, fns);
    return accs.size > 0 && [...accs].every((f) => f === 'add' || f === 'mul' || f === 'max' || f === 'min');
  };
  // Once a team of threads runs some top-level nest, the kernel's other nests use it too at little cost.
  const topWork = kernel.body.filter((s) => s.s === 'loop' && s.role !== 'reduce').reduce((n, s) => n + work(s), 0);
  const mark = (s: Stmt, top: boolean): Stmt => {
    if (reductionLoop(s)) return parallelLoop(s as LoopStmt);
    if (s.s !== 'loop' || (work(s) < options.minWork && !(top && options.team && topWork >= options.minWork))) return s;
    const exclusive = scatterExclusive(s.body);
    const shareable = (l: LoopStmt) => l.role !== 'reduce' && l.dynamicSlot === undefined && l.extent >= 2 && (exclusive === null || exclusive.has(l.v));
    let cur: Stmt = s;
    const path: LoopStmt[] = [];
    // Walk down perfectly nested loops to the first one that may run in parallel.
    while (cur.s === 'loop' && cur.role !== 'reduce') {
      if (cur.extent >= 2 && (exclusive === null || exclusive.has(cur.v))) {
        // Then share out the loops nested in it too while there are few work items per thread; an
        // innermost loop stays whole (it is the vector loop).
        const chain: LoopStmt[] = [cur];
        let count = cur.extent;
        for (let l: LoopStmt = cur; count < items && chain.length < options.axes && l.body.length === 1; ) {
          const next = l.body[0];
          if (next.s !== 'loop' || !shareable(next) || !next.body.some((b) => b.s === 'loop')) break;
          chain.push(next);
          count *= next.extent;
          l = next;
        }
        const inner = chain[chain.length - 1];
        // A data-indexed scatter's serial loops (rows that may collide) outside its exclusive loops
        // (columns) would open one parallel region per row: the exclusive loops move outside them,
        // and each thread walks every row of its columns in order (the same sums, one region).
        const hoist = path.some((l) => l.extent >= 2) && dataIndexedScatters(inner.body);
        let marked: Stmt = hoist ? { ...parallelLoop(inner), body: [nestIn(path, inner.body)] } : parallelLoop(inner);
        for (let i = chain.length - 2; i >= 0; i--) marked = { ...parallelLoop(chain[i]), body: [marked] };
        return hoist ? marked : nestIn(path, [marked]);
      }
      if (cur.body.length !== 1) break;
      path.push(cur);
      cur = cur.body[0];
    }
    return s;
  };
  const body = kernel.body.map((s) => mark(s, true));
  return { ...kernel, body: options.team ? markNowait(body) : body };
}

/** `body` inside copies of the perfectly nested loops `path`, outermost first. */
function nestIn(path: readonly LoopStmt[], body: readonly Stmt[]): Stmt {
  let nest = body;
  for (let i = path.length - 1; i >= 0; i--) nest = [{ ...path[i], body: nest }];
  return nest[0];
}

/** Whether the scatters of `stmts` all write through data-dependent indices (and there is one). */
function dataIndexedScatters(stmts: readonly Stmt[]): boolean {
  let found = false;
  let all = true;
  const visit = (list: readonly Stmt[]) => {
    for (const s of list) {
      if (s.s === 'loop') visit(s.body);
      else if (s.s === 'scatter') {
        found = true;
        all &&= s.dynamic.length > 0;
      }
    }
  };
  visit(stmts);
  return found && all;
}

/** A top-level nest run by a thread team: its outermost loop is shared out (not a reduction with a combining clause). */
export function teamNest(s: Stmt): s is LoopStmt {
  return s.s === 'loop' && s.schedule.parallel === true && s.role !== 'reduce' && s.dynamicSlot === undefined;
}

interface Access {
  readonly reads: Set<string>;
  readonly writes: Set<string>;
}

/**
 * What a top-level statement reads and writes: buffers, and accumulators declared outside it. A
 * scatter or accumulator update also reads what it writes. Plain stores of different top-level nests
 * to one buffer write disjoint cells (a tile and its tails), so they are no conflict.
 */
function accessOf(s: Stmt): Access {
  const out: Access = { reads: new Set(), writes: new Set() };
  const local = new Set<number>();
  const seen = new Set<Expr>();
  const expr = (e: Expr): void => {
    if (seen.has(e)) return;
    seen.add(e);
    switch (e.op) {
      case 'load':
        out.reads.add(`b${e.buf}`);
        e.dynamic.forEach((d) => expr(d.value));
        return;
      case 'acc':
        if (!local.has(e.acc)) out.reads.add(`a${e.acc}`);
        return;
      case 'cast':
      case 'unary':
        return expr(e.a);
      case 'binary':
        return [e.a, e.b].forEach(expr);
      case 'select':
        return [e.cond, e.a, e.b].forEach(expr);
      default:
        return;
    }
  };
  const visit = (t: Stmt): void => {
    switch (t.s) {
      case 'loop':
        return t.body.forEach(visit);
      case 'accInit':
        local.add(t.acc.id);
        return;
      case 'def':
        return expr(t.value);
      case 'store':
        out.writes.add(`b${t.buf}`);
        return expr(t.value);
      case 'scatter':
        out.writes.add(`b${t.buf}`);
        out.reads.add(`b${t.buf}`);
        t.dynamic.forEach((d) => expr(d.value));
        return expr(t.value);
      case 'accUpdate':
        if (!local.has(t.acc)) {
          out.writes.add(`a${t.acc}`);
          out.reads.add(`a${t.acc}`);
        }
        return expr(t.value);
    }
  };
  visit(s);
  return out;
}

const meets = (a: Set<string>, b: Set<string>) => [...a].some((x) => b.has(x));

/**
 * Marks `nowait` on each top-level team nest whose successor is a team nest that depends on none
 * of the nests since the last barrier (reads nothing they write, writes nothing they read).
 */
function markNowait(body: readonly Stmt[]): Stmt[] {
  const out = [...body];
  let group: Access[] = [];
  out.forEach((s, i) => {
    if (!teamNest(s)) {
      group = [];
      return;
    }
    const a = accessOf(s);
    if (group.some((g) => meets(g.writes, a.reads) || meets(g.reads, a.writes))) group = [a];
    else {
      if (group.length > 0) {
        const prev = out[i - 1] as LoopStmt;
        out[i - 1] = { ...prev, schedule: { ...prev.schedule, nowait: true } };
      }
      group.push(a);
    }
  });
  return out;
}
