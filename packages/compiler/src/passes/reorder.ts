// Loop reorder for contiguous inner access in scatter nests (reindexReduce, whose iteration space
// is the input's): the loop along which the scatter target moves by one element per step (and
// every load is contiguous or invariant) goes innermost, so consecutive iterations touch
// consecutive cells and the loop can be vectorised — its iterations never write the same cell.
import type { Kernel, Stmt } from '../ir/loop-ir.js';
import { loadsIn } from '../ir/transform.js';
import { strideOf } from './linear.js';

type LoopStmt = Extract<Stmt, { s: 'loop' }>;
type Scatter = Extract<Stmt, { s: 'scatter' }>;

function loadStrides(value: Scatter['value'], v: number): (number | undefined)[] {
  return loadsIn(value).map((e) => (e.dynamic.length > 0 ? undefined : strideOf(e.index, v)));
}

export function reorderScatterNests(kernel: Kernel): Kernel {
  const visit = (stmts: readonly Stmt[]): Stmt[] =>
    stmts.map((s) => {
      if (s.s !== 'loop') return s;
      const chain: LoopStmt[] = [];
      let cur: Stmt = s;
      while (cur.s === 'loop' && cur.role === 'spatial') {
        chain.push(cur);
        if (cur.body.length !== 1) break;
        cur = cur.body[0];
      }
      const last = chain[chain.length - 1];
      const body = last?.body;
      if (!body || body.length !== 1 || body[0].s !== 'scatter' || chain.length < 2) return s;
      const scatter = body[0];
      if (scatter.dynamic.length > 0) return s;
      // Keep the outer parallel loops in place; choose among the loops inside them.
      const fixed = chain.map((l) => l.schedule.parallel === true).lastIndexOf(true);
      const movable = chain.slice(fixed + 1);
      const pick = [...movable]
        .reverse()
        .find((l) => strideOf(scatter.index, l.v) === 1 && l.extent >= 8 && loadStrides(scatter.value, l.v).every((x) => x === 0 || x === 1));
      if (!pick || pick === last) return s;
      const order = [...chain.filter((l) => l !== pick), pick];
      let rebuilt: readonly Stmt[] = body;
      for (let i = order.length - 1; i >= 0; i--) rebuilt = [{ ...order[i], body: rebuilt }];
      return rebuilt[0];
    });
  return { ...kernel, body: visit(kernel.body) };
}
