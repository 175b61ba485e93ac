// Host storage for native kernels: every array sits on its own ArrayBuffer (off the V8 heap, so it
// never moves) and its address is taken once, when it is allocated.
import koffi from 'koffi';
import { allocArray, itemSize, type Backend, type DataArray, type DType, type HostStorage, type Storage } from '@metaop/core';

export interface NativeStorage extends HostStorage {
  readonly address: bigint;
}

function viewOf(dtype: DType, buffer: ArrayBuffer, numel: number): DataArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer, 0, numel);
    case 'float64':
      return new Float64Array(buffer, 0, numel);
    case 'int32':
      return new Int32Array(buffer, 0, numel);
    default:
      return new Uint8Array(buffer, 0, numel);
  }
}

export function nativeMemory(backend: () => Backend): Pick<Backend, 'alloc' | 'free' | 'write' | 'readSync' | 'read'> {
  return {
    alloc(dtype: DType, numel: number): NativeStorage {
      const buffer = new ArrayBuffer(Math.max(64, numel * itemSize(dtype)));
      const array = viewOf(dtype, buffer, numel);
      return { backend: backend(), dtype, numel, array, address: koffi.address(array) };
    },
    free() {
      // The ArrayBuffer is reclaimed by the garbage collector once no storage refers to it.
    },
    write(storage: Storage, data: DataArray) {
      (storage as NativeStorage).array.set(data);
    },
    readSync(storage: Storage) {
      const s = storage as NativeStorage;
      const copy = allocArray(s.dtype, s.numel);
      copy.set(s.array);
      return copy;
    },
    async read(storage: Storage) {
      const s = storage as NativeStorage;
      const copy = allocArray(s.dtype, s.numel);
      copy.set(s.array);
      return copy;
    },
  };
}
