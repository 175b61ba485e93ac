// How many threads the c backend's kernels use, and the one OpenMP setting it makes. Threads come
// from a per-process budget that every thread running kernels shares (worker_threads too): a small
// native library holds the counters the kernels take their threads from (see cThreadHelpers in
// @metaop/compiler). Nothing is set process-wide at import; see docs/compiler.md, "Threads".
import koffi from 'koffi';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { readEnv } from '@metaop/core';
import type { KernelCache } from '@metaop/native';

/** A positive integer from an environment variable (the first of a list such as OMP_NUM_THREADS=4,2), or undefined. */
function positive(name: string, strict: boolean): number | undefined {
  const text = readEnv(name)?.trim();
  if (text === undefined || text === '') return undefined;
  const first = text.split(',')[0].trim();
  const n = Number(first);
  if (/^\d+$/.test(first) && n >= 1) return n;
  if (strict) throw new Error(`${name} must be a positive integer, got '${text}'`);
  return undefined;
}

/**
 * Threads this process's kernels may use at once, all callers together: METAOP_NUM_THREADS, else
 * OMP_NUM_THREADS, else the CPUs this process may run on (`os.availableParallelism()`, which
 * follows the affinity mask) divided among the ranks of an MPI job on this node.
 */
export function threadBudget(): number {
  const chosen = positive('METAOP_NUM_THREADS', true) ?? positive('OMP_NUM_THREADS', false);
  if (chosen !== undefined) return chosen;
  const ranks = positive('OMPI_COMM_WORLD_LOCAL_SIZE', false) ?? positive('MPI_LOCALNRANKS', false) ?? 1;
  return Math.max(1, Math.floor(availableParallelism() / ranks));
}

// The counters live in a library of their own, loaded RTLD_GLOBAL. Each kernel cache folder holds
// its own copy; every copy answers with the first one loaded in the process (the global scope finds
// it first), so threads with different cache folders still share one budget.
const STATE_PREAMBLE = '#define _GNU_SOURCE\n#include <stdint.h>\n#include <dlfcn.h>';
const STATE_SYMBOL = 'metaop_threads_state';
const STATE_CODE = `int64_t metaop_threads[2];
void* ${STATE_SYMBOL}(void) {
  void* first = dlsym(RTLD_DEFAULT, "metaop_threads");
  return first ? first : metaop_threads;
}
`;

let state: { readonly pointer: unknown; readonly address: bigint } | undefined;

/** The address of the process's thread counters (built into `cache` the first time). */
export function threadState(cache: KernelCache): bigint {
  if (state) return state.address;
  const [lib] = cache.ensure([{ key: cache.keyOf(STATE_CODE, STATE_PREAMBLE), symbol: STATE_SYMBOL, code: STATE_CODE }], STATE_PREAMBLE);
  const pointer = koffi.load(lib.path, { global: true }).func(`void* ${STATE_SYMBOL}(void)`)() as unknown;
  state = { pointer, address: koffi.address(pointer) };
  return state.address;
}

export interface ThreadCounters {
  /** Where the counters are: the same in every thread of the process. */
  readonly address: bigint;
  /** Threads the kernels running now use, all callers together. */
  readonly inUse: number;
  /** Threads (of JavaScript) inside a parallel kernel now. */
  readonly callers: number;
}

/** The process's thread counters, once a c backend with OpenMP exists in this thread (diagnostics and tests). */
export function threadCounters(): ThreadCounters | undefined {
  if (!state) return undefined;
  const [inUse, callers] = Array.from(koffi.decode(state.pointer, 'int64_t', 2) as ArrayLike<number | bigint>, Number);
  return { address: state.address, inUse, callers };
}

let openmpLoaded = false;

/** Whether an OpenMP runtime is mapped into the process (Linux; elsewhere: not known, so no). */
function openmpRuntimeMapped(): boolean {
  try {
    return /\/lib(g?omp)[^/]*\.so/.test(readFileSync('/proc/self/maps', 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Runs `load` (a dlopen that may bring in the OpenMP runtime) with OMP_WAIT_POLICY=passive in the
 * environment unless the user chose a policy (OMP_WAIT_POLICY or GOMP_SPINCOUNT), and removes it
 * again: libgomp reads it once, when it loads, so its idle threads sleep instead of spinning between
 * kernels (they would take the cores from the JavaScript thread and from other processes), while
 * child processes and the rest of the program see the environment as it was.
 */
export function loadingOpenMP<T>(load: () => T): T {
  if (openmpLoaded || readEnv('OMP_WAIT_POLICY') !== undefined || readEnv('GOMP_SPINCOUNT') !== undefined) return load();
  // Loaded already (by other native code): its settings are not ours to change.
  if ((openmpLoaded = openmpRuntimeMapped())) return load();
  process.env.OMP_WAIT_POLICY = 'passive';
  try {
    return load();
  } finally {
    delete process.env.OMP_WAIT_POLICY;
    openmpLoaded = openmpRuntimeMapped();
  }
}
