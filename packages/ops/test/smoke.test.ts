import { describe, expect, it } from 'vitest';
import * as M from '@metaop/ops';

describe('smoke', () => {
  it('computes and differentiates', () => {
    M.setBackend('reference');
    const x = M.tensor([[1, 2], [3, 4]]);
    const y = x.mul(x).sum();
    expect(y.item()).toBe(30);
    const [g] = M.grad(y, [x]);
    expect(Array.from(g.dataSync())).toEqual([2, 4, 6, 8]);
    const w = M.tensor([[[[1, 0], [0, 1]]]]);
    const img = M.reshape(M.arange(9).cast('float32'), [1, 1, 3, 3]);
    const c = M.conv2d(img, w);
    expect(Array.from(c.dataSync())).toEqual([4, 6, 10, 12]);
    expect(M.metaOps.length).toBe(18);
    const g2 = M.grad(M.grad(x.pow(3).sum(), x), x);
    expect(Array.from(g2.dataSync())).toEqual([6, 12, 18, 24]);
  });
});
