// A caching pool of ArrayBuffers for host-memory backends. Fresh memory is expensive (every page
// faults on first touch), so freed buffers are kept by size class and handed out again.
import { flags } from './flags.js';

/** Size classes: 64-byte steps below 4 KiB, then four classes per doubling (at most 19% slack). */
export function sizeClass(bytes: number): number {
  if (bytes <= 4096) return Math.max(64, Math.ceil(bytes / 64) * 64);
  const p = 2 ** Math.floor(Math.log2(bytes));
  const step = p / 4;
  return Math.ceil(bytes / step) * step;
}

export interface PoolStats {
  /** Bytes held by the pool for reuse (not live). */
  cachedBytes: number;
  /** Allocations served from the pool. */
  reused: number;
  /** Allocations that needed fresh memory. */
  fresh: number;
}

export class BufferPool {
  private readonly free = new Map<number, ArrayBuffer[]>();
  /** Every cached buffer, oldest first (a Set: taking one out of the middle is O(1)). */
  private readonly order = new Set<ArrayBuffer>();
  readonly stats: PoolStats = { cachedBytes: 0, reused: 0, fresh: 0 };

  constructor(private readonly limitBytes: () => number = () => flags.poolBytes) {}

  acquire(bytes: number): ArrayBuffer {
    const size = sizeClass(bytes);
    const list = this.free.get(size);
    const buf = list?.pop();
    if (buf) {
      this.stats.reused++;
      this.stats.cachedBytes -= size;
      this.order.delete(buf);
      return buf;
    }
    this.stats.fresh++;
    return new ArrayBuffer(size);
  }

  release(buf: ArrayBuffer): void {
    const size = buf.byteLength;
    if (size > this.limitBytes()) return;
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    list.push(buf);
    this.order.add(buf);
    this.stats.cachedBytes += size;
    // Drop the oldest cached buffers beyond the limit; the garbage collector reclaims them.
    while (this.stats.cachedBytes > this.limitBytes() && this.order.size > 0) {
      const old = this.order.values().next().value as ArrayBuffer;
      this.order.delete(old);
      const l = this.free.get(old.byteLength);
      const j = l ? l.indexOf(old) : -1;
      if (l && j >= 0) {
        l.splice(j, 1);
        this.stats.cachedBytes -= old.byteLength;
      }
    }
  }

  /** Forgets every cached buffer. */
  clear(): void {
    this.free.clear();
    this.order.clear();
    this.stats.cachedBytes = 0;
  }
}
