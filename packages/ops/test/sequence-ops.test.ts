// Issue #13's ops beyond the battery: errors as torch raises them, multinomial's distribution and
// reproducibility, and cumsum's float32 accuracy against float64.
import { beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, DTypeError, type MetaOpError, ShapeError } from '@metaop/core';
import * as M from '@metaop/ops';

beforeAll(() => {
  M.setBackend('reference');
});

function expectError(fn: () => unknown, cls: new (...args: never[]) => Error, op: string, ...parts: string[]): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(cls);
  expect((err as MetaOpError).op).toBe(op);
  for (const p of parts) expect((err as Error).message).toContain(p);
}

describe('errors', () => {
  it('norms name the shapes', () => {
    expectError(() => M.layerNorm(M.zeros([2, 3]), [4]), ShapeError, 'layerNorm', '[4]', '[2, 3]');
    expectError(() => M.layerNorm(M.zeros([2, 3]), [3], M.ones([4])), ShapeError, 'layerNorm', 'weight', '[4]', '[3]');
    expectError(() => M.groupNorm(M.zeros([2, 6, 3]), 4), ShapeError, 'groupNorm', 'numGroups 4', '6 channels');
    expectError(() => M.batchNorm(M.zeros([1, 3]), null, null, { training: true }), ShapeError, 'batchNorm', 'more than 1 value per channel');
    expectError(() => M.batchNorm(M.zeros([2, 3]), null, null), ArgumentError, 'batchNorm', 'runningMean');
    expectError(() => M.batchNorm(M.zeros([2, 3]), M.zeros([4]), M.ones([3])), ShapeError, 'batchNorm', 'runningMean [4]', '[3]');
    expectError(() => M.layerNorm(M.zeros([2, 3], 'int32'), 3), DTypeError, 'layerNorm', 'float');
  });

  it('binaryCrossEntropy needs matching float shapes', () => {
    expectError(() => M.binaryCrossEntropy(M.rand([2, 3]), M.rand([3])), ShapeError, 'binaryCrossEntropy', '[3]', '[2, 3]');
    expectError(() => M.binaryCrossEntropy(M.rand([3]), M.zeros([3], 'int32')), DTypeError, 'binaryCrossEntropy', 'int32');
  });

  it('scans, sorts and topk check dims and k', () => {
    expectError(() => M.cumsum(M.zeros([2, 3]), 2), ShapeError, 'cumsum', 'dim 2');
    expectError(() => M.sort(M.zeros([2, 3]), -3), ShapeError, 'sort', 'dim -3');
    expectError(() => M.topk(M.zeros([2, 3]), 4), ShapeError, 'topk', 'k 4', '[0, 3]');
    expectError(() => M.sort(M.zeros([3]), -1, { descending: 'yes' } as never), ArgumentError, 'sort', 'descending');
  });

  it('einsum explains bad equations', () => {
    const a = M.zeros([2, 3]);
    expectError(() => M.einsum('ij,jk->ik', a), ArgumentError, 'einsum', '2 operand terms', '1 operands');
    expectError(() => M.einsum('ijk->i', a), ShapeError, 'einsum', "'ijk'", '3 dims', '2');
    expectError(() => M.einsum('ij,jk->ik', a, M.zeros([4, 2])), ShapeError, 'einsum', "label 'j'", '3 and 4');
    expectError(() => M.einsum('ij->iz', a), ArgumentError, 'einsum', "'z'");
    expectError(() => M.einsum('i1->i', a), ArgumentError, 'einsum', "'1'");
    expectError(() => M.einsum('ij,jk', a, M.zeros([3, 2], 'int32')), DTypeError, 'einsum', 'float32, int32');
  });

  it('interpolate refuses what torch refuses', () => {
    const x = M.zeros([1, 1, 4, 4]);
    expectError(() => M.interpolate(x, { size: 2, scaleFactor: 2 }), ArgumentError, 'interpolate', 'exactly one');
    expectError(() => M.interpolate(x, { size: 2, alignCorners: true }), ArgumentError, 'interpolate', 'alignCorners');
    expectError(() => M.interpolate(M.zeros([1, 1, 4]), { size: 2, mode: 'bilinear' }), ShapeError, 'interpolate', "'bilinear'", '[1, 1, 4]');
    expectError(() => M.interpolate(x, { size: [2, 2, 2] }), ArgumentError, 'interpolate', 'size needs 2 values');
    expectError(() => M.interpolate(x, { size: 2, mode: 'bicubic' as never }), ArgumentError, 'interpolate', "'bicubic'");
  });

  it('multinomial checks n against the categories without replacement', () => {
    expectError(() => M.multinomial(M.ones([3]), 4), ArgumentError, 'multinomial', '4 samples', '3 categories', 'replacement');
    expectError(() => M.multinomial(M.ones([2, 2, 3]), 1), ShapeError, 'multinomial', '[2, 2, 3]');
  });
});

