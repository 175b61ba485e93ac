// Host storage for native kernels: pooled ArrayBuffers (off the V8 heap, so they never move) whose
// native address is taken once, when the storage is created.
import koffi from 'koffi';
import { hostMemory, type Backend, type HostMemory, type HostStorage } from '@metaop/core';

export interface NativeStorage extends HostStorage {
  readonly address: bigint;
}

export function nativeMemory(backend: () => Backend): HostMemory {
  return hostMemory<NativeStorage>(backend, (s) => ({ ...s, address: koffi.address(s.array) }));
}
