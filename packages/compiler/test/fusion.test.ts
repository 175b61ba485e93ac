// Kernel-count tests: the fusion rules locked in as numbers, planned without running anything.
import { describe, expect, it } from 'vitest';
import { collectGraph, type Var } from '@metaop/core';
import * as M from '@metaop/ops';
import { CRenderer, planKernels, type PlannedKernel } from '@metaop/compiler';

const device = {
  schedule: { threads: 2, vectorLanes: 8, tile: { lanes: 8, vectors: 2, rows: 6, minWork: 1 << 12 }, shapeClasses: true },
  renderer: new CRenderer(),
};

function kernels(...vars: Var[]): PlannedKernel[] {
  return planKernels(collectGraph(vars), device);
}

const param = (shape: number[]) => M.randn(shape).realize();

describe('fusion', () => {
  it('relu(x*w+b) is one kernel', () => {
    const x = param([16, 32]);
    const w = param([32]);
    const b = param([32]);
    expect(kernels(M.relu(x.mul(w).add(b)))).toHaveLength(1);
  });

  it('matmul is one kernel, and so is a linear layer with bias and activation', () => {
    const a = param([64, 48]);
    const b = param([48, 40]);
    expect(kernels(M.matmul(a, b))).toHaveLength(1);
    const bias = param([40]);
    expect(kernels(M.relu(M.matmul(a, b).add(bias)))).toHaveLength(1);
    expect(kernels(M.matmul(param([3, 64, 48]), param([48, 40])))).toHaveLength(1);
  });

  it('conv2d is one kernel that reads the 7-D virtual tensor without storing it', () => {
    const x = param([2, 3, 16, 16]);
    const w = param([8, 3, 3, 3]);
    const ks = kernels(M.conv2d(x, w, { stride: 2, padding: 1 }));
    expect(ks).toHaveLength(1);
    const [k] = ks;
    expect(k.members.some((v) => v.ndim === 7)).toBe(true);
    expect(k.root.ndim).toBe(4);
    expect(k.inputs.every((v) => v.ndim <= 4)).toBe(true);
  });

  it('conv2d + bias + relu stays one kernel; grouped conv too', () => {
    const x = param([1, 4, 10, 10]);
    const w = param([8, 2, 3, 3]);
    const b = param([8]);
    expect(kernels(M.relu(M.conv2d(x, w, { padding: 1, groups: 2, bias: b })))).toHaveLength(1);
  });

  it('softmax takes at most three kernels; mean takes one', () => {
    const x = param([8, 100]);
    expect(kernels(M.softmax(x, 1)).length).toBeLessThanOrEqual(3);
    expect(kernels(M.mean(x, 1))).toHaveLength(1);
  });

  it('conv2d gradients never store a 7-D tensor', () => {
    const x = param([2, 3, 12, 12]);
    const w = param([4, 3, 3, 3]);
    const y = M.conv2d(x, w, { stride: 2, padding: 1, dilation: 1 });
    const [gx, gw] = M.grad(y.square().sum(), [x, w]);
    const ks = kernels(gx, gw);
    const virtual = 2 * 4 * 3 * 6 * 6 * 3 * 3;
    for (const k of ks) {
      expect(k.root.numel).toBeLessThan(virtual);
      for (const v of k.inputs) expect(v.numel).toBeLessThan(virtual);
    }
    // With restaging on, the workspaces the kernels allocate are small too (padded inputs, not the 7-D tensor).
    const staged = planKernels(collectGraph([gx, gw]), { ...device, schedule: { ...device.schedule, restage: { minReuse: 2, minWork: 1 } } });
    const scratch = staged.flatMap((k) => k.kernel.buffers.filter((b) => b.role === 'scratch'));
    expect(scratch.length).toBeGreaterThan(0);
    for (const b of scratch) expect(b.numel).toBeLessThan(virtual / 4);
    // forward conv, gradient of the output, input gradient (scatter), weight gradient (reduce)
    expect(ks.length).toBeLessThanOrEqual(4);
  });

  it('flat element-wise kernels form shape classes: one key for every size', () => {
    const keys = [7, 1000, 65536].map((n) => kernels(param([n]).mul(0.3).add(param([n])).relu())[0]);
    expect(new Set(keys.map((k) => k.key)).size).toBe(1);
    expect(keys.map((k) => k.params[k.params.length - 1])).toEqual([7, 1000, 65536]);
    // A broadcast read is not flat: its size stays in the key.
    const b1 = kernels(param([4, 8]).add(param([8])))[0];
    const b2 = kernels(param([4, 16]).add(param([16])))[0];
    expect(b1.key).not.toBe(b2.key);
  });

  it('kernel keys ignore buffer identity and runtime constants', () => {
    const a = kernels(param([10, 10]).mul(0.123).add(param([10, 10])));
    const b = kernels(param([10, 10]).mul(0.456).add(param([10, 10])));
    expect(a[0].key).toBe(b[0].key);
    expect(a[0].params).toEqual([Math.fround(0.123), 100]);
    expect(b[0].params).toEqual([Math.fround(0.456), 100]);
    const c = kernels(param([10, 11]).mul(0.456).add(param([11])));
    const d = kernels(param([10, 10]).mul(0.456).add(param([10])));
    expect(c[0].key).not.toBe(d[0].key);
  });
});
