// Backend selection for the examples: registers every backend package that is installed, selects
// one by name, and reads a run's kernel and compile statistics.
import type { Backend } from '@metaop/core';
import { flags, getBackend, memory, setBackend } from '@metaop/ops';
import '@metaop/backend-js';
import '@metaop/backend-c';
import { ExampleError, type Json } from '../cli/example.js';

let optionalLoaded = false;

/** Imports optional backend packages (bang, cuda) when they are installed; ignores them otherwise. */
async function loadOptionalBackends(): Promise<void> {
  if (optionalLoaded) return;
  optionalLoaded = true;
  for (const pkg of ['@metaop/backend-bang', '@metaop/backend-cuda']) {
    try {
      await import(/* @vite-ignore */ pkg);
    } catch (e) {
      // Not installed in this checkout: `--backend <name>` then lists the registered names. Any
      // other failure is a bug worth seeing.
      if ((e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') console.warn(`[metaop] could not load ${pkg}: ${(e as Error).message}`);
    }
  }
}

/**
 * Selects `name`; without one, METAOP_BACKEND, else `preferred` where it can run here, else the
 * best available backend (with a notice saying why `preferred` was passed over).
 */
export async function useBackend(name: string | undefined, preferred?: string): Promise<Backend> {
  await loadOptionalBackends();
  if (name) {
    try {
      return setBackend(name);
    } catch (e) {
      throw new ExampleError(`--backend ${name}: ${(e as Error).message}`);
    }
  }
  if (flags.backend === undefined && preferred !== undefined) {
    try {
      return setBackend(preferred);
    } catch (e) {
      console.warn(`[metaop] ${(e as Error).message}; using the default backend instead`);
    }
  }
  return getBackend();
}

interface CompiledStats {
  kernelsCompiled: number;
  cacheHits: number;
  planHits: number;
  launches: number;
}

interface DiskCacheStats {
  hits: number;
  compiled: number;
  rebuilt: number;
  compilerRuns: number;
}

/** Time spent in one kernel over a run (recorded only with profiling on). */
export interface KernelTime {
  name: string;
  notes: string[];
  launches: number;
  ms: number;
}

/** Kernel, compile-cache and memory figures of the current backend so far. */
export interface RunStats {
  backend: string;
  /** Compiled backends: kernels compiled or loaded by this process, in-memory hits, plan-cache hits, launches. */
  kernels?: CompiledStats;
  /** Backends with an on-disk kernel cache (c, bang): hits, compiled, rebuilt, compiler runs. */
  diskCache?: DiskCacheStats;
  peakBytes: number;
  liveBytes: number;
  /** The slowest kernels, when profiling was on (METAOP_PROFILE=1 or --profile). */
  slowestKernels?: KernelTime[];
}

export function runStats(backend: Backend = getBackend()): RunStats {
  const b = backend as Backend & { stats?: () => CompiledStats; cache?: { stats?: DiskCacheStats }; profile?: () => KernelTime[] };
  const mem = memory();
  const out: RunStats = { backend: backend.label, peakBytes: mem.peakBytes, liveBytes: mem.liveBytes };
  if (typeof b.stats === 'function') {
    const s = b.stats();
    out.kernels = { kernelsCompiled: s.kernelsCompiled, cacheHits: s.cacheHits, planHits: s.planHits, launches: s.launches };
  }
  if (b.cache?.stats) out.diskCache = { ...b.cache.stats };
  const profile = typeof b.profile === 'function' ? b.profile() : [];
  if (profile.length > 0) out.slowestKernels = profile.slice(0, 12).map((k) => ({ name: k.name, notes: [...k.notes], launches: k.launches, ms: Number(k.ms.toFixed(2)) }));
  return out;
}

export function statsJson(s: RunStats): { [key: string]: Json } {
  return JSON.parse(JSON.stringify(s)) as { [key: string]: Json };
}

/** The reports' "Kernels and compilation" table: label and value rows. */
export function statsRows(s: RunStats): [string, string | number][] {
  const rows: [string, string | number][] = [['backend', s.backend]];
  if (s.kernels) {
    rows.push(
      ['kernels built (compiled or loaded) by this process', s.kernels.kernelsCompiled],
      ['kernel lookups served from memory', s.kernels.cacheHits],
      ['steps served from the plan cache (no partitioning, no lowering)', s.kernels.planHits],
      ['kernel launches', s.kernels.launches],
    );
  }
  if (s.diskCache) {
    rows.push(
      ['on-disk kernel cache: hits', s.diskCache.hits],
      ['on-disk kernel cache: kernels compiled', s.diskCache.compiled],
      ['on-disk kernel cache: compiler runs', s.diskCache.compilerRuns],
      ['on-disk kernel cache: corrupt entries rebuilt', s.diskCache.rebuilt],
    );
  }
  rows.push(['peak memory held by tensors', formatBytes(s.peakBytes)]);
  return rows;
}

/** One line for people: "c (gcc ...): 90 kernels compiled (90 from the disk cache), 8786 launches". */
export function statsLine(s: RunStats): string {
  const parts = [`backend ${s.backend}`];
  if (s.kernels) {
    parts.push(`${s.kernels.kernelsCompiled} kernels built`, `${s.kernels.planHits} plan-cache hits`, `${s.kernels.launches} kernel launches`);
  }
  if (s.diskCache) parts.push(`disk cache: ${s.diskCache.hits} hits, ${s.diskCache.compiled} compiled in ${s.diskCache.compilerRuns} compiler runs`);
  parts.push(`peak memory ${formatBytes(s.peakBytes)}`);
  return parts.join(', ');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
