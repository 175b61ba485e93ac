// A 20-step LSTM training loop compiles its kernels in the first step and none after: every step
// unrolls the same time loop into the same graph, so later steps replay cached plans. Runs on a
// compiling backend (METAOP_BACKEND when it is one, else js).
import { beforeAll, describe, expect, it } from 'vitest';
import { getBackend, manualSeed, mse, randn, withBackend } from '@metaop/ops';
import * as nn from '@metaop/nn';
import { backendName } from './helpers.js';

const backend = backendName === 'reference' ? 'js' : backendName;

interface Stats {
  kernelsCompiled: number;
  planHits: number;
}

beforeAll(async () => {
  await import(/* @vite-ignore */ `@metaop/backend-${backend}`);
});

describe(`LSTM training compiles once per sequence length (${backend} backend)`, () => {
  it('20 training steps of an LSTM(4 -> 8) over 20 time steps compile nothing after the first', () => {
    withBackend(backend, () => {
      const stats = () => (getBackend() as unknown as { stats(): Stats }).stats();
      manualSeed(3);
      const lstm = new nn.LSTM(4, 8, { numLayers: 2 });
      const head = new nn.Linear(8, 1);
      const opt = new nn.Adam([...lstm.parameters(), ...head.parameters()], { lr: 1e-2 });
      const losses: number[] = [];
      const trainStep = (seqLen: number) => {
        const [out] = lstm.forward(randn([seqLen, 4, 4]));
        const { loss } = opt.step(mse(head.forward(out.at(seqLen - 1)), randn([4, 1])));
        losses.push(loss.item());
      };
      let afterFirst: Stats | undefined;
      for (let step = 0; step < 20; step++) {
        trainStep(20);
        if (step === 0) afterFirst = { ...stats() };
      }
      const end = { ...stats() };
      const first = afterFirst as Stats;
      expect(first.kernelsCompiled).toBeGreaterThan(0);
      expect(end.kernelsCompiled - first.kernelsCompiled, 'kernels compiled after the first step').toBe(0);
      expect(end.planHits - first.planHits, 'plan-cache hits in steps 2..20').toBeGreaterThanOrEqual(19);
      // Another length compiles its own kernels; going back to 20 compiles nothing again.
      trainStep(12);
      const other = { ...stats() };
      expect(other.kernelsCompiled).toBeGreaterThan(end.kernelsCompiled);
      trainStep(20);
      expect(stats().kernelsCompiled, 'kernels compiled by length 20 after length 12').toBe(other.kernelsCompiled);
      expect(losses.every(Number.isFinite)).toBe(true);
    });
  });

  it('the time steps share their kernels: each step reads the stored input projection from a runtime offset', () => {
    withBackend(backend, () => {
      const stats = () => (getBackend() as unknown as { stats(): Stats }).stats();
      manualSeed(4);
      const lstm = new nn.LSTM(8, 32);
      const head = new nn.Linear(32, 1);
      const opt = new nn.SGD([...lstm.parameters(), ...head.parameters()], { lr: 1e-2 });
      const compiledBy = (seqLen: number) => {
        const before = stats().kernelsCompiled;
        const [out] = lstm.forward(randn([seqLen, 16, 8]));
        opt.step(mse(head.forward(out.at(seqLen - 1)), randn([16, 1]))).loss.item();
        return stats().kernelsCompiled - before;
      };
      // With a baked offset per step, every time step compiled about 5 kernels of its own (98 at
      // T = 20, 127 more for T = 30). What is left per new length reads all T steps at once
      // (the stacked output, the summed weight gradients) or is a first or last step.
      expect(compiledBy(20), 'kernels of the first length-20 step').toBeLessThan(2 * 20);
      expect(compiledBy(30), 'kernels a new length (30) adds').toBeLessThan(30);
    });
  });
});
