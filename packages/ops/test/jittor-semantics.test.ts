// Where MetaOp follows Jittor's documented meta-op semantics: reindexReduce's shape symbols,
// broadcast with new dims, integer-valued overflow conditions, and Jittor's reindex_reduce errors.
import { beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, IndexExprError, ShapeError } from '@metaop/core';
import * as M from '@metaop/ops';

beforeAll(() => {
  M.setBackend('reference');
});

const x46 = () => M.tensor(Array.from({ length: 24 }, (_, i) => i), [4, 6]);

describe('reindexReduce shape symbols name what Jittor names', () => {
  it('xshapeK is the output, yshapeK the input', () => {
    // yshape1 / xshape1 = 6 / 3 = 2: 2x2 blocks, as with the literal 2.
    const want = M.reindexReduce(x46(), 'add', [2, 3], ['i0/2', 'i1/2']).arraySync();
    expect(M.reindexReduce(x46(), 'add', [2, 3], ['i0/(yshape0/xshape0)', 'i1/(yshape1/xshape1)']).arraySync()).toEqual(want);
    expect(M.reindexReduce(x46(), 'add', [2, 3], ['i0*xshape0/yshape0', 'i1*xstride0/ystride0']).arraySync()).toEqual(want);
  });

  it('XDIM is the output rank and YDIM the input rank', () => {
    const x = M.tensor(Array.from({ length: 24 }, (_, i) => i), [2, 3, 4]);
    // Summing the last input dim away: with XDIM = 2 and YDIM = 3 the offsets cancel.
    const got = M.reindexReduce(x, 'add', [2, 3], ['i0 + XDIM - 2', 'i1 + YDIM - 3']).arraySync();
    expect(got).toEqual(M.sum(x, 2).arraySync());
    // The output has 2 dims, so xshape2 does not exist while yshape2 (the input's last) does.
    expect(() => M.reindexReduce(x, 'add', [2, 3], ['i0', 'i1 + xshape2'])).toThrow(/unknown name 'xshape2'/);
    expect(M.reindexReduce(x, 'add', [2, 3], ['i0', 'i1 + yshape2 - 4']).arraySync()).toEqual(got);
  });

  it('reindex keeps x as its input and y as its output', () => {
    const got = M.reindex(x46(), [6, 4], ['yshape1-1-i1', 'xshape1-1-i0']).arraySync() as number[][];
    expect(got[0][0]).toBe(3 * 6 + 5);
  });
});

describe("broadcast(x, shape, dims): Jittor's new-dims form", () => {
  it('puts the new dims where dims says, negative dims counted from the end', () => {
    const a = M.tensor([1, 2]);
    expect(M.broadcast(a, [2, 2], [-1]).arraySync()).toEqual([[1, 1], [2, 2]]);
    expect(M.broadcast(a, [2, 2], [-2]).arraySync()).toEqual([[1, 2], [1, 2]]);
    expect(M.broadcast(a, [2, 3], [1]).arraySync()).toEqual([[1, 1, 1], [2, 2, 2]]);
    expect(M.broadcast(M.tensor([1, 2, 3]), [2, 3, 4], [0, 2]).shape).toEqual([2, 3, 4]);
  });

  it('broadcasts the other dims both ways, as Jittor does', () => {
    // A 1 in shape takes x's size (Jittor's vary_shape_dep2), a 1 in x takes shape's.
    expect(M.broadcast(M.tensor([1, 2]), [1, 3], [1]).arraySync()).toEqual([[1, 1, 1], [2, 2, 2]]);
    expect(M.broadcast(M.zeros([3, 1, 3]), [1, 3, 1], []).shape).toEqual([3, 3, 3]);
    expect(M.broadcast(M.zeros([2, 3, 4]), [2, 3, 4, 1, 1, 1], []).shape).toEqual([2, 3, 4, 2, 3, 4]);
    expect(M.broadcast(M.tensor(1), [0], []).shape).toEqual([0]);
  });

  it('is differentiable: the gradient sums over the new dims', () => {
    const a = M.tensor([1, 2, 3]);
    const [g] = M.grad(M.sum(M.broadcast(a, [2, 3, 4], [0, 2])), [a]);
    expect(g.arraySync()).toEqual([8, 8, 8]);
  });

  it('refuses dims outside the result, repeated dims and mismatched sizes', () => {
    const a = M.tensor([1, 2]);
    expect(() => M.broadcast(a, [2, 2], [2])).toThrow(ArgumentError);
    expect(() => M.broadcast(a, [2, 2], [-3])).toThrow(/not a dim of the 2-d result/);
    expect(() => M.broadcast(a, [2, 2, 2], [0, -3])).toThrow(/name dim 0 twice/);
    expect(() => M.broadcast(a, [3, 2], [1])).toThrow(ShapeError);
    expect(() => M.broadcast(a, [3, 2], [1])).toThrow(/pairs 2 with 3/);
  });
});

describe('integer-valued overflow conditions hold where non-zero', () => {
  const v = () => M.tensor([10, 20, 30]);

  it("accepts Jittor's '(i1-i3)%2' form", () => {
    expect(M.reindex(v(), [6], ['i0/2'], -1, ['i0%2']).arraySync()).toEqual([10, -1, 20, -1, 30, -1]);
    expect(M.reindex(v(), [6], ['(i0-1)/2'], -1, ['(i0-1)%2']).arraySync()).toEqual([-1, 10, -1, 20, -1, 30]);
  });

  it('mixes with comparisons, negation and logic', () => {
    expect(M.reindex(v(), [6], ['i0/2'], -1, ['i0%2 || i0>3']).arraySync()).toEqual([10, -1, 20, -1, -1, -1]);
    expect(M.reindex(v(), [6], ['i0/2'], -1, ['!(i0%2)']).arraySync()).toEqual([-1, 10, -1, 20, -1, 30]);
    expect(M.reindex(v(), [3], ['i0'], -1, ['i0-1']).arraySync()).toEqual([-1, 20, -1]);
    expect(M.reindexReduce(M.tensor([1, 2, 3, 4]), 'add', [2], ['i0/2'], ['i0%2']).arraySync()).toEqual([1, 3]);
  });

  it('still rejects a condition where an index is expected', () => {
    expect(() => M.reindex(v(), [3], ['i0 > 1'])).toThrow(IndexExprError);
  });
});

describe("Jittor's reindex_reduce error cases", () => {
  const r = () => M.tensor([1, 2, 3]);
  it('raises typed errors naming the op', () => {
    expect(M.reindexReduce(r(), 'add', [3], ['i0']).arraySync()).toEqual([1, 2, 3]);
    expect(() => M.reindexReduce(r(), 'add', [3], [])).toThrow(ShapeError);
    expect(() => M.reindexReduce(r(), 'add', [3], ['i0', 'i0'])).toThrow(ShapeError);
    expect(() => M.reindexReduce(r(), '???' as 'add', [3], ['i0'])).toThrow(ArgumentError);
    expect(() => M.reindexReduce(r(), 'add', [-1], ['i0'])).toThrow(ShapeError);
  });
});
