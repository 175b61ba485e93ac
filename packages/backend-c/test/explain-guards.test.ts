// explain() shows the index-guard checks realize adds to a plan, as kernels of that same plan.
import { describe, expect, it } from 'vitest';
import * as M from '@metaop/ops';
import { explain } from '@metaop/compiler';
import '@metaop/backend-c';

describe('explain with index guards', () => {
  it('lists the checks and marks the kernels that compute them', () => {
    const table = M.randn([10, 4]);
    const ids = M.tensor([1, 7, 3], [3], 'int32');
    const y = M.embedding(ids, table).sum();
    const e = explain(y, { backend: 'c', source: false });
    expect(e.text).toContain('index guards: 1 check');
    expect(e.text).toContain('embedding: index in 0..9 of dim 0');
    const guardKernels = e.kernels.filter((k) => k.guard);
    // One reduction computes both ends of the index range: a guard costs one small kernel.
    expect(guardKernels.length).toBe(1);
    expect(e.kernels.some((k) => !k.guard)).toBe(true);
    expect(e.text).toContain('(index-guard check)');
  });

  it('a loss with ignoreIndex and its gradient add one check kernel to the training step', () => {
    const w = M.randn([8, 10]).realize();
    const loss = M.crossEntropy(M.matmul(M.randn([16, 8]), w), M.tensor(Array.from({ length: 16 }, (_, i) => i % 10), [16], 'int32'));
    const [g] = M.grad(loss, [w]);
    const e = explain([loss, g], { backend: 'c', source: false });
    expect(e.text).toContain('crossEntropy: target in 0..9 of dim 1 (ignoreIndex -100 skipped)');
    expect(e.kernels.filter((k) => k.guard).length).toBe(1);
  });

  it('adds nothing to a graph without guarded ops', () => {
    const e = explain(M.randn([4]).mul(2).sum(), { backend: 'c', source: false });
    expect(e.text).not.toContain('index guards');
    expect(e.kernels.every((k) => !k.guard)).toBe(true);
  });
});
