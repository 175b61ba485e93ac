// The plan cache on a compiled backend: a replayed graph is served from the cache, and graphs that
// differ only in an exact constant (-0 and 0, ±Infinity, NaN) each run their own plan.
import { describe, expect, it } from 'vitest';
import '@metaop/backend-js';
import * as M from '@metaop/ops';
import type { CompiledBackend } from '@metaop/compiler';

describe('plan cache on js', () => {
  it('replays from the cache and never serves a plan made for a different constant', () => {
    const backend = M.setBackend('js') as CompiledBackend;
    const x = M.tensor([1, 2]).realize();
    const inverse = (c: number) => Array.from(M.div(1, x.mul(c)).dataSync());
    const padded = (v: number) => Array.from(M.pad(x, [1, 0], 'constant', v).add(1).dataSync());
    const runs = () => [inverse(0), inverse(-0), padded(Infinity), padded(-Infinity), padded(NaN), padded(0)];
    const expected = [[Infinity, Infinity], [-Infinity, -Infinity], [Infinity, 2, 3], [-Infinity, 2, 3], [NaN, 2, 3], [1, 2, 3]];
    expect(runs()).toEqual(expected);
    const before = backend.stats();
    expect(runs()).toEqual(expected);
    const after = backend.stats();
    expect(after.planHits - before.planHits).toBe(6);
    expect(after.kernelsCompiled).toBe(before.kernelsCompiled);
  });
});