describe('multinomial', () => {
  const probs = [0.1, 0.2, 0.3, 0.4];

  it('with replacement, frequencies follow the weights (unnormalised weights too)', () => {
    const n = 20000;
    const s = M.multinomial(M.tensor(probs.map((p) => p * 5)), n, { replacement: true, seed: 1 }).dataSync();
    const freq = [0, 0, 0, 0];
    for (const k of s) freq[k] += 1 / n;
    freq.forEach((f, k) => expect(Math.abs(f - probs[k])).toBeLessThan(0.015));
  });

  it('without replacement, the first draw follows the weights and rows are permutations', () => {
    const rows = 8000;
    const p = M.broadcast(M.tensor(probs), [rows, 4]);
    const s = M.multinomial(p, 4, { seed: 3 }).arraySync() as number[][];
    const first = [0, 0, 0, 0];
    for (const r of s) {
      first[r[0]] += 1 / rows;
      expect([...r].sort()).toEqual([0, 1, 2, 3]);
    }
    first.forEach((f, k) => expect(Math.abs(f - probs[k])).toBeLessThan(0.02));
  });

  it('draws from the global stream: manualSeed repeats them', () => {
    const p = M.tensor(probs);
    M.manualSeed(4);
    const a = Array.from(M.multinomial(p, 50, { replacement: true }).dataSync());
    const b = Array.from(M.multinomial(p, 50, { replacement: true }).dataSync());
    M.manualSeed(4);
    expect(Array.from(M.multinomial(p, 50, { replacement: true }).dataSync())).toEqual(a);
    expect(b).not.toEqual(a);
  });
});

describe('cumsum accuracy in float32', () => {
  it('the blocked scan is more accurate than a running float32 sum (100000 values, against float64)', () => {
    const n = 100000;
    const x = M.rand([n], { seed: 7 });
    const values = Array.from(x.dataSync());
    const got = M.cumsum(x, 0).dataSync();
    let exact = 0;
    let naive = 0;
    let errBlocked = 0;
    let errNaive = 0;
    for (let i = 0; i < n; i++) {
      exact += values[i];
      naive = Math.fround(naive + values[i]);
      errBlocked = Math.max(errBlocked, Math.abs(got[i] - exact) / exact);
      errNaive = Math.max(errNaive, Math.abs(naive - exact) / exact);
    }
    // Recorded for the docs: blocked ~1e-7, running sum ~1e-5 at this length.
    expect(errBlocked).toBeLessThan(1e-6);
    expect(errBlocked).toBeLessThan(errNaive);
  });
});

// Python torch 1.13, float64: F.binary_cross_entropy(x, y, weight=w, reduction='sum').backward() on
// the values below (p = 0 and 1 included). torch's target gradient is ±inf at p = 0 and 1; MetaOp's
// is the derivative of the clamped forward (±100 times the weight), so those four entries differ
// on purpose (docs/sequence-ops.md).
const bceEdge = {
  x: [0, 1, 0.3, 1, 0, 0.7],
  y: [1, 0, 0.5, 1, 0, 0.25],
  w: [0.5, 2, 1, 1, 3, 1],
  loss: 251.77247221336145,
  gradX: [-500000001997.9014, 2000000007991.6057, -0.9523809523809524, 0, 0, 2.1428571428571423],
  gradY: [50, -200, 0.8472978603872037, -100, 300, -0.8472978603872034],
};

describe.each(['reference', 'js', 'c'])('binaryCrossEntropy gradients at p = 0 and 1 on %s', (backend) => {
  it("are finite and torch's, not NaN", () => {
    M.setBackend(backend);
    try {
      const x = M.tensor(bceEdge.x);
      const y = M.tensor(bceEdge.y);
      const loss = M.binaryCrossEntropy(x, y, { weight: M.tensor(bceEdge.w), reduction: 'sum' });
      const [gx, gy] = M.grad(loss, [x, y]);
      expect(loss.item()).toBeCloseTo(bceEdge.loss, 3);
      const gotX = Array.from(gx.dataSync());
      const gotY = Array.from(gy.dataSync());
      for (let i = 0; i < gotX.length; i++) {
        const want = bceEdge.gradX[i];
        expect(Math.abs(gotX[i] - want)).toBeLessThanOrEqual(1e-5 * Math.abs(want) + 1e-6);
        expect(Math.abs(gotY[i] - bceEdge.gradY[i])).toBeLessThanOrEqual(1e-5 * Math.abs(bceEdge.gradY[i]) + 1e-6);
      }
    } finally {
      M.setBackend('reference');
    }
  });
});
