// The kernel clock (timeKernels): while on, launches go through the timing trampoline, give the same
// values and add up the time spent inside kernels; while off, it counts nothing.
import { describe, expect, it } from 'vitest';
import * as M from '@metaop/ops';
import type { CBackend } from '@metaop/backend-c';

describe('c backend kernel clock', () => {
  it('counts time inside kernels only while on, and leaves results unchanged', () => {
    const backend = M.setBackend('c') as CBackend;
    const x = M.rand([1 << 16], { seed: 3 }).realize();
    const plain = x.mul(3).add(1).sum().item();
    backend.timeKernels(true);
    const before = performance.now();
    const timed = x.mul(3).add(1).sum().item();
    const wallNs = (performance.now() - before) * 1e6;
    const inside = backend.kernelNanoseconds();
    backend.timeKernels(false);
    expect(timed).toBe(plain);
    expect(inside).toBeGreaterThan(0);
    expect(inside).toBeLessThan(wallNs);
    x.mul(5).sum().item();
    expect(backend.kernelNanoseconds()).toBe(inside);
    backend.timeKernels(true);
    expect(backend.kernelNanoseconds()).toBe(0);
    backend.timeKernels(false);
  });
});
