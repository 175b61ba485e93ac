// Creation ops by hand: tensor() inference and conversion, scalars, ranges, eye.
import { beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, ShapeError } from '@metaop/core';
import * as M from '@metaop/ops';

beforeAll(() => {
  M.setBackend('reference');
});

describe('tensor', () => {
  it('infers shape and dtype from nested arrays and typed arrays', () => {
    const t = M.tensor([[1, 2, 3], [4, 5, 6]]);
    expect([t.shape, t.dtype]).toEqual([[2, 3], 'float32']);
    expect(M.tensor([true, false]).dtype).toBe('bool');
    expect(M.tensor([[true], [false]]).arraySync()).toEqual([[1], [0]]);
    expect(M.tensor([true, 2]).dtype).toBe('float32');
    expect(M.tensor(new Int32Array([1, 2])).dtype).toBe('int32');
    expect(M.tensor(new Float64Array([1, 2]), [2, 1]).shape).toEqual([2, 1]);
    expect(M.tensor(3.5).shape).toEqual([]);
    expect(M.tensor([]).shape).toEqual([0]);
  });

  it('converts values as a cast would', () => {
    expect(Array.from(M.tensor([0, 0.5, 256, -1], undefined, 'bool').dataSync())).toEqual([0, 1, 1, 1]);
    expect(Array.from(M.tensor([-1.7, 2.7, 300], undefined, 'uint8').dataSync())).toEqual([255, 2, 44]);
    expect(Array.from(M.tensor([-1.7, 2.7], undefined, 'int32').dataSync())).toEqual([-1, 2]);
    expect(M.tensor([0.1]).dataSync()[0]).toBe(Math.fround(0.1));
  });

  it('rejects ragged arrays, non-numbers and wrong sizes', () => {
    expect(() => M.tensor([[1, 2], [3]])).toThrow(ShapeError);
    expect(() => M.tensor([[1, 2], [3]])).toThrow(/tensor: nested arrays are ragged/);
    expect(() => M.tensor(['a' as unknown as number])).toThrow(ArgumentError);
    expect(() => M.tensor([1, 2, 3], [2, 2])).toThrow(/3 values do not fill shape \[2, 2\]/);
  });
});

describe('ranges and filled Vars', () => {
  it('arange follows torch.arange', () => {
    expect(M.arange(4).arraySync()).toEqual([0, 1, 2, 3]);
    expect(M.arange(4).dtype).toBe('int32');
    expect(M.arange(1, 2, 0.25).arraySync()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(M.arange(5, 0, -2).arraySync()).toEqual([5, 3, 1]);
    expect(M.arange(2, 2).shape).toEqual([0]);
    expect(() => M.arange(0, 1, 0)).toThrow(ArgumentError);
  });

  it('eye, full, zerosLike and scalar', () => {
    expect(M.eye(2, 3).arraySync()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(M.full([2], 7, 'int32').arraySync()).toEqual([7, 7]);
    expect(M.zerosLike(M.tensor([[1, 2]], undefined, 'float64')).dtype).toBe('float64');
    expect(M.scalar(2.5).item()).toBe(2.5);
  });
});

describe('random stream state', () => {
  it('randomState/setRandomState save and restore the position of the global stream', () => {
    M.manualSeed(11);
    M.rand([3]);
    const saved = M.randomState();
    expect(saved).toEqual({ seed: 11, offset: 3 });
    const next = Array.from(M.randn([4]).dataSync());
    M.setRandomState(saved);
    expect(Array.from(M.randn([4]).dataSync())).toEqual(next);
    expect(() => M.setRandomState({ seed: -1, offset: 0 })).toThrow(/setRandomState: seed must be a non-negative safe integer/);
  });
});
