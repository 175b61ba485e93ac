// The C backend's sanitizer mode (METAOP_SANITIZE=1): kernels built with AddressSanitizer and
// UndefinedBehaviorSanitizer, without OpenMP, into buffers of exactly their tensor's size that are
// never pooled, so a read past a tensor's end is reported instead of landing in pool slack.
import koffi from 'koffi';
import { readEnv } from '@metaop/core';

/** METAOP_SANITIZE=1 (read once per process, like the toolchain it selects). */
export function sanitizeMode(): boolean {
  const v = readEnv('METAOP_SANITIZE');
  return v !== undefined && !['0', 'false', 'no', 'off'].includes(v.toLowerCase());
}

/**
 * Compiler flags of a sanitized kernel: -O1 keeps reports exact and compiles fast; the first
 * undefined behaviour aborts like an ASan error instead of printing and running on.
 */
export const SANITIZE_FLAGS: readonly string[] = ['-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-fno-omit-frame-pointer'];

/** How to run a process in sanitizer mode, for error messages and scripts. */
export const SANITIZE_HOWTO = 'LD_PRELOAD=$(gcc -print-file-name=libasan.so) ASAN_OPTIONS=detect_leaks=0 METAOP_SANITIZE=1 node ...';

/** The process's own symbols (the preloaded ASan runtime's malloc comes first). */
let self: ReturnType<typeof koffi.load> | undefined;
function processSymbols(): ReturnType<typeof koffi.load> {
  return (self ??= koffi.load(null as unknown as string));
}

/** Throws unless the ASan runtime is loaded first, which instrumented libraries need. */
export function requireAsanRuntime(): void {
  try {
    processSymbols().func('void __asan_init(void)');
  } catch {
    throw new Error(`METAOP_SANITIZE=1 needs the AddressSanitizer runtime preloaded into node: run ${SANITIZE_HOWTO}`);
  }
}

type Pointer = bigint | number;
let malloc: ((bytes: number) => Pointer) | undefined;
let free: ((p: Pointer) => void) | undefined;
const pointers = new WeakMap<ArrayBuffer, Pointer>();

/** Exactly `bytes` of ASan-tracked heap memory, seen from JavaScript as an ArrayBuffer. */
export function exactBuffer(bytes: number): ArrayBuffer {
  malloc ??= processSymbols().func('void* malloc(size_t)') as unknown as (bytes: number) => Pointer;
  const p = malloc(bytes);
  if (!p) throw new RangeError(`sanitizer mode: malloc(${bytes}) failed`);
  const buffer = bytes === 0 ? new ArrayBuffer(0) : (koffi.view(p, bytes) as ArrayBuffer);
  pointers.set(buffer, p);
  return buffer;
}

/** Frees a buffer from exactBuffer; ASan keeps the memory quarantined, so it is not handed out again soon. */
export function freeExactBuffer(buffer: ArrayBuffer): void {
  const p = pointers.get(buffer);
  if (p === undefined) return;
  pointers.delete(buffer);
  free ??= processSymbols().func('void free(void*)') as unknown as (p: Pointer) => void;
  free(p);
}
