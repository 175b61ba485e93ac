import { describe, expect, it } from 'vitest';
import * as M from '@metaop/ops';
import { createJsBackend } from '@metaop/backend-js';
import { printKernel } from '@metaop/compiler';

describe('js smoke', () => {
  it('runs fused kernels', () => {
    M.setBackend('js');
    const x = M.tensor([[1, 2], [3, 4]]);
    const y = x.mul(x).sum();
    expect(y.item()).toBe(30);
    const [g] = M.grad(y, [x]);
    expect(Array.from(g.dataSync())).toEqual([2, 4, 6, 8]);
    const w = M.tensor([[[[1, 0], [0, 1]]]]);
    const img = M.reshape(M.arange(9).cast('float32'), [1, 1, 3, 3]);
    const c = M.conv2d(img, w, { padding: 1 });
    const ref = M.withBackend('reference', () => M.conv2d(img, w, { padding: 1 }).dataSync());
    expect(Array.from(c.dataSync())).toEqual(Array.from(ref));
    const sm = M.softmax(M.tensor([[1, 2, 3], [4, 5, 7]]), 1);
    const b = createJsBackend();
    const ks = b.kernelsFor([sm]);
    for (const k of ks) console.log(printKernel(k.kernel), '\n', k.source);
    expect(ks.length).toBeLessThanOrEqual(3);
    console.log(Array.from(sm.dataSync()));
  });
});
