// OpenMP in the C dialect, as the schedule decided it: the parallel loops one pragma shares out (a
// run of perfectly nested parallel loops: collapse), the top-level nests that run on one thread
// team (one region per run, barriers only where a nest is not `nowait`), and the helpers by which
// a kernel takes its threads from the process's budget and gives them back.
import type { Stmt } from '../ir/loop-ir.js';
import { teamNest } from '../passes/parallel.js';

type LoopStmt = Extract<Stmt, { s: 'loop' }>;

/** The parallel loops shared out together with `loop`: it and the parallel loops perfectly nested in it. */
export function collapseChain(loop: LoopStmt): LoopStmt[] {
  const chain = [loop];
  for (let l = loop; l.body.length === 1 && l.body[0].s === 'loop' && l.body[0].schedule.parallel && l.body[0].role !== 'reduce'; ) {
    l = l.body[0];
    chain.push(l);
  }
  return chain;
}

/** Runs [start, end) of two or more consecutive top-level team nests: each becomes one parallel region. */
export function teamRuns(body: readonly Stmt[]): [number, number][] {
  const runs: [number, number][] = [];
  for (let i = 0; i < body.length; ) {
    let j = i;
    while (j < body.length && teamNest(body[j])) j++;
    if (j - i >= 2) runs.push([i, j]);
    i = Math.max(j, i + 1);
  }
  return runs;
}

/** Whether any loop of the statements is shared among threads. */
export function hasParallel(stmts: readonly Stmt[]): boolean {
  return stmts.some((s) => s.s === 'loop' && (s.schedule.parallel === true || hasParallel(s.body)));
}

/**
 * The process's thread budget, shared by every thread that runs kernels (worker_threads too): the
 * kernel gets `state` (two counters: threads in use, callers inside kernels) and its caller's
 * `budget`, takes what is free of the budget but no more than a fair share among the callers (and
 * always its own thread), and gives it back when it returns.
 */
export const cThreadHelpers = `static inline int mo_threads_take(void* state, void* budget) {
  int64_t* s = (int64_t*)state;
  const int64_t want = (int64_t)(intptr_t)budget;
  const int64_t callers = __atomic_add_fetch(&s[1], 1, __ATOMIC_RELAXED);
  const int64_t fair = (want + callers - 1) / callers;
  int64_t used = __atomic_load_n(&s[0], __ATOMIC_RELAXED), n;
  do {
    n = want - used < fair ? want - used : fair;
    if (n < 1) n = 1;
  } while (!__atomic_compare_exchange_n(&s[0], &used, used + n, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
  return (int)n;
}
static inline void mo_threads_give(void* state, int n) {
  int64_t* s = (int64_t*)state;
  __atomic_sub_fetch(&s[0], n, __ATOMIC_RELAXED);
  __atomic_sub_fetch(&s[1], 1, __ATOMIC_RELAXED);
}
`;
