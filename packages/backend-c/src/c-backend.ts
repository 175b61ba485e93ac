// The `c` backend: kernels rendered as C, compiled by the system compiler into shared libraries
// (cached on disk), loaded with koffi and called through one ABI: void k(void** bufs, const double* params).
import koffi from 'koffi';
import { readEnv, registerBackend } from '@metaop/core';
import { createCompiledBackend, CRenderer, type CompiledBackend, type Device, type Executable } from '@metaop/compiler';
import { buildKernels, KernelCache, loadLibrary, resolveCacheDir } from '@metaop/native';
import { nativeMemory, type NativeStorage } from './native-memory.js';
import { detectToolchain, findCompiler } from './toolchain.js';
import { requireAsanRuntime } from './sanitize.js';
import { KernelClock } from './kernel-clock.js';
import { loadingOpenMP, threadBudget, threadState } from './threads.js';
import { availableParallelism } from 'node:os';

type NativeKernel = (table: BigUint64Array, params: Float64Array) => void;

export interface CBackend extends CompiledBackend {
  readonly cache: KernelCache;
  /**
   * Turns the kernel clock on (resetting it) or off. While on, every launch goes through a small C
   * trampoline that reads CLOCK_MONOTONIC around the kernel (about 50 ns a launch, for benchmarks).
   */
  timeKernels(on: boolean): void;
  /** Nanoseconds spent inside native kernels since timeKernels(true). */
  kernelNanoseconds(): number;
}

const functions = new Map<string, { fn: NativeKernel; pointer: unknown }>();

/** The kernel as a koffi function, and its address (for the kernel clock's trampoline). */
function load(path: string, symbol: string): { fn: NativeKernel; pointer: unknown } {
  const id = `${path}#${symbol}`;
  const hit = functions.get(id);
  if (hit) return hit;
  const lib = loadLibrary(path, (p) => loadingOpenMP(() => koffi.load(p)));
  const loaded = { fn: lib.func(`void ${symbol}(void *bufs, void *params)`) as unknown as NativeKernel, pointer: lib.symbol(symbol) as unknown };
  functions.set(id, loaded);
  return loaded;
}

/**
 * Floats per vector register in register tiles and packed inputs: 16 where the compiler targets
 * AVX-512, else 8 (AVX2 width; narrower CPUs split the GCC vectors). METAOP_VECTOR_LANES=8|16 overrides.
 */
function vectorLanes(avx512: boolean): number {
  const forced = readEnv('METAOP_VECTOR_LANES');
  if (forced === undefined || forced === '') return avx512 ? 16 : 8;
  if (forced !== '8' && forced !== '16') throw new Error(`METAOP_VECTOR_LANES must be 8 or 16, got '${forced}'`);
  return Number(forced);
}

export function createCBackend(): CBackend {
  const cacheDir = resolveCacheDir();
  const toolchain = detectToolchain(cacheDir);
  if (toolchain.sanitize) requireAsanRuntime();
  const cache = new KernelCache(cacheDir, toolchain);
  const clock = new KernelClock(cache);
  const lanes = vectorLanes(toolchain.avx512);
  const renderer = new CRenderer();
  renderer.openmp = toolchain.openmp;
  renderer.threadBudget = toolchain.openmp;
  // Every kernel's table ends with the process's thread counters and this thread's budget.
  const threads = toolchain.openmp ? [threadState(cache), BigInt(threadBudget())] : [];
  renderer.vectorLanes = lanes;
  const device: Device = {
    name: 'c',
    label: `c (${toolchain.version.split(' ')[0]} ${toolchain.flags.join(' ')})`,
    // The storages name their backend, which exists once the device does.
    ...nativeMemory(() => backend, toolchain.sanitize),
    schedule: {
      // The machine's CPUs, not the budget: kernels (and their keys) do not change with METAOP_NUM_THREADS.
      threads: toolchain.openmp ? availableParallelism() : 1,
      parallelAxes: 4,
      parallelTeam: true,
      vectorLanes: lanes,
      // 2 x rows vector accumulators: 12 of AVX2's 16 registers, 24 of AVX-512's 32 (which also
      // holds 8-float tiles where 16-float vectors would leave a scalar tail).
      tile: { lanes, vectors: 2, rows: lanes === 16 ? 12 : 6, minWork: 1 << 16, narrowLanes: lanes === 16 ? 8 : undefined },
      unroll: 4,
      restage: { minReuse: 8, minWork: 1 << 16 },
      // float64 running sums where they cost little (scalar sums, vectorised as double lanes);
      // register tiles keep float32 vector FMAs over blocks of 64 terms, each block added into
      // float64 cells; full reductions in fixed chunks, the same for any OMP_NUM_THREADS.
      accumulate: { scalar: 'wide', tile: { block: 64 }, chunk: 1 << 14 },
      shapeClasses: true,
    },
    renderer,
    compile(jobs) {
      return buildKernels(cache, renderer, jobs).map(({ path, symbol }): Executable => {
        const { fn, pointer } = load(path, symbol);
        let table = new BigUint64Array(8);
        return {
          run(buffers, params) {
            if (table.length < buffers.length + threads.length) table = new BigUint64Array(buffers.length + threads.length);
            for (let i = 0; i < buffers.length; i++) table[i] = (buffers[i] as NativeStorage).address;
            for (let i = 0; i < threads.length; i++) table[buffers.length + i] = threads[i];
            if (clock.enabled) clock.call(pointer, table, params);
            else fn(table, params);
          },
        };
      });
    },
  };
  const backend: CBackend = Object.assign(createCompiledBackend(device), {
    cache,
    timeKernels: (on: boolean) => clock.set(on),
    kernelNanoseconds: () => clock.nanoseconds(),
  });
  return backend;
}

registerBackend({
  name: 'c',
  priority: 20,
  available: () => (findCompiler() ? true : 'no C compiler found (looked for $CC, cc, gcc and clang on PATH)'),
  create: createCBackend,
});
