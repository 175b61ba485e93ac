// The 18 meta-ops with hand-computed values, the metaOps table, and the gradient semantics that
// finite differences cannot see (ties, kinks, integer inputs, stopped gradients).
import { beforeAll, describe, expect, it } from 'vitest';
import * as M from '@metaop/ops';
import type { Var } from '@metaop/ops';

const values = (v: Var) => Array.from(v.dataSync());

beforeAll(() => {
  M.setBackend('reference');
});

describe('metaOps table', () => {
  it('lists 18 meta-ops: 7 element-wise, 7 reindex, 4 reduce, with their arity', () => {
    expect(M.metaOps).toHaveLength(18);
    const byClass = (cls: string) => M.metaOps.filter((m) => m.class === cls).map((m) => `${m.name}/${m.arity}`);
    expect(byClass('elementwise')).toEqual(['constant/0', 'index/0', 'random/0', 'cast/1', 'unary/1', 'binary/2', 'ternary/3']);
    expect(byClass('reindex')).toEqual(['reindex/1', 'gather/2', 'broadcast/1', 'reshape/1', 'permute/1', 'slice/1', 'pad/1']);
    expect(byClass('reduce')).toEqual(['reduce/1', 'reindexReduce/1', 'scatter/2', 'argReduce/1']);
    expect(Object.isFrozen(M.metaOps)).toBe(true);
  });

  it('has one gradient rule per meta-op', () => {
    expect(Object.keys(M.gradRules).sort()).toEqual(M.metaOps.map((m) => m.name).sort());
  });
});

