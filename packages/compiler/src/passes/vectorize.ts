// Vectorise: mark innermost loops whose iterations are independent (spatial loops that store at
// distinct addresses) or that feed a scalar add/mul/max/min accumulator (a vector reduction, listed
// in the schedule so every renderer declares it as one).
import { indexAxes } from '@metaop/core';
import { strideOf } from './linear.js';
import type { Kernel, Stmt } from '../ir/loop-ir.js';

export interface VectorizeOptions {
  readonly lanes: number;
}

export function vectorize(kernel: Kernel, options: VectorizeOptions): Kernel {
  const accs = new Map<number, string>();
  const collect = (stmts: readonly Stmt[]) => {
    for (const s of stmts) {
      if (s.s === 'accInit') accs.set(s.acc.id, s.acc.fn);
      else if (s.s === 'loop') collect(s.body);
    }
  };
  collect(kernel.body);

  const eligible = (loop: Extract<Stmt, { s: 'loop' }>): boolean => {
    // A scatter whose target moves with the loop writes distinct cells in every iteration.
    if (loop.body.length === 1 && loop.body[0].s === 'scatter') {
      const sc = loop.body[0];
      return loop.role === 'spatial' && sc.dynamic.length === 0 && (strideOf(sc.index, loop.v) ?? 0) !== 0;
    }
    if (loop.body.some((b) => b.s === 'loop' || b.s === 'scatter' || b.s === 'accInit')) return false;
    for (const b of loop.body) {
      if (b.s === 'store' && !indexAxes(b.index).has(loop.v)) return false;
      if (b.s === 'accUpdate') {
        const fn = accs.get(b.acc);
        if (loop.role !== 'reduce' || b.tile.length > 0 || fn === 'argmax' || fn === 'argmin') return false;
      }
    }
    return true;
  };

  const visit = (stmts: readonly Stmt[]): Stmt[] =>
    stmts.map((s) => {
      if (s.s !== 'loop') return s;
      if (eligible(s)) {
        const reductions = [...new Set(s.body.flatMap((b) => (b.s === 'accUpdate' ? [b.acc] : [])))];
        return { ...s, schedule: { ...s.schedule, vectorize: options.lanes, ...(reductions.length > 0 ? { reductions } : {}) } };
      }
      return { ...s, body: visit(s.body) };
    });
  return { ...kernel, body: visit(kernel.body) };
}
