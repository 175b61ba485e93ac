// Unroll: small constant loops (kernel windows such as 3x3, short tails) are fully unrolled so the
// compiler can fold their index arithmetic and keep values in registers.
import type { Kernel, Stmt } from '../ir/loop-ir.js';

export interface UnrollOptions {
  /** Largest extent unrolled. */
  readonly maxExtent: number;
}

function size(stmts: readonly Stmt[]): number {
  return stmts.reduce((n, s) => n + (s.s === 'loop' ? s.extent * size(s.body) : 1), 0);
}

export function unrollSmallLoops(kernel: Kernel, options: UnrollOptions): Kernel {
  const visit = (stmts: readonly Stmt[]): Stmt[] =>
    stmts.map((s) => {
      if (s.s !== 'loop') return s;
      const body = visit(s.body);
      const small = s.extent <= options.maxExtent && size(body) <= 64;
      const free = !s.schedule.parallel && !s.schedule.vectorize;
      return { ...s, body, schedule: small && free ? { ...s.schedule, unroll: true } : s.schedule };
    });
  return { ...kernel, body: visit(kernel.body) };
}
