// An opt-in clock around native kernel calls, for the benchmark's host-cost row: a C trampoline
// reads CLOCK_MONOTONIC just before and after calling the kernel, so the koffi call and everything
// around it count as host time. Off by default; off costs one branch per launch.
import koffi from 'koffi';
import type { KernelCache } from '@metaop/native';

type Trampoline = (kernel: unknown, table: BigUint64Array, params: Float64Array, total: BigUint64Array) => void;

const SOURCE = `#include <stdint.h>
#include <time.h>
typedef void (*metaop_kernel)(void**, const double*);
static uint64_t metaop_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}
void metaop_timed_call(metaop_kernel k, void** bufs, const double* params, uint64_t* total) {
  uint64_t t = metaop_now();
  k(bufs, params);
  *total += metaop_now() - t;
}
`;

export class KernelClock {
  /** Nanoseconds inside kernels since the clock was last turned on (one cell, written by C). */
  private readonly total = new BigUint64Array(1);
  private trampoline: Trampoline | undefined;
  private on = false;

  constructor(private readonly cache: KernelCache) {}

  get enabled(): boolean {
    return this.on;
  }

  /** Turns the clock on (compiling the trampoline once, through the kernel cache) or off; on resets the total. */
  set(on: boolean): void {
    if (on && !this.trampoline) {
      const unit = { key: this.cache.keyOf(SOURCE, ''), symbol: 'metaop_timed_call', code: SOURCE };
      const [{ path, symbol }] = this.cache.ensure([unit], '');
      this.trampoline = koffi.load(path).func(`void ${symbol}(void *k, void *bufs, void *params, void *total)`) as unknown as Trampoline;
    }
    if (on) this.total[0] = 0n;
    this.on = on;
  }

  /** Nanoseconds spent inside kernels while the clock was on. */
  nanoseconds(): number {
    return Number(this.total[0]);
  }

  call(kernel: unknown, table: BigUint64Array, params: Float64Array): void {
    (this.trampoline as Trampoline)(kernel, table, params, this.total);
  }
}
