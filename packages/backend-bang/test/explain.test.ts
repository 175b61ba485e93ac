// explain() with { backend: 'bang' } shows the BANG C generated for a convolution layer.
import { describe, expect, it } from 'vitest';
import * as M from '@metaop/ops';
import { explain } from '@metaop/compiler';
import '@metaop/backend-bang';

describe('explain on bang', () => {
  it('prints the BANG C of a conv layer', () => {
    const x = M.randn([1, 3, 8, 8]);
    const w = M.randn([4, 3, 3, 3]);
    const b = M.randn([4]);
    const y = M.conv2d(x, w, { padding: 1 }).add(b.reshape([1, 4, 1, 1])).relu();
    const e = explain(y, { backend: 'bang' });
    expect(e.backend).toBe('bang (emulated)');
    expect(e.text).toMatch(/^backend bang \(emulated\): \d+ kernels?/);
    expect(e.text).toContain('__mlu_global__');
    expect(e.text).toContain('extern "C" int k_');
    expect(e.kernels.some((k) => k.ops.some((op) => op.startsWith('reduce(add)')))).toBe(true);
  });
});
