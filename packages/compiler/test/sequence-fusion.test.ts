// Kernel counts of issue #13's ops, planned without running anything: scaledDotProductAttention
// (how many kernels, and how many store an [L, S] matrix per head), interpolate, einsum, the
// stages of sort and the levels of cumsum.
import { describe, expect, it } from 'vitest';
import { collectGraph, type Var } from '@metaop/core';
import * as M from '@metaop/ops';
import { CRenderer, planKernels, type PlannedKernel } from '@metaop/compiler';

const device = {
  schedule: { threads: 2, vectorLanes: 8, tile: { lanes: 8, vectors: 2, rows: 6, minWork: 1 << 12 }, shapeClasses: true },
  renderer: new CRenderer(),
};

const kernels = (...vars: Var[]): PlannedKernel[] => planKernels(collectGraph(vars), device);
const param = (shape: number[]) => M.randn(shape).realize();

/** Kernels whose stored result is a [..., L, S] matrix (the scores or something of their size). */
const scoreSized = (ks: PlannedKernel[], L: number, S: number) => ks.filter((k) => k.root.shape.slice(-2).join() === `${L},${S}`);

describe('scaledDotProductAttention fusion', () => {
  const [B, H, L, S, E] = [2, 4, 48, 40, 16];
  const q = param([B, H, L, E]);
  const k = param([B, H, S, E]);
  const v = param([B, H, S, E]);

  it('is five kernels, two of them [L, S]: the scores and their exponentials; the probabilities are never stored', () => {
    for (const options of [{}, { isCausal: false, scale: 0.3 }, { attnMask: param([L, S]) }, { attnMask: M.rand([L, S]).gt(0.2).realize() }]) {
      const ks = kernels(M.scaledDotProductAttention(q, k, v, options));
      // scores (q·kᵀ, scale and mask in its epilogue), row max, exp(scores - max), row sum, (Σ e·v) / sum
      expect(ks).toHaveLength(5);
      expect(scoreSized(ks, L, S)).toHaveLength(2);
    }
  });

  it('the causal mask is index arithmetic inside those kernels, not a stored [L, S] mask', () => {
    const ks = kernels(M.scaledDotProductAttention(q, k, v, { isCausal: true }));
    expect(ks).toHaveLength(5);
    expect(scoreSized(ks, L, S)).toHaveLength(2);
    expect(ks.every((kk) => kk.inputs.every((i) => i.shape.length === 4))).toBe(true);
  });

  it('dropout adds no kernel: the Philox mask is generated inside the weights kernel', () => {
    expect(kernels(M.scaledDotProductAttention(q, k, v, { dropoutP: 0.1, seed: 1 }))).toHaveLength(5);
  });

  it('the naive composition softmax(q·kᵀ)·v stores two [L, S] matrices too (scores and probabilities)', () => {
    const naive = M.matmul(M.softmax(M.mul(M.matmul(q, M.transpose(k)), 0.25), -1), v);
    expect(scoreSized(kernels(naive), L, S)).toHaveLength(2);
  });
});

describe('other issue #13 ops', () => {
  it('interpolate is one kernel, nearest or bilinear; a two-operand einsum is one, like matmul', () => {
    const x = param([1, 2, 8, 8]);
    expect(kernels(M.interpolate(x, { size: [13, 11], mode: 'bilinear' }))).toHaveLength(1);
    expect(kernels(M.interpolate(x, { scaleFactor: 2 }))).toHaveLength(1);
    expect(kernels(M.einsum('bij,bjk->bik', param([2, 3, 4]), param([2, 4, 5])))).toHaveLength(1);
  });

  it('sort is one kernel per bitonic stage; cumsum one kernel up to 64 elements, four at 1000', () => {
    expect(kernels(M.sort(param([4, 8]))[0])).toHaveLength(6);
    expect(kernels(M.sort(param([2, 1024]))[0])).toHaveLength(55);
    expect(kernels(M.cumsum(param([4, 50]), 1))).toHaveLength(1);
    expect(kernels(M.cumsum(param([4, 1000]), 1))).toHaveLength(4);
  });
});
