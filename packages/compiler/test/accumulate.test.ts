// The accumulate pass as schedule data: how each float sum is kept shows in the loop IR (and so in
// the kernel key), planned without running anything. Values are tested per backend in
// packages/backend-*/test/accuracy.test.ts.
import { describe, expect, it } from 'vitest';
import { collectGraph, type Var } from '@metaop/core';
import * as M from '@metaop/ops';
import { CRenderer, planKernels, printKernel, type AccumulateOptions } from '@metaop/compiler';

const tile = { lanes: 8, vectors: 2, rows: 6, minWork: 1 << 12 };

function plan(v: Var, accumulate?: AccumulateOptions) {
  const [k] = planKernels(collectGraph([v]), { schedule: { threads: 2, vectorLanes: 8, tile, accumulate }, renderer: new CRenderer() });
  return { key: k.key, ir: printKernel(k.kernel), source: k.source };
}

const param = (shape: number[]) => M.randn(shape).realize();
const wide: AccumulateOptions = { scalar: 'wide', tile: { block: 64 }, chunk: 1 << 14 };

describe('accumulate pass', () => {
  it('keeps a scalar float32 sum in float64 and rounds it once', () => {
    const { ir, source } = plan(M.sum(M.exp(param([8192]))), wide);
    expect(ir).toContain('acc0:float64 = init add');
    expect(ir).toMatch(/acc0 ⊕= float64\(exp\(b0\[i\d+\]\)\)/);
    expect(ir).toContain('= float32(acc0)');
    expect(source).toContain('double acc0 = 0.0;');
  });

  it('cuts a long full reduction into fixed chunks whose partial sums are added in order', () => {
    const { ir, source } = plan(M.sum(param([1 << 20])), wide);
    expect(ir).toMatch(/acc\d+:float64\[64\] = init add/); // 64 chunks of 16384
    expect(ir).toMatch(/for i\d+ < 64 \(spatial parallel\)/);
    expect(ir).toMatch(/for i\d+ < 16384 \(reduce vectorize=8[^)]*\)/);
    expect(source).not.toMatch(/parallel for[^\n]*reduction/); // no OpenMP reduction: the order is fixed
  });

  it('sums register tiles in float32 blocks of at most `block` terms added into float64 cells', () => {
    const { ir } = plan(M.matmul(param([64, 256]), param([256, 64])), wide);
    expect(ir).toMatch(/acc0:float64\[6x16\] = init add/);
    expect(ir).toMatch(/acc\d+:float32\[6x16\] = init add/); // the block accumulator, in vector registers
    expect(ir).toMatch(/for i\d+ < 4 \(reduce\)\n\s+acc\d+:float32\[6x16\] = init add\n\s+for i\d+ < 64 \(reduce\)/);
    expect(ir).toMatch(/acc0\[i\d+,i\d+\] ⊕= float64\(acc\d+\[i\d+,i\d+\]\)/);
    // A convolution's reduction over 16 channels x 3 x 3: blocks of whole channels (7 x 9 = 63 terms), then a tail of 2 channels.
    const conv = plan(M.conv2d(param([1, 16, 20, 20]), param([32, 16, 3, 3]), { padding: 1 }), wide).ir;
    expect(conv).toMatch(/for i\d+ < 2 \(reduce\)\n\s+acc\d+:float32\[\d+x\d+\] = init add\n\s+for i\d+ < 7 \(reduce\)/);
  });

  it('marks scalar sums compensated where float64 is not cheap', () => {
    const { ir, source } = plan(M.sum(M.exp(param([8192]))), { scalar: 'compensated', tile: 'wide' });
    expect(ir).toContain('acc0:float32 = init add compensated');
    expect(source).toContain('acc0c = ');
  });

  it('is part of the kernel key', () => {
    const x = param([4096, 64]);
    expect(plan(M.sum(x, [0]), wide).key).not.toBe(plan(M.sum(x, [0])).key);
  });
});
