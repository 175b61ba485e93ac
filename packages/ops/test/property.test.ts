// Property tests over random inputs (fast-check): broadcasting arithmetic against an element-wise
// loop, and random compositions of element-wise, reindex and reduce ops on the reference backend.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import * as M from '@metaop/ops';
import type { OpNode, Var } from '@metaop/core';
import { checkGradients, compareArrays, compositionSeeds, describeMismatches, float32Tolerance, randomComposition, runOnBackend } from '@metaop/ops/testing';

beforeAll(() => {
  M.setBackend('reference');
});

const dim = fc.constantFrom(0, 1, 1, 2, 3, 4);
/** Two shapes that broadcast: derived from one target by dropping leading dims and setting some to 1. */
const shapePair = fc.array(dim, { maxLength: 4 }).chain((target) => {
  const derived = fc
    .tuple(fc.nat(target.length), fc.array(fc.boolean(), { minLength: target.length, maxLength: target.length }))
    .map(([drop, ones]) => target.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));
  return fc.tuple(derived, derived);
});

/** out[i] = a[i mapped into a] + b[i mapped into b], by explicit index arithmetic. */
function broadcastLoop(a: number[], as: number[], b: number[], bs: number[], f: (x: number, y: number) => number): { shape: number[]; data: number[] } {
  const ndim = Math.max(as.length, bs.length);
  const pa = [...new Array(ndim - as.length).fill(1), ...as];
  const pb = [...new Array(ndim - bs.length).fill(1), ...bs];
  const shape = pa.map((d, k) => (d === 1 ? pb[k] : d));
  const total = shape.reduce((x, y) => x * y, 1);
  const offset = (coords: number[], s: number[]) => coords.reduce((o, c, k) => o * s[k] + (s[k] === 1 ? 0 : c), 0);
  const data: number[] = [];
  for (let flat = 0; flat < total; flat++) {
    const coords: number[] = [];
    let rest = flat;
    for (let k = ndim - 1; k >= 0; k--) {
      coords.unshift(rest % shape[k]);
      rest = Math.floor(rest / shape[k]);
    }
    data.push(f(a[offset(coords, pa)], b[offset(coords, pb)]));
  }
  return { shape, data };
}

const valuesFor = (shape: number[]) => fc.array(fc.integer({ min: -50, max: 50 }), { minLength: shape.reduce((x, y) => x * y, 1), maxLength: shape.reduce((x, y) => x * y, 1) });

