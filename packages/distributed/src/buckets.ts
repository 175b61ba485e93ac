// Gradient buckets (PyTorch DDP's scheme): gradients in reverse parameter order — roughly the order
// the backward pass produces them — packed into buckets of at most `capBytes` of one dtype. A
// gradient larger than the cap gets a bucket of its own. The plan depends only on shapes, dtypes and
// the cap, so every rank builds the same buckets.
import type { DType } from '@metaop/core';
import { itemSize } from '@metaop/core';

export interface BucketItem {
  /** Position in the parameter list. */
  readonly index: number;
  readonly numel: number;
  readonly dtype: DType;
}

export interface Bucket {
  readonly dtype: DType;
  /** Parameter positions, in the order their gradients sit in the flat buffer. */
  readonly indices: readonly number[];
  readonly numel: number;
  readonly bytes: number;
}

/** PyTorch DDP's default bucket_cap_mb. */
export const DEFAULT_BUCKET_BYTES = 25 * 1024 * 1024;

/** Packs `items` (already in reduction order) into buckets of at most `capBytes` each. */
export function planBuckets(items: readonly BucketItem[], capBytes: number = DEFAULT_BUCKET_BYTES): Bucket[] {
  const buckets: Bucket[] = [];
  let open: { dtype: DType; indices: number[]; numel: number; bytes: number } | null = null;
  for (const item of items) {
    const bytes = item.numel * itemSize(item.dtype);
    if (open && (open.dtype !== item.dtype || open.bytes + bytes > capBytes)) {
      buckets.push(open);
      open = null;
    }
    open ??= { dtype: item.dtype, indices: [], numel: 0, bytes: 0 };
    open.indices.push(item.index);
    open.numel += item.numel;
    open.bytes += bytes;
  }
  if (open) buckets.push(open);
  return buckets;
}
