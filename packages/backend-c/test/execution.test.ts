// Execution properties of the c backend: conv2d's 7-D virtual tensor never gets memory (forward
// or backward), repeated training steps recompile nothing, and dispatch goes through the plan cache.
import { describe, expect, it } from 'vitest';
import { memory, resetPeakBytes } from '@metaop/core';
import * as M from '@metaop/ops';
import type { createCBackend } from '@metaop/backend-c';

describe('c backend execution', () => {
  it('never allocates the 7-D tensor of conv2d, forward or backward', () => {
    M.setBackend('c');
    const x = M.randn([2, 8, 16, 16]).realize();
    const w = M.randn([16, 8, 3, 3]).realize();
    const virtualBytes = 2 * 16 * 8 * 16 * 16 * 3 * 3 * 4;
    resetPeakBytes();
    const before = memory().liveBytes;
    const y = M.conv2d(x, w, { padding: 1 });
    const [gx, gw] = M.grad(M.relu(y).square().mean(), [x, w]);
    M.realize([y, gx, gw]);
    const peak = memory().peakBytes - before;
    // Everything real here (y, gx, gw, temporaries) is a few hundred KB; the virtual tensor is 2.4 MB.
    expect(peak).toBeLessThan(virtualBytes / 4);
    expect(peak).toBeGreaterThan(0);
    // Kernel workspaces count too: a restaged (padded) input is far smaller than the virtual tensor.
    expect(memory().peakScratchBytes).toBeLessThan(virtualBytes / 4);
    for (const v of [y, gx, gw]) v.dispose();
  });

  it('counts kernel scratch buffers in memory(): live and peak bytes, then freed', () => {
    const backend = M.setBackend('c') as ReturnType<typeof createCBackend>;
    const x = M.randn([2, 8, 16, 16]).realize();
    const w = M.randn([16, 8, 3, 3]).realize();
    const y = M.conv2d(x, w, { padding: 1 });
    const [k] = backend.kernelsFor([y]);
    const scratchBytes = k.kernel.buffers.filter((b) => b.role === 'scratch').reduce((n, b) => n + b.numel * 4, 0);
    // The padded input of this conv is restaged into a workspace (the schedule says so).
    expect(k.kernel.notes.some((n) => n.includes('restaged'))).toBe(true);
    expect(scratchBytes).toBeGreaterThan(0);
    resetPeakBytes();
    const before = memory();
    y.realize();
    const after = memory();
    expect(after.peakScratchBytes).toBe(scratchBytes);
    expect(after.peakBytes - before.liveBytes).toBe(y.numel * 4 + scratchBytes);
    expect(after.scratchBytes).toBe(0);
    expect(after.liveBytes - before.liveBytes).toBe(y.numel * 4);
    for (const v of [x, w, y]) v.dispose();
  });

  it('repeats a training step with zero recompiles, from the plan cache', () => {
    const backend = M.setBackend('c') as ReturnType<typeof createCBackend>;
    const w = M.randn([8, 3, 3, 3]).mul(0.1).realize();
    const b = M.zeros([8]).realize();
    const step = (seed: number) => {
      const x = M.randn([4, 3, 8, 8], { seed });
      const loss = M.relu(M.conv2d(x, w, { padding: 1, bias: b })).mean();
      const [gw, gb] = M.grad(loss, [w, b]);
      const nw = w.sub(gw.mul(0.1));
      const nb = b.sub(gb.mul(0.1));
      M.realize([loss, nw, nb]);
      w.assign(nw);
      b.assign(nb);
      return loss.item();
    };
    step(1);
    const after1 = backend.stats();
    const losses = [step(2), step(3), step(4)];
    const after4 = backend.stats();
    expect(after4.kernelsCompiled).toBe(after1.kernelsCompiled);
    expect(after4.planHits).toBeGreaterThanOrEqual(after1.planHits + 3);
    expect(losses.every(Number.isFinite)).toBe(true);
  });
});
