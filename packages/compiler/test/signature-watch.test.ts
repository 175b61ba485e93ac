// Plan signatures keyed by exact constants and moving slice starts, and the recompile watch.
import { describe, expect, it } from 'vitest';
import { collectGraph, type Var } from '@metaop/core';
import * as M from '@metaop/ops';
import { graphSignature, RecompileWatch, RECOMPILE_LIMIT } from '@metaop/compiler';

const sig = (v: Var) => graphSignature(collectGraph([v]));

describe('graph signatures', () => {
  it('plan pad values -Infinity, Infinity and NaN, and constants -0 and 0, apart', () => {
    const x = M.tensor([1, 2, 3]).realize();
    const pads = [-Infinity, Infinity, NaN].map((v) => sig(M.pad(x, [1, 1], 'constant', v)).key);
    expect(new Set(pads).size).toBe(3);
    expect(sig(M.mul(x, -0)).key).not.toBe(sig(M.mul(x, 0)).key);
  });

  it('leave moving starts of slices of realized tensors out, and keep them for unrealized ones and negative steps', () => {
    const x = M.tensor([1, 2, 3, 4, 5, 6], [3, 2]).realize();
    expect(sig(x.at(0)).key).toBe(sig(x.at(2)).key);
    expect(sig(M.narrow(x, 0, 0, 2)).key).toBe(sig(M.narrow(x, 0, 1, 2)).key);
    expect(sig(M.mul(x, 2).at(0)).key).not.toBe(sig(M.mul(x, 2).at(2)).key);
    expect(sig(x.at('1::-1')).key).not.toBe(sig(x.at('2::-1')).key);
  });
});

describe('RecompileWatch', () => {
  const x = M.tensor([1, 2, 3]).realize();
  const widths = (n: number, from = 0) => Array.from({ length: n }, (_, i) => sig(M.pad(x, [from + i, 1], 'constant', 0)));

  it(`warns once after ${RECOMPILE_LIMIT} runs in a row that compiled new kernels, naming the op and attribute`, () => {
    const seen: string[] = [];
    const watch = new RecompileWatch(RECOMPILE_LIMIT, (m) => seen.push(m));
    const runs = widths(3 * RECOMPILE_LIMIT);
    runs.slice(0, RECOMPILE_LIMIT - 1).forEach((s) => watch.miss(s, 1));
    expect(seen).toEqual([]);
    runs.slice(RECOMPILE_LIMIT - 1).forEach((s) => watch.miss(s, 1));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toContain("pad attribute 'before' changes between runs (last [6], now [7])");
  });

  it('does not warn when plans hit in between or no new kernels were compiled', () => {
    const seen: string[] = [];
    const watch = new RecompileWatch(RECOMPILE_LIMIT, (m) => seen.push(m));
    widths(3 * RECOMPILE_LIMIT).forEach((s, i) => (i % 4 === 3 ? watch.hit(s) : watch.miss(s, 1)));
    widths(3 * RECOMPILE_LIMIT, 100).forEach((s) => watch.miss(s, 0));
    expect(seen).toEqual([]);
  });
});
