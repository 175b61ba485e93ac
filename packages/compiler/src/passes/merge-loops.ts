// Loop merge: a perfectly nested pair of loops of the same role becomes one loop when every
// index expression reads them as one flat counter (outer*extent(inner) + inner), as for
// contiguous element-wise kernels. Fewer loops mean longer vectorisable inner loops.
import { ibin, ic, iv, type IndexCond, type IndexExpr } from '@metaop/core';
import type { Kernel, Stmt } from '../ir/loop-ir.js';
import { rewriteStmts, substitution, visitIndices } from '../ir/transform.js';
import { kernelRanges } from './ranges.js';

function countDivMod(x: IndexExpr | IndexCond): number {
  switch (x.kind) {
    case 'bin':
      return (x.op === '/' || x.op === '%' ? 1 : 0) + countDivMod(x.a) + countDivMod(x.b);
    case 'cmp':
    case 'and':
    case 'or':
      return countDivMod(x.a) + countDivMod(x.b);
    case 'not':
      return countDivMod(x.a);
    default:
      return 0;
  }
}

function divModIn(stmts: readonly Stmt[]): number {
  let n = 0;
  visitIndices(stmts, (x) => (n += countDivMod(x)));
  return n;
}

export function mergeLoops(kernel: Kernel): Kernel {
  let k = kernel;
  for (;;) {
    const next = mergeOnce(k);
    if (!next) return k;
    k = next;
  }
}

function mergeOnce(kernel: Kernel): Kernel | null {
  let result: Kernel | null = null;
  const visit = (stmts: readonly Stmt[], replace: (next: Stmt[]) => Stmt[]): boolean => {
    for (let i = 0; i < stmts.length; i++) {
      const s = stmts[i];
      if (s.s !== 'loop') continue;
      const inner = s.body.length === 1 && s.body[0].s === 'loop' ? s.body[0] : null;
      if (inner && inner.role === s.role && !s.schedule.parallel && !inner.schedule.parallel) {
        const extents = [...kernel.loopExtents, s.extent * inner.extent];
        const m = extents.length - 1;
        const ranges = kernelRanges({ ...kernel, loopExtents: extents });
        const r = substitution(
          (v) => (v === s.v ? ibin('/', iv(m), ic(inner.extent)) : v === inner.v ? ibin('%', iv(m), ic(inner.extent)) : iv(v)),
          ranges,
        );
        const body = rewriteStmts(inner.body, r);
        if (divModIn(body) <= divModIn(inner.body)) {
          const merged: Stmt = { s: 'loop', v: m, extent: s.extent * inner.extent, role: s.role, schedule: {}, body };
          const rebuilt = [...stmts.slice(0, i), merged, ...stmts.slice(i + 1)];
          result = { ...kernel, loopExtents: extents, body: replace(rebuilt) };
          return true;
        }
      }
      if (visit(s.body, (next) => replace([...stmts.slice(0, i), { ...s, body: next }, ...stmts.slice(i + 1)]))) return true;
    }
    return false;
  };
  visit(kernel.body, (next) => next);
  return result;
}
