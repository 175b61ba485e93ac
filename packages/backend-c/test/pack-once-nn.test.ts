// Weights packed once per plan (issue #11) through nn on the c backend: an SGD step re-packs the
// convolution weights it wrote, and the losses equal those of packing inside every launch step
// for step; loadStateDict's new values reach the next forward; two models sharing a plan keep
// their own packed copies.
import { describe, expect, it } from 'vitest';
import '@metaop/backend-c';
import { flagScope, memory } from '@metaop/core';
import * as M from '@metaop/ops';
import { Conv2d, ReLU, SGD, Sequential } from '@metaop/nn';
import type { CompiledBackend } from '@metaop/compiler';

const net = (seed: number) => {
  M.manualSeed(seed);
  return new Sequential(new Conv2d(32, 32, 3, { padding: 1 }), new ReLU(), new Conv2d(32, 32, 3, { padding: 1 }));
};
const input = () => {
  M.manualSeed(99);
  return M.randn([2, 32, 7, 7]).realize();
};

describe('c backend: packed weights through nn', () => {
  it('an SGD step re-packs the weights it wrote; losses equal the per-launch path', () => {
    const backend = M.setBackend('c') as CompiledBackend;
    const train = () => {
      const model = net(1);
      const opt = new SGD(model.parameters(), { lr: 0.05 });
      const x = input();
      const losses: number[] = [];
      const packs: number[] = [];
      const planBytes: number[] = [];
      for (let step = 0; step < 4; step++) {
        const before = backend.stats().packs;
        const { loss } = opt.step(M.mean(M.square(model.forward(x))));
        losses.push(loss.item());
        packs.push(backend.stats().packs - before);
        planBytes.push(memory().planBytes);
      }
      x.dispose();
      return { losses, packs, planBytes };
    };
    const once = train();
    const perLaunch = flagScope({ packOnce: false }, train);
    expect(once.losses).toEqual(perLaunch.losses);
    expect(once.losses[3]).toBeLessThan(once.losses[0]);
    // Both conv weights are packed for the forward every step (the step moved new storages into them),
    // and no more often than once per pack site.
    expect(once.packs[0]).toBeGreaterThanOrEqual(2);
    expect(once.packs).toEqual(once.packs.map(() => once.packs[0]));
    expect(perLaunch.packs.every((p) => p === 0)).toBe(true);
    expect(once.planBytes).toEqual(once.planBytes.map(() => once.planBytes[0]));
  });

  it("loadStateDict's values reach the next forward; two models keep their own copies", () => {
    const backend = M.setBackend('c') as CompiledBackend;
    const a = net(2);
    const b = net(3);
    a.eval();
    b.eval();
    const x = input();
    const forward = (m: Sequential) => M.noGrad(() => m.forward(x).dataSync());
    const ya = forward(a);
    const yb = forward(b);
    expect(ya).not.toEqual(yb);
    const start = backend.stats().packs;
    expect(forward(a)).toEqual(ya);
    expect(forward(b)).toEqual(yb);
    expect(backend.stats().packs - start).toBe(0);
    // New tensors holding b's values, as a checkpoint loads them: a's weights get new storages.
    const dict = Object.fromEntries(Object.entries(b.stateDict()).map(([k, v]) => [k, M.tensor(v.dataSync(), v.shape)]));
    a.loadStateDict(dict);
    expect(forward(a)).toEqual(yb);
    expect(backend.stats().packs - start).toBe(2);
    expect(forward(a)).toEqual(yb);
    expect(forward(b)).toEqual(yb);
    expect(backend.stats().packs - start).toBe(2);
    x.dispose();
  });
});
