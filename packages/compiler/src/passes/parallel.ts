// Parallelise: mark the outermost loop of each nest that has enough work and whose iterations
// write disjoint cells (always for spatial loops; for scatters only over exclusive variables).
import { isFloat } from '@metaop/core';
import type { Kernel, Stmt } from '../ir/loop-ir.js';

export interface ParallelOptions {
  /** Minimum iterations of the whole nest before threads pay off. */
  readonly minWork: number;
}

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
  // A full reduction (no output loop to share out) splits its reduction loop across threads,
  // each thread with a private accumulator combined at the end.
  const reductionLoop = (s: Stmt): boolean => {
    if (s.s !== 'loop' || s.role !== 'reduce' || work(s) < options.minWork) return false;
    const accs = updatedAccs(s.body, fns);
    return accs.size > 0 && [...accs].every((f) => f === 'add' || f === 'mul' || f === 'max' || f === 'min');
  };
  const mark = (s: Stmt): Stmt => {
    if (reductionLoop(s)) return { ...(s as Extract<Stmt, { s: 'loop' }>), schedule: { ...(s as Extract<Stmt, { s: 'loop' }>).schedule, parallel: true } };
    if (s.s !== 'loop' || work(s) < options.minWork) return s;
    const exclusive = scatterExclusive(s.body);
    let cur: Stmt = s;
    const path: Stmt[] = [];
    // Walk down perfectly nested loops to the first one that may run in parallel.
    while (cur.s === 'loop' && cur.role !== 'reduce') {
      if (cur.extent >= 2 && (exclusive === null || exclusive.has(cur.v))) {
        let marked: Stmt = { ...cur, schedule: { ...cur.schedule, parallel: true } };
        for (let i = path.length - 1; i >= 0; i--) {
          const p = path[i] as Extract<Stmt, { s: 'loop' }>;
          marked = { ...p, body: [marked] };
        }
        return marked;
      }
      if (cur.body.length !== 1) break;
      path.push(cur);
      cur = cur.body[0];
    }
    return s;
  };
  return { ...kernel, body: kernel.body.map(mark) };
}
