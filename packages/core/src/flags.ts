// Global settings: one typed object, seeded from METAOP_* environment variables, scoped overrides.
import { ArgumentError } from './errors.js';

export interface MetaOpFlags {
  /** Backend used when none was set with setBackend (METAOP_BACKEND). */
  backend: string | undefined;
  /** Folder for compiled kernels (METAOP_CACHE_DIR); backends choose a user cache folder when unset. */
  cacheDir: string | undefined;
  /** Seed of the default random generator (METAOP_SEED). */
  seed: number;
  /** Realize every Var as soon as it is built: slow, for debugging (METAOP_EAGER=1). */
  eager: boolean;
  /** Print progress lines such as "compiling kernels 12/30" (METAOP_PROGRESS=0 turns them off). */
  progress: boolean;
  /** Print notices about backend choices and fallbacks (METAOP_QUIET=1 turns them off). */
  notices: boolean;
  /** Bytes of freed host buffers kept for reuse (METAOP_POOL_MB, default 2048 MiB). */
  poolBytes: number;
  /** Time every kernel launch (METAOP_PROFILE=1); read the totals with a compiled backend's profile(). */
  profile: boolean;
  /**
   * Anomaly mode (METAOP_CHECK_NAN=1): check every kernel's output and raise an AnomalyError naming
   * the first op that produced NaN or ±Inf and the line that built it. Slow; off costs nothing.
   * Turn it on before building the graph, so construction sites are recorded.
   */
  checkNan: boolean;
  /**
   * Most bytes realized tensors may hold at once (METAOP_MEMORY_LIMIT, in bytes; unset: no limit).
   * An allocation that would pass it throws OutOfMemoryError before anything is allocated.
   */
  memoryLimit: number | undefined;
  /**
   * Compiled backends pack a weight (a realized input a heavy kernel restages) once per plan and
   * keep the copy with the plan, re-packing only after its storage is written (METAOP_PACK_ONCE=0
   * packs inside every launch instead). Read when a plan is built.
   */
  packOnce: boolean;
}

function env(name: string): string | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const v = proc?.env?.[name];
  return v === undefined || v === '' ? undefined : v;
}

function envBool(name: string, fallback: boolean): boolean {
  const v = env(name);
  if (v === undefined) return fallback;
  return !['0', 'false', 'no', 'off'].includes(v.toLowerCase());
}

function envInt(name: string, fallback: number): number {
  const v = env(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new ArgumentError(`${name}=${v} is not an integer; set a whole number or unset it`, 'flags');
  return n;
}

export const flags: MetaOpFlags = {
  backend: env('METAOP_BACKEND'),
  cacheDir: env('METAOP_CACHE_DIR'),
  seed: envInt('METAOP_SEED', 0),
  eager: envBool('METAOP_EAGER', false),
  progress: envBool('METAOP_PROGRESS', true),
  notices: !envBool('METAOP_QUIET', false),
  poolBytes: envInt('METAOP_POOL_MB', 2048) * 1024 * 1024,
  profile: envBool('METAOP_PROFILE', false),
  checkNan: envBool('METAOP_CHECK_NAN', false),
  memoryLimit: env('METAOP_MEMORY_LIMIT') === undefined ? undefined : envInt('METAOP_MEMORY_LIMIT', 0),
  packOnce: envBool('METAOP_PACK_ONCE', true),
};

/** Reads an environment variable (undefined where there is no process, as in a browser). */
export function readEnv(name: string): string | undefined {
  return env(name);
}

/** Runs `fn` with some flags overridden, restoring them afterwards (also when fn throws). */
export function flagScope<T>(overrides: Partial<MetaOpFlags>, fn: () => T): T {
  const saved: Partial<MetaOpFlags> = {};
  for (const key of Object.keys(overrides) as (keyof MetaOpFlags)[]) {
    (saved as Record<string, unknown>)[key] = flags[key];
    (flags as unknown as Record<string, unknown>)[key] = overrides[key];
  }
  try {
    return fn();
  } finally {
    Object.assign(flags, saved);
  }
}

/** Prints a one-line notice to stderr unless notices are off. */
export function notice(message: string): void {
  if (flags.notices) console.warn(`[metaop] ${message}`);
}