describe('broadcasting arithmetic', () => {
  it('add, mul and maximum of random broadcastable shapes match an element-wise loop', () => {
    fc.assert(
      fc.property(
        shapePair.chain(([as, bs]) => fc.tuple(fc.constant(as), fc.constant(bs), valuesFor(as), valuesFor(bs))),
        ([as, bs, a, b]) => {
          const x = M.tensor(a, as);
          const y = M.tensor(b, bs);
          for (const [op, f] of [
            [M.add, (p: number, q: number) => p + q],
            [M.mul, (p: number, q: number) => p * q],
            [M.maximum, (p: number, q: number) => Math.max(p, q)],
          ] as const) {
            const want = broadcastLoop(a, as, b, bs, f);
            const got = op(x, y);
            expect(got.shape).toEqual(want.shape);
            expect(Array.from(got.dataSync())).toEqual(want.data);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gradients of a broadcast add sum over the broadcast dims', () => {
    fc.assert(
      fc.property(shapePair, ([as, bs]) => {
        const x = M.ones(as);
        const y = M.ones(bs);
        const out = M.add(x, y);
        const [gx, gy] = M.grad(out, [x, y]);
        const total = out.numel;
        const gxs = Array.from(gx.dataSync());
        const gys = Array.from(gy.dataSync());
        expect(gx.shape).toEqual(as);
        expect(gy.shape).toEqual(bs);
        // Each element of x receives one 1 per output element it was broadcast to.
        expect(gxs.reduce((s, v) => s + v, 0)).toBe(total);
        expect(gys.reduce((s, v) => s + v, 0)).toBe(total);
        if (x.numel > 0) expect(new Set(gxs).size).toBe(1);
      }),
      { numRuns: 200 },
    );
  });
});

describe('random compositions (reference backend)', () => {
  it('build and agree between float32 and float64', () => {
    fc.assert(
      fc.property(fc.nat(100000), (seed) => {
        const c = randomComposition(seed);
        const r32 = runOnBackend('reference', c, seed, { grads: false });
        const r64 = runOnBackend('reference', c, seed, { floatDType: 'float64', grads: false });
        expect(r32.shapes).toEqual(r64.shapes);
        expect(compareArrays(r32.outputs[0], r64.outputs[0], { rtol: 1e-4, atol: 1e-4 }, c.name)).toBeNull();
        expect(r64.outputs[0].every(Number.isFinite)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('are deterministic for a seed', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const a = runOnBackend('reference', randomComposition(seed), 0);
      const b = runOnBackend('reference', randomComposition(seed), 0);
      expect(a).toEqual(b);
    }
  });

  it('smooth compositions have gradients that match finite differences', () => {
    fc.assert(
      fc.property(fc.nat(100000), (seed) => {
        const c = randomComposition(seed, { smooth: true, maxNumel: 64 });
        const r = checkGradients(c, seed);
        expect(r.mismatches.length === 0 ? null : describeMismatches(c, r)).toBeNull();
      }),
      { numRuns: 60 },
    );
  });

  it('float32 results are within float32 tolerance of float64 for the battery tolerance', () => {
    const c = randomComposition(7);
    const r32 = runOnBackend('reference', c, 1, { grads: true });
    const r64 = runOnBackend('reference', c, 1, { floatDType: 'float64', grads: true });
    r32.grads.forEach((g, k) => expect(compareArrays(g, r64.grads[k], { rtol: 1e-4, atol: 1e-4 }, 'grad')).toBeNull());
    expect(compareArrays(r32.outputs[0], r64.outputs[0], float32Tolerance, 'output')).toBeNull();
  });
});

describe('composition seeds', () => {
  it('default to 1..100 and follow METAOP_COMPOSITION_RUNS and METAOP_COMPOSITION_SEED', () => {
    expect(compositionSeeds({})).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(compositionSeeds({ METAOP_COMPOSITION_RUNS: '3', METAOP_COMPOSITION_SEED: '500' })).toEqual([500, 501, 502]);
    expect(() => compositionSeeds({ METAOP_COMPOSITION_RUNS: 'many' })).toThrow(/METAOP_COMPOSITION_RUNS must be an integer/);
  });

  it('draw nested pads, shifted reindexes with overflow, constant indexes and 2/-1/-2 step slices', () => {
    const ops = new Set<string>();
    for (const seed of compositionSeeds({})) {
      const c = randomComposition(seed);
      M.setBackend('reference');
      const xs = c.inputs.map((s) => M.zeros(s.shape));
      const out = c.build(...xs);
      const seen = new Set<Var>();
      const walk = (v: Var): void => {
        if (seen.has(v) || v.node === null) return;
        seen.add(v);
        const node = v.node as OpNode;
        if (node.op === 'slice') for (const s of node.steps) if (s !== 1) ops.add(`slice-step-${s}`);
        if (node.op === 'pad' && (node.inputs[0].node as OpNode | null)?.op === 'pad') ops.add('pad-of-pad');
        if ((node.op === 'reindex' || node.op === 'reindexReduce') && node.indexes.some((e) => e.kind === 'const')) ops.add(`${node.op}-constant`);
        if ('inputs' in node) node.inputs.forEach(walk);
      };
      (Array.isArray(out) ? out : [out]).forEach(walk);
    }
    expect([...ops].sort()).toEqual(expect.arrayContaining(['pad-of-pad', 'reindex-constant', 'reindexReduce-constant', 'slice-step--1', 'slice-step-2']));
  });
});
