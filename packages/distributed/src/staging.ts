// Host staging: a realized Var's values as a host array and back, through its backend's
// readSync/write, so collectives work on tensors of any backend (a device backend copies).
import { allocArray, type DataArray, type DType, type Storage, type Var } from '@metaop/core';

export function storageOf(v: Var, op: string): Storage {
  v.assertUsable(op);
  if (!v.storage) v.realize();
  return v.storage as Storage;
}

export function readHost(v: Var, op: string): DataArray {
  const s = storageOf(v, op);
  return s.backend.readSync(s);
}

/** The Var's own host array when its backend keeps storage in host memory (reference, js, c), else undefined. */
export function hostArray(v: Var): DataArray | undefined {
  const s = v.storage as (Storage & { array?: unknown }) | null;
  const a = s?.array;
  return ArrayBuffer.isView(a) && (a as DataArray).length === v.numel ? (a as DataArray) : undefined;
}

/** Writes `values` into the Var's own storage, in place (as torch.distributed collectives do). */
export function writeHost(v: Var, values: DataArray, op: string): void {
  const s = storageOf(v, op);
  s.backend.write(s, values);
}

/**
 * A host array of `numel` elements of `dtype` on its own off-heap ArrayBuffer, so its address is
 * fixed while a non-blocking MPI call uses it (V8 may move small on-heap typed arrays).
 */
export function pinnedArray(dtype: DType, numel: number): DataArray {
  const like = allocArray(dtype, 0);
  const bytes = Math.max(numel * like.BYTES_PER_ELEMENT, 64);
  const buffer = new ArrayBuffer(bytes);
  const Ctor = like.constructor as new (b: ArrayBuffer, o: number, n: number) => DataArray;
  return new Ctor(buffer, 0, numel);
}
