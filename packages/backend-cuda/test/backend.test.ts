// The cuda backend (emulated): a few ops against the float64 reference backend, the label, and
// METAOP_CUDA_EMULATE=0 without a GPU failing with a message naming what was looked for.
import { afterEach, describe, expect, it } from 'vitest';
import * as M from '@metaop/ops';
import { createCudaBackend, findGpu } from '@metaop/backend-cuda';
import { differential } from '@metaop/compiler/testing';
import { opCases } from '@metaop/ops/testing';

const saved = process.env.METAOP_CUDA_EMULATE;
afterEach(() => {
  if (saved === undefined) delete process.env.METAOP_CUDA_EMULATE;
  else process.env.METAOP_CUDA_EMULATE = saved;
});

describe('cuda (emulated)', () => {
  it('is labelled as emulated', () => {
    delete process.env.METAOP_CUDA_EMULATE;
    expect(createCudaBackend().label).toBe('cuda (emulated)');
  });

  it('conv2d forward and gradient match the float64 reference; Philox random matches', () => {
    M.setBackend('cuda');
    const x = M.tensor([[1, 2], [3, 4]]);
    const y = x.mul(x).sum();
    expect(y.item()).toBe(30);
    const w = M.randn([4, 3, 3, 3]);
    const img = M.randn([2, 3, 9, 9]);
    const c = M.conv2d(img, w, { padding: 1, stride: 2 });
    const ref = M.withBackend('reference', () => M.conv2d(img, w, { padding: 1, stride: 2 }).dataSync());
    const got = c.dataSync();
    for (let i = 0; i < got.length; i++) expect(Math.abs(got[i] - ref[i])).toBeLessThan(1e-4);
    const [gw] = M.grad(c.sum(), [w]);
    const gwRef = M.withBackend('reference', () => M.grad(M.conv2d(img, w, { padding: 1, stride: 2 }).sum(), [w])[0].dataSync());
    const gwc = gw.dataSync();
    for (let i = 0; i < gwc.length; i++) expect(Math.abs(gwc[i] - gwRef[i])).toBeLessThan(1e-3);
    const r = M.rand([5]);
    expect(Array.from(r.dataSync())).toEqual(Array.from(M.withBackend('reference', () => r.dataSync())));
  });

  const some = opCases.filter((_, i) => i % 10 === 0);
  for (const c of some) {
    it(`battery case ${c.name}`, () => {
      expect(differential('cuda', c)).toBeNull();
    });
  }

  it.skipIf(findGpu() !== undefined)('METAOP_CUDA_EMULATE=0 without a GPU fails naming what was looked for', () => {
    process.env.METAOP_CUDA_EMULATE = '0';
    expect(() => createCudaBackend()).toThrow(/METAOP_CUDA_EMULATE=0 but no NVIDIA GPU was found \(looked for \/dev\/nvidia0/);
  });
});
