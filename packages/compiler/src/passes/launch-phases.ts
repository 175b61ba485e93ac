// Launch splitting for device backends: the top-level statements of a kernel body grouped into
// launches such that no launch reads or writes a buffer that an earlier statement of the same
// launch wrote (the launches of one queue run in order; the work of one launch does not).
import type { Expr, Stmt } from '../ir/loop-ir.js';

/** Buffers a statement reads (loads, and the targets it accumulates into) and writes. */
export function bufferAccess(s: Stmt, out = { reads: new Set<number>(), writes: new Set<number>() }) {
  const expr = (e: Expr): void => {
    if (e.op === 'load') out.reads.add(e.buf);
    if (e.op === 'load') e.dynamic.forEach((d) => expr(d.value));
    if (e.op === 'cast' || e.op === 'unary') expr(e.a);
    if (e.op === 'binary') [e.a, e.b].forEach(expr);
    if (e.op === 'select') [e.cond, e.a, e.b].forEach(expr);
  };
  if (s.s === 'loop') s.body.forEach((b) => bufferAccess(b, out));
  else if (s.s === 'store' || s.s === 'scatter') {
    out.writes.add(s.buf);
    if (s.s === 'scatter') out.reads.add(s.buf);
    expr(s.value);
    if (s.s === 'scatter') s.dynamic.forEach((d) => expr(d.value));
  } else if (s.s === 'def' || s.s === 'accUpdate') expr(s.value);
  return out;
}

/**
 * Top-level statements split into launches, for every device backend whose launch runs its tasks,
 * blocks or threads in any order: a statement that touches a buffer an earlier statement of the
 * launch wrote (a scatter after its output's init, a restaged copy before its use) starts a new
 * launch on the same queue. A body that needs no split is one phase.
 */
export function launchPhases(body: readonly Stmt[]): Stmt[][] {
  const phases: Stmt[][] = [[]];
  let written = new Set<number>();
  for (const s of body) {
    const { reads, writes } = bufferAccess(s);
    if ([...reads, ...writes].some((b) => written.has(b))) {
      phases.push([]);
      written = new Set();
    }
    phases[phases.length - 1].push(s);
    writes.forEach((b) => written.add(b));
  }
  return phases;
}
