// The plan cache's key: equal structures hash equal and match, and every difference the signature
// text keeps apart (exact constants, wiring, shapes, moving slice starts) fails the exact match,
// whatever the hash says.
import { describe, expect, it } from 'vitest';
import { collectGraph, type Var } from '@metaop/core';
import * as M from '@metaop/ops';
import { graphSignature, matchesPlan, planKey, recordPlan } from '@metaop/compiler';

/** Whether `b`'s graph confirms as a hit on the plan recorded for `a`'s graph, and whether their hashes agree. */
function compare(a: Var, b: Var): { match: boolean; sameHash: boolean; sameText: boolean } {
  const ga = collectGraph([a]);
  const gb = collectGraph([b]);
  const ka = planKey(ga);
  const kb = planKey(gb);
  return {
    match: matchesPlan(recordPlan(ga, ka), gb, kb),
    sameHash: ka.hash === kb.hash,
    sameText: graphSignature(ga).key === graphSignature(gb).key,
  };
}

describe('plan keys', () => {
  const x = M.tensor([1, 2, 3, 4, 5, 6], [3, 2]).realize();
  const y = M.tensor([6, 5, 4, 3, 2, 1], [3, 2]).realize();

  it('match graphs of one structure, with runtime constants and moving slice starts left out', () => {
    const same = [
      [M.relu(x.mul(0.37)).sum([1]), M.relu(y.mul(0.91)).sum([1])],
      [x.at(0), x.at(2)],
      [M.narrow(x, 0, 0, 2).add(1), M.narrow(x, 0, 1, 2).add(1)],
      [M.dropout(x, 0.5, { training: true, seed: 1 }), M.dropout(x, 0.5, { training: true, seed: 2 })],
    ];
    for (const [a, b] of same) expect(compare(a, b)).toEqual({ match: true, sameHash: true, sameText: true });
  });

  it('tell apart everything the signature text tells apart: -0, ±Infinity, NaN, wiring, shapes, dims, unrealized slice starts', () => {
    const pads = [-Infinity, Infinity, NaN, 0, -0].map((v) => M.pad(x, [1, 1], 'constant', v));
    const differ: [Var, Var][] = [
      ...pads.flatMap((a, i) => pads.slice(i + 1).map((b): [Var, Var] => [a, b])),
      [x.mul(-0), x.mul(0)],
      [x.add(y), x.add(x)],
      [x.sub(y), y.sub(x).mul(1)],
      [x.sum([0]), x.sum([1])],
      [x.sum([0]), M.tensor([1, 2, 3, 4], [2, 2]).sum([0])],
      [x.mul(2).at(0), x.mul(2).at(2)],
      [x.at('1::-1'), x.at('2::-1')],
      [x.mul(2), x.mul(3)],
    ];
    for (const [a, b] of differ) {
      const r = compare(a, b);
      expect(r.sameText, `${a.node?.op} vs ${b.node?.op}: the signature text`).toBe(false);
      expect(r.match, `${a.node?.op} vs ${b.node?.op}: the exact match`).toBe(false);
    }
  });

  it('reject a different graph even when handed a record under the same hash (a collision costs a comparison)', () => {
    const a = collectGraph([x.mul(2)]);
    const b = collectGraph([x.mul(3)]);
    const record = recordPlan(a, planKey(a));
    expect(matchesPlan(record, b, planKey(b))).toBe(false);
    expect(matchesPlan(record, a, planKey(a))).toBe(true);
  });
});
