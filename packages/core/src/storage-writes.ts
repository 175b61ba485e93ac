// Write counts of storages: bumped by every write into a storage that already holds a value (a
// backend's write(), an in-place collective), so a copy derived from it (a weight packed once per
// plan) can tell whether it is stale. A storage never written since it was allocated counts 0.
import type { Storage } from './backend.js';

const writes = new WeakMap<Storage, number>();

/** Records one write into `s` (call it for every write that bypasses a backend's write()). */
export function noteWrite(s: Storage): void {
  writes.set(s, (writes.get(s) ?? 0) + 1);
}

/** Writes recorded into `s` so far. */
export function writeCount(s: Storage): number {
  return writes.get(s) ?? 0;
}
