// tril/triu/maskedFill/scaledDotProductAttention beyond the battery: PyTorch's errors, option
// checks, the global random stream for dropout, and the fully-masked-row NaN.
import { beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, DTypeError, type MetaOpError, ShapeError } from '@metaop/core';
import * as M from '@metaop/ops';

beforeAll(() => {
  M.setBackend('reference');
});

function thrown(fn: () => unknown): MetaOpError {
  try {
    fn();
  } catch (e) {
    return e as MetaOpError;
  }
  throw new Error('expected an error, none was thrown');
}

function expectError(fn: () => unknown, cls: new (...args: never[]) => Error, op: string, ...parts: string[]): void {
  const e = thrown(fn);
  expect(e).toBeInstanceOf(cls);
  expect(e.op).toBe(op);
  for (const p of parts) expect(e.message).toContain(p);
}

const qkv = (l = 3, s = 4, e = 2) => [M.randn([2, l, e], { seed: 1 }), M.randn([2, s, e], { seed: 2 }), M.randn([2, s, 3], { seed: 3 })] as const;

describe('tril / triu', () => {
  it('keep the triangles torch keeps (hand-checked 3x3)', () => {
    const x = M.arange(1, 10).reshape([3, 3]);
    expect(M.tril(x).arraySync()).toEqual([[1, 0, 0], [4, 5, 0], [7, 8, 9]]);
    expect(M.triu(x, 1).arraySync()).toEqual([[0, 2, 3], [0, 0, 6], [0, 0, 0]]);
    expect(M.tril(x, -2).arraySync()).toEqual([[0, 0, 0], [0, 0, 0], [7, 0, 0]]);
    expect(x.tril(5).arraySync()).toEqual(x.arraySync());
  });

  it('raise on a vector and on a fractional diagonal, as torch', () => {
    expectError(() => M.tril(M.zeros([4])), ShapeError, 'tril', '[4]', 'at least 2 dims');
    expectError(() => M.triu(M.zeros([2, 2]), 0.5), ArgumentError, 'triu', 'diagonal', '0.5');
  });
});

describe('maskedFill', () => {
  it('needs a bool mask that broadcasts with x', () => {
    expectError(() => M.maskedFill(M.zeros([2, 3]), M.zeros([3]), 1), DTypeError, 'maskedFill', 'bool', 'float32');
    expectError(() => M.maskedFill(M.zeros([2, 3]), M.zeros([4], 'bool'), 1), ShapeError, 'maskedFill', '[2, 3]', '[4]');
    expectError(() => M.maskedFill(M.zeros([2]), M.zeros([2], 'bool'), null as never), ArgumentError, 'maskedFill', 'number');
  });

  it('keeps the dtype of x (bool x with a bool value)', () => {
    const y = M.maskedFill(M.zeros([3], 'bool'), M.tensor([1, 0, 1], [3], 'bool'), true);
    expect(y.dtype).toBe('bool');
    expect(Array.from(y.dataSync())).toEqual([1, 0, 1]);
  });
});

describe('scaledDotProductAttention', () => {
  it('raises when attnMask and isCausal are both given, as torch', () => {
    const [q, k, v] = qkv();
    expectError(() => M.scaledDotProductAttention(q, k, v, { attnMask: M.ones([3, 4], 'bool'), isCausal: true }), ArgumentError,
      'scaledDotProductAttention', 'attnMask and isCausal');
  });

  it('checks shapes, dtypes and options', () => {
    const [q, k, v] = qkv();
    const op = 'scaledDotProductAttention';
    expectError(() => M.scaledDotProductAttention(q, M.randn([2, 4, 5]), v), ShapeError, op, '[2, 3, 2]', '[2, 4, 5]', 'last dim');
    expectError(() => M.scaledDotProductAttention(q, k, M.randn([2, 6, 3])), ShapeError, op, '[2, 4, 2]', '[2, 6, 3]');
    expectError(() => M.scaledDotProductAttention(q, k, v, { attnMask: M.ones([5, 4], 'bool') }), ShapeError, op, '[5, 4]', '[2, 3, 4]');
    expectError(() => M.scaledDotProductAttention(q, k, v, { attnMask: M.ones([3, 4], 'int32') }), DTypeError, op, 'bool or float');
    expectError(() => M.scaledDotProductAttention(q, k, v.cast('float64')), DTypeError, op, 'float64');
    expectError(() => M.scaledDotProductAttention(M.randn([2]), k, v), ShapeError, op, 'at least 2 dims');
    expectError(() => M.scaledDotProductAttention(q, k, v, { dropoutP: 1.5 }), ArgumentError, op, 'dropoutP');
    expectError(() => M.scaledDotProductAttention(q, k, v, { causal: true } as never), ArgumentError, op, "unknown option 'causal'", 'isCausal');
  });

  it('a bool mask equals the float mask of 0 and -inf; isCausal equals the tril mask', () => {
    const [q, k, v] = qkv(4, 4);
    const causal = M.tril(M.ones([4, 4], 'bool'));
    const a = M.scaledDotProductAttention(q, k, v, { isCausal: true }).dataSync();
    const b = M.scaledDotProductAttention(q, k, v, { attnMask: causal }).dataSync();
    const c = M.scaledDotProductAttention(q, k, v, { attnMask: M.maskedFill(M.zeros([4, 4]), M.logicalNot(causal), -Infinity) }).dataSync();
    expect(Array.from(b)).toEqual(Array.from(a));
    Array.from(c).forEach((x, i) => expect(x).toBeCloseTo(a[i], 6));
    // Query 0 sees key 0 only: its output is v's first row.
    expect(Array.from(a.slice(0, 3)).map((x) => Number(x.toFixed(5)))).toEqual(Array.from(v.dataSync().slice(0, 3)).map((x) => Number(x.toFixed(5))));
  });

  it('a fully masked row is NaN, as the reference implementation of torch', () => {
    const [q, k, v] = qkv();
    const mask = M.tensor([0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 1, 0], [3, 4], 'bool');
    const out = M.scaledDotProductAttention(q, k, v, { attnMask: mask }).arraySync() as number[][][];
    expect(out[0][0].every(Number.isNaN)).toBe(true);
    expect(out[0][1].some(Number.isNaN)).toBe(false);
  });

  it('dropout draws from the global stream: manualSeed repeats it, the next call differs', () => {
    const [q, k, v] = qkv();
    M.manualSeed(11);
    const a = Array.from(M.scaledDotProductAttention(q, k, v, { dropoutP: 0.5 }).dataSync());
    const b = Array.from(M.scaledDotProductAttention(q, k, v, { dropoutP: 0.5 }).dataSync());
    M.manualSeed(11);
    const c = Array.from(M.scaledDotProductAttention(q, k, v, { dropoutP: 0.5 }).dataSync());
    expect(c).toEqual(a);
    expect(b).not.toEqual(a);
    const full = Array.from(M.scaledDotProductAttention(q, k, v, { dropoutP: 1 }).dataSync());
    expect(full.every((x) => x === 0)).toBe(true);
  });

  it('dropout is unbiased: the mean over many masks approaches the undropped output', () => {
    const [q, k, v] = qkv();
    const want = M.scaledDotProductAttention(q, k, v).dataSync();
    const n = 400;
    const acc = new Float64Array(want.length);
    for (let s = 0; s < n; s++) {
      const o = M.scaledDotProductAttention(q, k, v, { dropoutP: 0.3, seed: s }).dataSync();
      o.forEach((x, i) => (acc[i] += x / n));
    }
    acc.forEach((x, i) => expect(Math.abs(x - want[i])).toBeLessThan(0.15));
  });
});
