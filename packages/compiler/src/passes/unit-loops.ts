// Removes loops of extent 1: their variable is 0, so index expressions simplify.
import { ic } from '@metaop/core';
import type { Kernel, Stmt } from '../ir/loop-ir.js';
import { rewriteStmts, substitution } from '../ir/transform.js';
import { kernelRanges } from './ranges.js';

export function removeUnitLoops(kernel: Kernel): Kernel {
  const units = new Set<number>();
  const strip = (stmts: readonly Stmt[]): Stmt[] =>
    stmts.flatMap((s) => {
      if (s.s !== 'loop') return [s];
      const body = strip(s.body);
      if (s.extent === 1) {
        units.add(s.v);
        return body;
      }
      return [{ ...s, body }];
    });
  const body = strip(kernel.body);
  if (units.size === 0) return kernel;
  const ranges = kernelRanges(kernel);
  const r = substitution((v) => (units.has(v) ? ic(0) : { kind: 'idx', axis: v }), ranges);
  return { ...kernel, body: rewriteStmts(body, r) };
}
