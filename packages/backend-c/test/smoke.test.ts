import { describe, expect, it } from 'vitest';
import * as M from '@metaop/ops';
import '@metaop/backend-c';

describe('c smoke', () => {
  it('runs fused kernels', () => {
    M.setBackend('c');
    const x = M.tensor([[1, 2], [3, 4]]);
    const y = x.mul(x).sum();
    expect(y.item()).toBe(30);
    const [g] = M.grad(y, [x]);
    expect(Array.from(g.dataSync())).toEqual([2, 4, 6, 8]);
    const w = M.randn([4, 3, 3, 3]);
    const img = M.randn([2, 3, 9, 9]);
    const c = M.conv2d(img, w, { padding: 1, stride: 2 });
    const ref = M.withBackend('reference', () => M.conv2d(img, w, { padding: 1, stride: 2 }).dataSync());
    const got = c.dataSync();
    let maxErr = 0;
    for (let i = 0; i < got.length; i++) maxErr = Math.max(maxErr, Math.abs(got[i] - ref[i]));
    expect(maxErr).toBeLessThan(1e-4);
    const [gw] = M.grad(c.sum(), [w]);
    const gwRef = M.withBackend('reference', () => M.grad(M.conv2d(img, w, { padding: 1, stride: 2 }).sum(), [w])[0].dataSync());
    const gwc = gw.dataSync();
    for (let i = 0; i < gwc.length; i++) expect(Math.abs(gwc[i] - gwRef[i])).toBeLessThan(1e-3);
    const r = M.rand([5]);
    expect(Array.from(r.dataSync())).toEqual(Array.from(M.withBackend('reference', () => r.dataSync())));
  });
});
