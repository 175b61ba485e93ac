// The smallest end-to-end check: a fused kernel and its gradient on 'bang' (emulated).
import { describe, expect, it } from 'vitest';
import * as M from '@metaop/ops';
import '@metaop/backend-bang';

describe('bang smoke', () => {
  it('runs a fused kernel and its gradient', () => {
    M.setBackend('bang');
    const x = M.tensor([[1, 2], [3, 4]]);
    const y = x.mul(x).sum();
    expect(y.item()).toBe(30);
    const [g] = M.grad(y, [x]);
    expect(Array.from(g.dataSync())).toEqual([2, 4, 6, 8]);
  });
});
