// The real-MLU path: CNRT (Cambricon's runtime) through koffi for device memory. Used only when
// cncc is installed; it cannot be exercised on the machines MetaOp is tested on (no MLU there).
import { join } from 'node:path';
import koffi from 'koffi';
import { allocArray, BackendError, itemSize, type Backend, type DataArray, type HostMemory, type Storage } from '@metaop/core';

/** A buffer in MLU memory (GDRAM); `address` is the device pointer passed to kernels. */
export interface DeviceStorage extends Storage {
  readonly address: bigint;
}

const HOST_TO_DEV = 0;
const DEV_TO_HOST = 2;

/** Device memory through libcnrt.so from NEUWARE_HOME/lib64 (device 0). */
export function cnrtMemory(neuwareHome: string, backend: () => Backend): HostMemory {
  const lib = koffi.load(join(neuwareHome, 'lib64', 'libcnrt.so'));
  const call = (name: string, proto: string) => {
    const fn = lib.func(proto) as (...args: unknown[]) => number;
    return (...args: unknown[]) => {
      const rc = fn(...args);
      if (rc !== 0) throw new BackendError(`${name} failed with CNRT error ${rc}`, 'bang');
    };
  };
  const setDevice = call('cnrtSetDevice', 'int cnrtSetDevice(int dev)');
  const malloc = call('cnrtMalloc', 'int cnrtMalloc(_Out_ void **ptr, size_t bytes)');
  const free = call('cnrtFree', 'int cnrtFree(void *ptr)');
  const memcpy = call('cnrtMemcpy', 'int cnrtMemcpy(void *dst, void *src, size_t bytes, int dir)');
  setDevice(0);
  const bytesOf = (s: Storage) => Math.max(1, s.numel) * itemSize(s.dtype);
  const read = (s: Storage): DataArray => {
    const out = allocArray(s.dtype, s.numel);
    if (s.numel > 0) memcpy(out, (s as DeviceStorage).address, bytesOf(s), DEV_TO_HOST);
    return out;
  };
  return {
    alloc(dtype, numel): DeviceStorage {
      const out: unknown[] = [null];
      malloc(out, Math.max(1, numel) * itemSize(dtype));
      const p = out[0];
      return { backend: backend(), dtype, numel, address: typeof p === 'bigint' ? p : koffi.address(p) };
    },
    free: (s) => free((s as DeviceStorage).address),
    write(s, data) {
      const host = allocArray(s.dtype, s.numel);
      host.set(data);
      if (s.numel > 0) memcpy((s as DeviceStorage).address, host, bytesOf(s), HOST_TO_DEV);
    },
    readSync: read,
    read: async (s) => read(s),
  };
}
