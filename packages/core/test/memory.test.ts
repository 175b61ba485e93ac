// Memory accounting, realize's freeing of temporaries, dispose, Var.assign and Symbol.dispose.
import { beforeEach, describe, expect, it } from 'vitest';
import { memory, resetPeakBytes, ShapeError, realize, Var } from '../src/index.js';
import { add, constant, data, mul, neg, useTestBackend, values } from './helpers.js';

beforeEach(() => {
  useTestBackend();
});

describe('memory accounting', () => {
  it('liveBytes goes up when a Var is realized and down when it is disposed', () => {
    const before = memory();
    const v = add(constant(1, [100]), constant(2, [100]));
    expect(memory().liveBytes).toBe(before.liveBytes);
    v.realize();
    expect(memory().liveBytes).toBe(before.liveBytes + 400);
    expect(memory().liveStorages).toBe(before.liveStorages + 1);
    v.dispose();
    expect(memory().liveBytes).toBe(before.liveBytes);
    expect(memory().liveStorages).toBe(before.liveStorages);
  });

  it('counts bytes by dtype', () => {
    const before = memory().liveBytes;
    const vs = [data([1, 2], [2], 'float64'), data([1, 2], [2], 'int32'), data([1, 2], [2], 'uint8'), data([1, 0], [2], 'bool')];
    expect(memory().liveBytes - before).toBe(16 + 8 + 2 + 2);
    vs.forEach((v) => v.dispose());
    expect(memory().liveBytes).toBe(before);
  });

  it('realize frees every temporary and keeps only what was asked for', () => {
    const backend = useTestBackend();
    const before = memory();
    const frees = backend.stats.frees;
    const a = constant(2, [50]);
    const b = mul(a, constant(3, [50]));
    const c = neg(add(b, a));
    c.realize();
    expect(values(c)[0]).toBe(-8);
    // Only c owns storage: a, b and the constants were computed and freed again.
    expect(memory().liveStorages).toBe(before.liveStorages + 1);
    expect(a.isRealized || b.isRealized).toBe(false);
    expect(backend.stats.frees - frees).toBe(4);
    // The peak saw the temporaries alive at once.
    expect(memory().peakBytes).toBeGreaterThanOrEqual(before.liveBytes + 3 * 200);
    c.dispose();
  });

  it('realize of several Vars shares their inputs and keeps all outputs', () => {
    const before = memory().liveStorages;
    const a = add(constant(1, [4]), constant(1, [4]));
    const b = mul(a, a);
    const c = neg(a);
    realize([b, c, b]);
    expect(memory().liveStorages).toBe(before + 2);
    expect(values(b)).toEqual([4, 4, 4, 4]);
    expect(values(c)).toEqual([-2, -2, -2, -2]);
    b.dispose();
    c.dispose();
  });

  it('resetPeakBytes starts the peak from the live bytes', () => {
    resetPeakBytes();
    expect(memory().peakBytes).toBe(memory().liveBytes);
    const v = data(new Array(1000).fill(1));
    expect(memory().peakBytes).toBe(memory().liveBytes);
    v.dispose();
    expect(memory().peakBytes).toBe(memory().liveBytes + 4000);
  });

  it('dispose is idempotent and Symbol.dispose disposes', () => {
    const before = memory().liveBytes;
    const v = data([1, 2, 3]);
    v.dispose();
    v.dispose();
    expect(memory().liveBytes).toBe(before);
    {
      using w = data([1, 2, 3]);
      expect(memory().liveBytes).toBe(before + 12);
      expect(w.isDisposed).toBe(false);
    }
    expect(memory().liveBytes).toBe(before);
  });
});

describe('Var', () => {
  it('realizes lazily and reads values, items and nested arrays', () => {
    const v = add(constant(1, [2, 3]), constant(0.5, [2, 3]));
    expect(v.isRealized).toBe(false);
    expect(v.arraySync()).toEqual([[1.5, 1.5, 1.5], [1.5, 1.5, 1.5]]);
    expect(v.isRealized).toBe(true);
    expect(constant(7, []).item()).toBe(7);
    expect(() => v.item()).toThrow(ShapeError);
    expect(() => v.item()).toThrow(/item\(\) needs exactly one element but the shape is \[2, 3\]/);
  });

  it('data() resolves to the same values as dataSync()', async () => {
    const v = mul(constant(3, [2]), constant(2, [2]));
    expect(Array.from(await v.data())).toEqual([6, 6]);
    expect(await v.array()).toEqual([6, 6]);
  });

  it('fromArray checks the element count and converts values to the dtype', () => {
    expect(() => Var.fromArray(new Float32Array(5), [2, 3], 'float32')).toThrow(/5 values do not fill shape \[2, 3\]/);
    expect(values(Var.fromArray(Float64Array.from([-1.5, 2.7, 300]), [3], 'int32'))).toEqual([-1, 2, 300]);
    expect(values(Var.fromArray(Float64Array.from([-1, 256, 0.5]), [3], 'uint8'))).toEqual([255, 0, 0]);
    // NaN is true, as in C and PyTorch.
    expect(values(Var.fromArray(Float64Array.from([0, 0.5, NaN]), [3], 'bool'))).toEqual([0, 1, 1]);
  });

  it('assign moves a computed value in place and makes the Var a leaf', () => {
    const before = memory().liveStorages;
    const p = data([1, 2, 3]);
    const update = add(p, constant(10, [3]));
    p.assign(update);
    expect(values(p)).toEqual([11, 12, 13]);
    expect(p.node).toBeNull();
    // The update gave its storage to p and is lazy again; only p holds memory.
    expect(update.isRealized).toBe(false);
    expect(memory().liveStorages).toBe(before + 1);
    p.dispose();
  });

  it('assign from a leaf copies, so both keep their values', () => {
    const p = data([1, 2]);
    const q = data([5, 6]);
    p.assign(q);
    expect(values(p)).toEqual([5, 6]);
    expect(values(q)).toEqual([5, 6]);
    q.dispose();
    expect(values(p)).toEqual([5, 6]);
    p.dispose();
  });

  it('assign checks shape and dtype', () => {
    const p = data([1, 2]);
    expect(() => p.assign(data([1, 2, 3]))).toThrow(ShapeError);
    expect(() => p.assign(data([1, 2, 3]))).toThrow(/assign: cannot assign float32\[3\] to float32\[2\]/);
    expect(() => p.assign(data([1, 2], [2], 'int32'))).toThrow(/int32\[2\] to float32\[2\]/);
  });

  it('describes itself', () => {
    const v = data([1, 2, 3, 4], [2, 2]);
    v.name = 'weight';
    expect(v.describe()).toBe('float32[2, 2]');
    expect(v.toString()).toMatch(/^Var#\d+\(float32\[2, 2\], realized, weight\)$/);
    v.dispose();
    expect(v.toString()).toContain('disposed');
  });
});

describe('assign', () => {
  it('moves a computed value without leaving a copy behind, also under noGrad', async () => {
    const { noGrad } = await import('../src/index.js');
    const before = memory().liveBytes;
    const w = data([1, 2, 3, 4], [4], 'float32');
    const after = memory().liveBytes;
    noGrad(() => w.assign(add(w, w)));
    expect(memory().liveBytes).toBe(after);
    expect(Array.from(w.dataSync())).toEqual([2, 4, 6, 8]);
    w.dispose();
    expect(memory().liveBytes).toBe(before);
  });
});
