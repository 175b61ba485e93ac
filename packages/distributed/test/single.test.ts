// Outside mpirun: init() is a world of size 1 and the collectives leave values alone; bucket plans.
import { describe, expect, it } from 'vitest';
import { tensor } from '@metaop/ops';
import { allReduce, barrier, broadcast, init, planBuckets, rank, worldSize, DEFAULT_BUCKET_BYTES } from '@metaop/distributed';

describe('a world of size 1', () => {
  it('init() without mpirun gives rank 0 of 1, twice, and collectives are identities', () => {
    expect(process.env.OMPI_COMM_WORLD_SIZE).toBeUndefined();
    expect(init()).toEqual({ rank: 0, worldSize: 1 });
    expect(init()).toEqual({ rank: 0, worldSize: 1 });
    expect([rank(), worldSize()]).toEqual([0, 1]);
    const x = tensor([1, 2, 3], [3]);
    const y = tensor([4], [1], 'int32').add(1);
    allReduce([x], 'mean');
    allReduce([y], 'sum');
    broadcast([x], 0);
    barrier();
    expect(Array.from(x.dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(y.dataSync())).toEqual([5]);
  });

  it('rejects what PyTorch rejects: mean of integers, a bad root, a Var twice', () => {
    init();
    expect(() => allReduce([tensor([1], [1], 'int32')], 'mean')).toThrow(/'mean' needs float Vars/);
    expect(() => allReduce([tensor([1], [1], 'bool')], 'sum')).toThrow(/use 'max' \(logical or\)/);
    expect(() => broadcast([tensor([1])], 1)).toThrow(/root must be a rank in 0..0, got 1/);
    const x = tensor([1]);
    expect(() => allReduce([x, x])).toThrow(/a Var appears twice/);
  });
});

describe('planBuckets', () => {
  const f32 = (index: number, numel: number) => ({ index, numel, dtype: 'float32' as const });
  it('packs gradients in the given order up to the cap, one dtype per bucket', () => {
    const b = planBuckets([f32(3, 10), f32(2, 15), f32(1, 1), f32(0, 30)], 100);
    // 40 + 60 bytes = 100 fits; +4 would not; 120 alone exceeds the cap and gets its own bucket.
    expect(b.map((x) => [x.indices, x.bytes])).toEqual([
      [[3, 2], 100],
      [[1], 4],
      [[0], 120],
    ]);
    const mixed = planBuckets([f32(1, 1), { index: 0, numel: 1, dtype: 'float64' }], 100);
    expect(mixed.map((x) => x.dtype)).toEqual(['float32', 'float64']);
    expect(planBuckets([], 100)).toEqual([]);
    expect(DEFAULT_BUCKET_BYTES).toBe(25 * 1024 * 1024);
  });
});
