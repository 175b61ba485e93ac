// DataLoader: batches of a dataset in order or in a seeded shuffle that depends only on
// (seed, epoch), so a resumed run sees the same batches as an uninterrupted one. Under data
// parallelism (@metaop/distributed) batchSize is the *global* batch, as in Jittor: every rank draws
// the same permutation and takes its own contiguous part of each global batch.
import { checkOptions, type OptionKeys, ArgumentError } from '@metaop/core';
import { philox4x32 } from '@metaop/ops';
import { parallelHooks } from '../parallel.js';

/** Anything that can assemble a batch from example indices. */
export interface BatchSource<B> {
  readonly length: number;
  batch(indices: Int32Array): B;
}

export interface DataLoaderOptions {
  batchSize: number;
  /** Shuffle each epoch (default false). */
  shuffle?: boolean;
  /** Seed of the shuffle (default 0). */
  seed?: number;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
}
const dataLoaderKeys: OptionKeys<DataLoaderOptions> = { batchSize: true, shuffle: true, seed: true, dropLast: true };

export class DataLoader<B> implements Iterable<B> {
  readonly dataset: BatchSource<B>;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  /** The epoch the next `for...of` iterates; it advances by one each time iteration starts. */
  epoch = 0;

  constructor(dataset: BatchSource<B>, options: DataLoaderOptions) {
    const { batchSize, shuffle = false, seed = 0, dropLast = false } = checkOptions(options, dataLoaderKeys, 'DataLoader');
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new ArgumentError(`batchSize must be a positive integer, got ${batchSize}`, 'DataLoader');
    if (!Number.isSafeInteger(seed) || seed < 0) throw new ArgumentError(`seed must be a non-negative integer, got ${seed}`, 'DataLoader');
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.seed = seed;
    this.dropLast = dropLast;
  }

  /**
   * Batches per epoch (global batches: the same on every rank). Under N ranks a final partial batch
   * with fewer than N examples is dropped, since some rank would get none.
   */
  get length(): number {
    const n = this.dataset.length / this.batchSize;
    if (this.dropLast) return Math.floor(n);
    const world = this.world().size;
    const rest = this.dataset.length % this.batchSize;
    return rest > 0 && rest < world ? Math.floor(n) : Math.ceil(n);
  }

  /** This process's rank and the number of ranks (0 and 1 without data parallelism). */
  private world(): { rank: number; size: number } {
    const hooks = parallelHooks('DataLoader');
    if (!hooks || hooks.worldSize === 1) return { rank: 0, size: 1 };
    if (this.batchSize % hooks.worldSize !== 0) {
      throw new ArgumentError(
        `batchSize ${this.batchSize} is the global batch and must divide evenly among the ${hooks.worldSize} ranks; use a multiple of ${hooks.worldSize}`,
        'DataLoader',
      );
    }
    return { rank: hooks.rank, size: hooks.worldSize };
  }

  /** The example order of `epoch`: 0..n-1, or a Fisher-Yates shuffle driven by Philox(seed, epoch). */
  order(epoch: number): Int32Array {
    const n = this.dataset.length;
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    if (!this.shuffle) return idx;
    const words = new Uint32Array(4);
    for (let i = n - 1; i > 0; i--) {
      philox4x32(epoch * 2 ** 32 + i, this.seed, words);
      const j = Math.floor((words[0] / 2 ** 32) * (i + 1));
      const t = idx[i];
      idx[i] = idx[j];
      idx[j] = t;
    }
    return idx;
  }

  /** The batches of one given epoch (this rank's share of each global batch under data parallelism). */
  *batches(epoch: number): Generator<B, void, void> {
    const { rank, size } = this.world();
    const order = this.order(epoch);
    for (let b = 0; b < this.length; b++) {
      const start = b * this.batchSize;
      const m = Math.min(this.batchSize, order.length - start);
      // Contiguous shares; equal (batchSize / size) except in a final partial batch.
      yield this.dataset.batch(order.subarray(start + Math.floor((m * rank) / size), start + Math.floor((m * (rank + 1)) / size)));
    }
  }

  [Symbol.iterator](): Iterator<B> {
    return this.batches(this.epoch++);
  }
}
