// Durable, atomic files for the kernel cache: written under a temporary name, fsynced, renamed
// into place, the folder fsynced; and the recognition of storage failures (a full disk, a
// read-only folder), which make the cache go uncached instead of failing the program.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { readEnv } from '@metaop/core';

/** Error codes meaning "this folder cannot take more files", not "the program is wrong". */
const STORAGE_CODES = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EIO', 'EFBIG']);

/** Compiler or linker output that says the output could not be written. */
const STORAGE_MESSAGES = /No space left on device|Disk quota exceeded|Read-only file system|Permission denied|File too large/i;

export function isStorageError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && STORAGE_CODES.has((e as { code?: string }).code ?? '');
}

export function isStorageFailureOutput(output: string): boolean {
  return STORAGE_MESSAGES.test(output);
}

/**
 * METAOP_FAULT_CACHE_WRITE=ENOSPC (or another code) makes every kernel-cache write fail with that
 * code: the tests' way to fill a disk without root.
 */
export function injectedWriteFault(path: string): void {
  const code = readEnv('METAOP_FAULT_CACHE_WRITE');
  if (code === undefined) return;
  throw Object.assign(new Error(`${code}: injected write failure (METAOP_FAULT_CACHE_WRITE), write '${path}'`), { code });
}

/** A unique temporary name beside `path` (same folder, so the rename is atomic). */
export function tempNameFor(path: string): string {
  return `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

function fsyncPath(path: string, flags: 'r' | 'r+'): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** fsyncs a folder so a rename in it survives a power loss (some file systems refuse: ignored). */
export function fsyncDir(dir: string): void {
  try {
    fsyncPath(dir, 'r');
  } catch {
    // the rename itself is still atomic
  }
}

/** Moves a finished file (e.g. a compiler's output) into place after flushing it to disk. */
export function commitFile(tmp: string, path: string): void {
  fsyncPath(tmp, 'r+');
  renameSync(tmp, path);
}

/** Writes `data` to `path` atomically and durably: readers see the old file or the whole new one. */
export function atomicWrite(path: string, data: string | Buffer): void {
  const tmp = tempNameFor(path);
  try {
    const fd = openSync(tmp, 'wx', 0o644);
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      let done = 0;
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
