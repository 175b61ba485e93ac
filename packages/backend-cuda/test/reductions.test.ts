// Reductions on `cuda (emulated)` against the float64 oracle, across sizes that are not multiples
// of a warp (32) or a block (128) and the sizes 0 and 1: full reductions (one block, its threads
// sharing the sum), reductions of few rows (a block per row), arg reductions with ties and NaNs
// (positions combined across threads must still give the first best one), softmax and layerNorm
// (their row statistics), and many short rows (the grid, one thread per row). The loop IR is checked to use
// the mapping each case is meant to exercise, and a sum read twice is bit-identical (the block's
// combining order is fixed).
import { describe, expect, it } from 'vitest';
import * as M from '@metaop/ops';
import { realize, type Var } from '@metaop/core';
import { explain } from '@metaop/compiler';
import '@metaop/backend-cuda';

type Case = readonly [string, (x: Var) => Var];

const cases: readonly Case[] = [
  ['sum', (x) => M.sum(x)],
  ['sum(1)', (x) => M.sum(x, 1)],
  ['sum(0)', (x) => M.sum(x, 0)],
  ['mean', (x) => M.mean(x)],
  ['mean(1)', (x) => M.mean(x, 1)],
  ['max(1)', (x) => M.max(x, 1)],
  ['min', (x) => M.min(x)],
  ['prod(1)', (x) => M.prod(x.mul(0.01).add(1), 1)],
  ['argmax(1)', (x) => M.argmax(x, 1)],
  // Ties (the first position wins), NaNs (the first NaN wins), int32 values.
  ['argmin(1) ties', (x) => M.argmin(M.floor(x), 1)],
  ['argmax(1) NaN', (x) => M.argmax(M.log(x.add(1.5)), 1)],
  ['argmax int32 ties', (x) => M.argmax(M.cast(x.mul(2), 'int32'), 1)],
  ['argmin all', (x) => M.argmin(M.round(x))],
  ['softmax(1)', (x) => M.softmax(x, 1)],
  ['logsumexp(1)', (x) => M.logsumexp(x, 1)],
  ['layerNorm', (x) => M.layerNorm(x, x.shape[1])],
  ['int32 sum(1)', (x) => M.sum(M.cast(x.mul(100), 'int32'), 1)],
];

/** Largest |got - want| / (1 + |want|), NaN in the same places. */
function maxError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let e = 0;
  for (let i = 0; i < got.length; i++) {
    if (Number.isNaN(want[i])) expect(got[i], `element ${i}`).toBeNaN();
    else e = Math.max(e, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
  }
  return e;
}

/** Every case on cuda and on the oracle, for one input; the cases realized together (one compile batch). */
function check(rows: number, cols: number, wanted: readonly Case[]) {
  const x = M.withBackend('cuda', () => M.randn([rows, cols]).realize());
  const data = x.dataSync();
  const ref = M.withBackend('reference', () => M.tensor(Float32Array.from(data), [rows, cols], 'float32').realize());
  const outs = M.withBackend('cuda', () => {
    const ys = wanted.map(([, f]) => f(x));
    realize(ys);
    return ys.map((y) => y.dataSync());
  });
  const explained = M.withBackend('cuda', () => explain(wanted.map(([, f]) => f(x))).kernels.map((k) => k.loopIR).join('\n'));
  wanted.forEach(([name, f], i) => {
    const want = M.withBackend('reference', () => f(ref).dataSync());
    expect(maxError(outs[i], want), `${name} of [${rows}, ${cols}]`).toBeLessThan(2e-6);
  });
  return explained;
}

describe('reductions on cuda (emulated) against the float64 oracle', () => {
  for (const cols of [1, 31, 32, 33, 127, 129, 1000, 4099]) {
    it(`[3, ${cols}] and [1, ${cols}]`, () => {
      const wanted = cols === 1 ? cases.filter(([n]) => n !== 'layerNorm') : cases;
      const ir = check(3, cols, wanted);
      if (cols >= 32) {
        expect(ir).toMatch(/bind=block/);
        expect(ir).toMatch(/block reduce/);
        expect(ir).toMatch(/block reduce acc\d+ via s\d+, positions s\d+/);
      }
      check(1, cols, wanted);
    });
  }

  it('full reductions of many terms run on a block per chunk, then one block adds the chunks in order', () => {
    const full = cases.filter(([n]) => n === 'sum' || n === 'mean' || n === 'min' || n === 'argmin all');
    // 90000 terms: 10 chunks of 8192 and a tail of 8080; 16384: two chunks, no tail; 16383: one block.
    for (const [rows, cols, blocks] of [[3, 30000, 10], [1, 16384, 2], [1, 16383, 0]] as const) {
      const ir = check(rows, cols, full);
      if (blocks > 0) expect(ir).toContain(`as ${blocks} blocks of 8192`);
      else expect(ir).not.toMatch(/blocks of \d+/);
    }
  });

  it('empty reductions (size 0) give the identities', () => {
    check(3, 0, cases.filter(([n]) => n.startsWith('sum') || n.startsWith('mean') || n.startsWith('prod') || n.startsWith('int32')));
  });

  it('many short rows stay on the grid, one thread per row', () => {
    const ir = check(20000, 5, cases.filter(([n]) => n.includes('(1)')));
    expect(ir).toMatch(/bind=grid/);
    expect(ir).not.toMatch(/bind=block/);
  });

  it('a full sum computed twice is bit-identical', () => {
    // (The emulator runs fibers in one order; on a GPU the fixed tree gives the same guarantee.)
    M.withBackend('cuda', () => {
      const x = M.randn([100003]).realize();
      expect(M.sum(x).item()).toBe(M.sum(x).item());
    });
  });
});
