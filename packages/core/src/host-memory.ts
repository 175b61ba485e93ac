// Memory operations shared by every backend that keeps tensors in host typed arrays (reference,
// js, c, bang emulation): pooled ArrayBuffers, typed views, copies on read.
import type { Backend, HostStorage, Storage } from './backend.js';
import { BufferPool } from './buffer-pool.js';
import { allocArray, itemSize, type DataArray, type DType } from './dtype.js';

/** The host pool shared by all host-memory backends in this process. */
export const hostPool = new BufferPool();

export function viewOf(dtype: DType, buffer: ArrayBuffer, numel: number): DataArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer, 0, numel);
    case 'float64':
      return new Float64Array(buffer, 0, numel);
    case 'int32':
      return new Int32Array(buffer, 0, numel);
    case 'uint8':
    case 'bool':
      return new Uint8Array(buffer, 0, numel);
  }
}

export type HostMemory = Pick<Backend, 'alloc' | 'free' | 'write' | 'readSync' | 'read'>;

/**
 * Host memory for `backend`. `extend` may add fields to each new storage (the C backend adds the
 * array's native address).
 */
export function hostMemory<S extends HostStorage = HostStorage>(
  backend: () => Backend,
  extend: (s: HostStorage & { buffer: ArrayBuffer }) => S = (s) => s as unknown as S,
  pool: BufferPool = hostPool,
): HostMemory {
  return {
    alloc(dtype: DType, numel: number): S {
      const buffer = pool.acquire(numel * itemSize(dtype));
      return extend({ backend: backend(), dtype, numel, array: viewOf(dtype, buffer, numel), buffer });
    },
    free(storage: Storage) {
      const buffer = (storage as HostStorage & { buffer?: ArrayBuffer }).buffer;
      if (buffer) pool.release(buffer);
    },
    write(storage: Storage, data: DataArray) {
      (storage as HostStorage).array.set(data);
    },
    readSync(storage: Storage) {
      const s = storage as HostStorage;
      const copy = allocArray(s.dtype, s.numel);
      copy.set(s.array);
      return copy;
    },
    async read(storage: Storage) {
      const s = storage as HostStorage;
      const copy = allocArray(s.dtype, s.numel);
      copy.set(s.array);
      return copy;
    },
  };
}