describe('element-wise meta-ops by hand', () => {
  it('constant converts its value to the dtype', () => {
    expect(values(M.constant(-7.9, [2], 'int32'))).toEqual([-7, -7]);
    expect(values(M.constant(300, [1], 'uint8'))).toEqual([44]);
    expect(values(M.constant(0.1, [1], 'float32'))).toEqual([Math.fround(0.1)]);
    expect(M.constant(1, [0, 3]).dataSync()).toHaveLength(0);
  });

  it('index gives the coordinate along a dim', () => {
    expect(M.index([2, 3], 0).arraySync()).toEqual([[0, 0, 0], [1, 1, 1]]);
    expect(M.index([2, 3], -1).arraySync()).toEqual([[0, 1, 2], [0, 1, 2]]);
  });

  it('random is Philox4x32-10: the Random123 known-answer vector and reproducible draws', () => {
    expect(Array.from(M.philox4x32(0, 0))).toEqual([0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
    expect(M.philoxUniform(0, 0)).toBe((0x6627e8d5 >>> 8) / 2 ** 24);
    const a = values(M.random([5], { seed: 3, offset: 10 }, 'float64'));
    const b = values(M.random([8], { seed: 3, offset: 7 }, 'float64'));
    expect(a).toEqual(b.slice(3));
    expect(values(M.random([5], { seed: 4, offset: 10 }, 'float64'))).not.toEqual(a);
  });

  it('random draws have the right moments', () => {
    const u = values(M.random([20000], { seed: 1, offset: 0 }, 'float64'));
    const n = values(M.random([20000], { dist: 'normal', seed: 1, offset: 0 }, 'float64'));
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = (xs: number[]) => mean(xs.map((x) => (x - mean(xs)) ** 2));
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(mean(u)).toBeCloseTo(0.5, 2);
    expect(variance(u)).toBeCloseTo(1 / 12, 2);
    expect(mean(n)).toBeCloseTo(0, 1);
    expect(variance(n)).toBeCloseTo(1, 1);
  });

  it('cast truncates toward zero, wraps uint8 and makes bool from non-zero', () => {
    const x = M.tensor([-2.7, -0.5, 0, 0.5, 2.7, 257.9]);
    expect(values(M.cast(x, 'int32'))).toEqual([-2, 0, 0, 0, 2, 257]);
    expect(values(M.cast(x, 'uint8'))).toEqual([254, 0, 0, 0, 2, 1]);
    expect(values(M.cast(x, 'bool'))).toEqual([1, 1, 0, 1, 1, 1]);
  });

  it('unary functions', () => {
    const x = M.tensor([-1.5, -0.5, 0.5, 2.5], [4], 'float64');
    expect(values(M.unary(x, 'round'))).toEqual([-2, -0, 0, 2]);
    expect(values(M.unary(x, 'floor'))).toEqual([-2, -1, 0, 2]);
    expect(values(M.unary(x, 'ceil'))).toEqual([-1, -0, 1, 3]);
    expect(values(M.unary(x, 'abs'))).toEqual([1.5, 0.5, 0.5, 2.5]);
    expect(values(M.unary(M.tensor([4, 0.25], [2], 'float64'), 'rsqrt'))).toEqual([0.5, 2]);
    expect(M.unary(M.tensor([1], [1], 'float64'), 'erf').item()).toBeCloseTo(0.8427007929497149, 15);
    expect(values(M.unary(M.tensor([true, false]), 'not'))).toEqual([0, 1]);
  });

  it('binary functions, including integer floor division and division by zero', () => {
    const a = M.tensor([7, -7, 7, -7, 5], [5], 'int32');
    const b = M.tensor([2, 2, -2, -2, 0], [5], 'int32');
    expect(values(M.binary(a, b, 'div'))).toEqual([3, -4, -4, 3, 0]);
    expect(values(M.binary(a, b, 'mod'))).toEqual([1, 1, -1, -1, 0]);
    expect(values(M.binary(M.tensor([2 ** 20], [1], 'int32'), M.tensor([2 ** 12], [1], 'int32'), 'mul'))).toEqual([0]);
    const x = M.tensor([-5.5, 5.5], [2], 'float64');
    const y = M.tensor([2, -2], [2], 'float64');
    expect(values(M.binary(x, y, 'mod'))).toEqual([0.5, -0.5]);
    expect(values(M.binary(x, y, 'pow'))).toEqual([30.25, 1 / 30.25]);
    expect(values(M.binary(x, y, 'lt'))).toEqual([1, 0]);
    expect(M.binary(x, y, 'lt').dtype).toBe('bool');
    expect(values(M.binary(M.tensor([NaN, 1], [2], 'float64'), M.tensor([1, NaN], [2], 'float64'), 'max'))).toEqual([NaN, NaN]);
  });

  it('ternary selects', () => {
    const c = M.tensor([true, false, true]);
    expect(values(M.ternary(c, M.tensor([1, 2, 3]), M.tensor([4, 5, 6])))).toEqual([1, 5, 3]);
  });
});

describe('reindex meta-ops by hand', () => {
  const x = () => M.tensor([[1, 2, 3], [4, 5, 6]]);

  it('reindex reads through index expressions with overflow value and conditions', () => {
    expect(M.reindex(x(), [3, 2], ['i1', 'i0']).arraySync()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(M.reindex(x(), [2, 4], ['i0', 'i1-1'], -1).arraySync()).toEqual([[-1, 1, 2, 3], [-1, 4, 5, 6]]);
    expect(M.reindex(x(), [2, 3], ['i0', 'i1'], 9, ['i0==i1']).arraySync()).toEqual([[9, 2, 3], [4, 9, 6]]);
    expect(M.reindex(x(), [2, 3], ['yshape0-1-i0', 'xshape1-1-i1']).arraySync()).toEqual([[6, 5, 4], [3, 2, 1]]);
  });

  it('gather reads by index tensors, zero outside', () => {
    const idx = M.tensor([[2, 0], [-1, 3]], undefined, 'int32');
    expect(M.gatherMeta(x(), 1, idx).arraySync()).toEqual([[3, 1], [0, 0]]);
  });

  it('broadcast, reshape, permute, slice and pad', () => {
    expect(M.broadcast(M.tensor([[1], [2]]), [2, 2, 3]).arraySync()).toEqual([[[1, 1, 1], [2, 2, 2]], [[1, 1, 1], [2, 2, 2]]]);
    expect(M.reshape(x(), [3, -1]).arraySync()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(M.permute(M.reshape(M.arange(6), [1, 2, 3]), [2, 0, 1]).arraySync()).toEqual([[[0, 3]], [[1, 4]], [[2, 5]]]);
    expect(M.slice(x(), [undefined, -1], [undefined, undefined], [-1, -2]).arraySync()).toEqual([[6, 4], [3, 1]]);
    expect(M.slice(M.arange(10), [8], [1], [-3]).arraySync()).toEqual([8, 5, 2]);
    expect(M.slice(M.arange(5), [3], [1]).shape).toEqual([0]);
    expect(M.padMeta(M.tensor([1, 2]), [1], [2], 7).arraySync()).toEqual([7, 1, 2, 7, 7]);
  });
});

describe('reduce meta-ops by hand', () => {
  it('reduce with keepdim and the identity of empty reductions', () => {
    const x = M.tensor([[1, -2, 3], [4, 5, -6]]);
    expect(M.reduce(x, 'add', [1]).arraySync()).toEqual([2, 3]);
    expect(M.reduce(x, 'mul', [0], true).arraySync()).toEqual([[4, -10, -18]]);
    expect(M.reduce(x, 'max', [0, 1]).item()).toBe(5);
    expect(M.reduce(x, 'min', [-1]).arraySync()).toEqual([-2, -6]);
    expect(values(M.reduce(M.zeros([2, 0]), 'max', [1]))).toEqual([-Infinity, -Infinity]);
    expect(values(M.reduce(M.zeros([2, 0], 'int32'), 'min', [1]))).toEqual([2147483647, 2147483647]);
  });

  it('reindexReduce sums 2x2 blocks and drops what maps outside', () => {
    const x = M.reshape(M.arange(24, undefined, 1, 'float32'), [4, 6]);
    expect(M.reindexReduce(x, 'add', [2, 3], ['i0/2', 'i1/2']).arraySync()).toEqual([[14, 22, 30], [62, 70, 78]]);
    expect(M.reindexReduce(M.tensor([1, 2, 3, 4]), 'add', [2], ['i0-1']).arraySync()).toEqual([2, 3]);
    expect(M.reindexReduce(M.tensor([1, 2, 3, 4]), 'max', [2], ['i0%2'], ['i0==3']).arraySync()).toEqual([3, 2]);
  });

  it('scatter combines duplicates and drops out-of-range indices', () => {
    const src = M.tensor([1, 2, 3, 4]);
    const idx = M.tensor([0, 2, 0, 5], undefined, 'int32');
    expect(M.scatter(src, 0, idx, [3], 'add').arraySync()).toEqual([4, 0, 2]);
    expect(M.scatter(src, 0, idx, [3], 'max').arraySync()).toEqual([3, -Infinity, 2]);
  });

  it('argReduce takes the first of ties and of NaNs', () => {
    expect(M.argReduce(M.tensor([[1, 3, 3], [2, 1, 1]]), 'argmax', 1).arraySync()).toEqual([1, 0]);
    expect(M.argReduce(M.tensor([[1, 3, 3], [2, 1, 1]]), 'argmin', 1, true).arraySync()).toEqual([[0], [1]]);
    expect(M.argReduce(M.tensor([1, NaN, 5, NaN]), 'argmax', 0).item()).toBe(1);
  });
});

describe('gradients that finite differences cannot check', () => {
  it('max and min split the gradient evenly between ties', () => {
    const x = M.tensor([1, 3, 3, -1]);
    expect(values(M.grad(M.reduce(x, 'max', [0]), x))).toEqual([0, 0.5, 0.5, 0]);
    const a = M.tensor([1, 2, 3]);
    const b = M.tensor([1, 1, 4]);
    const [ga, gb] = M.grad(M.sum(M.maximum(a, b)), [a, b]);
    expect(values(ga)).toEqual([0.5, 1, 0]);
    expect(values(gb)).toEqual([0.5, 0, 1]);
  });

  it('relu and abs have gradient 0 at 0, as in PyTorch', () => {
    const x = M.tensor([-1, 0, 2]);
    expect(values(M.grad(M.sum(M.relu(x)), x))).toEqual([0, 0, 1]);
    expect(values(M.grad(M.sum(M.abs(x)), x))).toEqual([-1, 0, 1]);
  });

  it('pow at 0 follows PyTorch: d/da with b = 0 is 0, d/db with a = 0 is 0', () => {
    const a = M.tensor([0, 0, 2], [3], 'float64');
    const b = M.tensor([0, 2, 0], [3], 'float64');
    const [ga, gb] = M.grad(M.sum(M.binary(a, b, 'pow')), [a, b]);
    expect(values(ga)).toEqual([0, 0, 0]);
    expect(values(gb)).toEqual([0, 0, Math.log(2)]);
  });

  it('argReduce, comparisons and casts to integers carry no gradient', () => {
    const x = M.tensor([[0.5, 2, -1], [3, 1, 0]]);
    expect(values(M.grad(M.cast(M.argReduce(x, 'argmax', 1), 'float32'), x))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(values(M.grad(M.cast(M.binary(x, M.zerosLike(x), 'gt'), 'float32'), x))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(values(M.grad(M.cast(M.cast(x, 'int32'), 'float32'), x))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('constant, index and random act as constants', () => {
    const x = M.tensor([1, 2, 3]);
    const w = M.add(M.random([3], { seed: 1, offset: 0 }), M.cast(M.index([3], 0), 'float32'));
    expect(values(M.grad(M.sum(M.mul(x, w)), x))).toEqual(values(w));
    expect(values(M.grad(M.sum(M.constant(2, [3])), x))).toEqual([0, 0, 0]);
  });

  it('cast between float dtypes passes the gradient back in the input dtype', () => {
    const x = M.tensor([1.5, -2]);
    const y = M.tensor([0.1, 0.2], [2], 'float64');
    const g = M.grad(M.sum(M.mul(M.cast(x, 'float64'), y)), x);
    expect(g.dtype).toBe('float32');
    expect(values(g)).toEqual([Math.fround(0.1), Math.fround(0.2)]);
  });

  it('detach and noGrad stop gradients', () => {
    const x = M.tensor([1, 2, 3]);
    expect(values(M.grad(M.sum(M.mul(M.detach(x), x)), x))).toEqual([1, 2, 3]);
    const frozen = M.noGrad(() => M.mul(x, 2));
    expect(values(M.grad(M.sum(M.mul(frozen, x)), x))).toEqual([2, 4, 6]);
  });

  it('grad takes dy and gives zeros for inputs y does not depend on', () => {
    const x = M.tensor([1, 2]);
    const z = M.tensor([5, 6]);
    const [gx, gz] = M.grad(M.mul(x, x), [x, z], M.tensor([1, -1]));
    expect(values(gx)).toEqual([2, -4]);
    expect(values(gz)).toEqual([0, 0]);
  });

  it('the gradient of a shared input adds its uses', () => {
    const x = M.tensor([2, 3]);
    expect(values(M.grad(M.sum(M.add(M.mul(x, x), M.mul(x, 3))), x))).toEqual([7, 9]);
  });
});

describe('the global random stream', () => {
  it('manualSeed makes rand, randn and dropout repeat', () => {
    M.manualSeed(42);
    const a = [values(M.rand([4])), values(M.randn([3])), values(M.dropout(M.ones([6]), 0.5))];
    M.manualSeed(42);
    const b = [values(M.rand([4])), values(M.randn([3])), values(M.dropout(M.ones([6]), 0.5))];
    expect(b).toEqual(a);
    // Consecutive draws do not repeat each other.
    expect(values(M.rand([4]))).not.toEqual(a[0]);
  });

  it('dropout zeroes about p of the elements and scales the rest by 1/(1-p)', () => {
    const y = values(M.dropout(M.ones([4000], 'float64'), 0.25, { seed: 3 }));
    const kept = y.filter((v) => v !== 0);
    expect(kept.every((v) => Math.abs(v - 1 / 0.75) < 1e-12)).toBe(true);
    expect(kept.length / y.length).toBeCloseTo(0.75, 1);
    expect(values(M.dropout(M.ones([3]), 1))).toEqual([0, 0, 0]);
  });
});
