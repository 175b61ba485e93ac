// Host storage for native kernels: pooled ArrayBuffers (off the V8 heap, so they never move) whose
// native address is taken once, when the storage is created. In sanitizer mode every storage is
// its own exact-size malloc block instead, never reused (see sanitize.ts).
import koffi from 'koffi';
import { BufferPool, hostMemory, type Backend, type HostMemory, type HostStorage } from '@metaop/core';
import { exactBuffer, freeExactBuffer } from './sanitize.js';

export interface NativeStorage extends HostStorage {
  readonly address: bigint;
}

/** A "pool" that keeps nothing: exactly the bytes asked for, freed at once. */
class ExactPool extends BufferPool {
  override acquire(bytes: number): ArrayBuffer {
    return exactBuffer(bytes);
  }
  override release(buffer: ArrayBuffer): void {
    freeExactBuffer(buffer);
  }
}

/** Native addresses of pooled buffers: a buffer never moves, and asking koffi costs microseconds. */
const addresses = new WeakMap<ArrayBuffer, bigint>();

export function nativeMemory(backend: () => Backend, sanitize = false): HostMemory {
  const extend = (s: HostStorage & { buffer: ArrayBuffer }): NativeStorage => {
    let address = addresses.get(s.buffer);
    if (address === undefined) addresses.set(s.buffer, (address = koffi.address(s.array)));
    return { ...s, address };
  };
  return sanitize ? hostMemory<NativeStorage>(backend, extend, new ExactPool()) : hostMemory<NativeStorage>(backend, extend);
}
