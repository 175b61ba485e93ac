// Memory ownership: live-bytes accounting, dispose bookkeeping, the GC backstop, and tidy scopes.
import type { Backend, Storage } from './backend.js';
import { contextFollowsAwait, contextVar } from './context.js';
import { notice } from './flags.js';
import { itemSize } from './dtype.js';
import { OutOfMemoryError } from './errors.js';
import { flags } from './flags.js';
import type { Var } from './var.js';

export interface MemoryInfo {
  /** Bytes held by storages that are alive now. */
  liveBytes: number;
  /** Storages alive now (realized Vars plus temporaries of a running program). */
  liveStorages: number;
  /** Largest liveBytes seen since the last resetPeakBytes(). */
  peakBytes: number;
  /** The part of liveBytes held by kernel workspaces (scratch buffers) of a running program. */
  scratchBytes: number;
  /** Largest scratchBytes seen since the last resetPeakBytes(). */
  peakScratchBytes: number;
  /** Storages freed by the garbage-collection backstop rather than dispose(). */
  collectedByGC: number;
  /**
   * Bytes held by buffers a cached plan owns (weights packed once per plan), not part of liveBytes:
   * they live until the plan is evicted or their source is freed. The memory limit counts them.
   */
  planBytes: number;
}

const info: MemoryInfo = { liveBytes: 0, liveStorages: 0, peakBytes: 0, scratchBytes: 0, peakScratchBytes: 0, collectedByGC: 0, planBytes: 0 };
const freed = new WeakSet<Storage>();
const scratch = new WeakSet<Storage>();
const planOwned = new WeakSet<Storage>();

export function memory(): MemoryInfo {
  return { ...info };
}

export function resetPeakBytes(): void {
  info.peakBytes = info.liveBytes;
  info.peakScratchBytes = info.scratchBytes;
}

function bytesOf(s: Storage): number {
  return s.numel * itemSize(s.dtype);
}

/**
 * The bytes of `numel` elements of `dtype` for `owner`, checked before anything is allocated: an
 * OutOfMemoryError naming the tensor when the size is not exact (beyond 2^53) or when it, on top of
 * the live bytes and `pending` bytes about to be allocated, would pass flags.memoryLimit.
 */
export function checkAllocation(dtype: Storage['dtype'], numel: number, owner: Var | undefined, op: string, pending = 0): number {
  const bytes = numel * itemSize(dtype);
  const limit = flags.memoryLimit;
  const held = info.liveBytes + info.planBytes;
  if (Number.isSafeInteger(bytes) && (limit === undefined || held + pending + bytes <= limit)) return bytes;
  const what = owner === undefined ? `a ${dtype} buffer of ${numel} elements` : `the ${owner.node?.op ?? 'data'} result ${owner.describe()}${owner.name ? ` (${owner.name})` : ''}`;
  if (!Number.isSafeInteger(bytes)) {
    throw new OutOfMemoryError(`${what} needs about ${bytes.toPrecision(3)} bytes, more than 2^53: no memory can hold it; check the shape`, op);
  }
  throw new OutOfMemoryError(
    `${what} needs ${bytes} bytes, but ${held + pending} bytes are live or about to be` +
      `${info.planBytes > 0 ? ` (${info.planBytes} of them in buffers cached plans own)` : ''} and the memory limit ` +
      `(flags.memoryLimit, METAOP_MEMORY_LIMIT) is ${limit} bytes; dispose tensors you no longer need, or raise the limit`,
    op,
  );
}

/** Allocates through the backend and counts the bytes; `owner` names the tensor in an OutOfMemoryError. */
export function allocStorage(backend: Backend, dtype: Storage['dtype'], numel: number, owner?: Var, op = 'alloc'): Storage {
  checkAllocation(dtype, numel, owner, op);
  const s = backend.alloc(dtype, numel);
  info.liveBytes += bytesOf(s);
  info.liveStorages++;
  if (info.liveBytes > info.peakBytes) info.peakBytes = info.liveBytes;
  return s;
}

/**
 * Allocates a kernel workspace (scratch buffer) for one launch; it counts in liveBytes and
 * peakBytes like any storage, and in scratchBytes. Free it with freeStorage.
 */
export function allocScratch(backend: Backend, dtype: Storage['dtype'], numel: number): Storage {
  const s = allocStorage(backend, dtype, numel);
  scratch.add(s);
  info.scratchBytes += bytesOf(s);
  if (info.scratchBytes > info.peakScratchBytes) info.peakScratchBytes = info.scratchBytes;
  return s;
}

/**
 * Allocates a buffer a cached plan owns across runs (a weight packed once per plan): counted in
 * planBytes, not liveBytes, until freeStorage frees it (when the plan is evicted or released).
 */
export function allocPlanBuffer(backend: Backend, dtype: Storage['dtype'], numel: number): Storage {
  checkAllocation(dtype, numel, undefined, 'plan');
  const s = backend.alloc(dtype, numel);
  planOwned.add(s);
  info.planBytes += bytesOf(s);
  return s;
}

/** Frees once; a second call is a no-op. */
export function freeStorage(s: Storage): void {
  if (freed.has(s)) return;
  freed.add(s);
  if (planOwned.has(s)) {
    info.planBytes -= bytesOf(s);
    s.backend.free(s);
    return;
  }
  if (scratch.has(s)) info.scratchBytes -= bytesOf(s);
  info.liveBytes -= bytesOf(s);
  info.liveStorages--;
  s.backend.free(s);
}

/** Whether `s` was freed (its memory may hold another tensor now). */
export function isFreed(s: Storage): boolean {
  return freed.has(s);
}

const backstop =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<Storage>((s) => {
        if (!freed.has(s)) {
          info.collectedByGC++;
          freeStorage(s);
        }
      })
    : undefined;

/** Attaches storage to a Var; the GC backstop frees it if the Var is collected undisposed. */
export function attachStorage(v: Var, s: Storage): void {
  v.storage = s;
  backstop?.register(v, s, v);
}

/** Detaches a Var's storage without freeing it (to move it to another Var). */
export function detachStorage(v: Var): Storage | null {
  const s = v.storage;
  if (!s) return null;
  v.storage = null;
  backstop?.unregister(v);
  return s;
}

/** Detaches and frees a Var's storage. */
export function releaseStorage(v: Var): void {
  const s = v.storage;
  if (!s) return;
  v.storage = null;
  backstop?.unregister(v);
  freeStorage(s);
}

// ---- tidy scopes -------------------------------------------------------------------------------

interface Scope {
  readonly vars: Var[];
  readonly kept: Set<Var>;
}

const scopeStack = contextVar<Scope[]>([]);

function scopes(): Scope[] {
  return scopeStack.get();
}

/** Records a new Var in the innermost tidy scope, if any. */
export function trackVar(v: Var): void {
  const s = scopes();
  if (s.length > 0) s[s.length - 1].vars.push(v);
}

/** Keeps a Var alive past the enclosing tidy scopes. */
export function keep<T extends Var>(v: T): T {
  for (const s of scopes()) s.kept.add(v);
  return v;
}

function collectVars(value: unknown, into: Set<Var>, isVar: (x: unknown) => x is Var, depth = 0): void {
  if (depth > 8 || value === null || typeof value !== 'object') return;
  if (isVar(value)) {
    into.add(value);
    return;
  }
  if (Array.isArray(value)) for (const x of value) collectVars(x, into, isVar, depth + 1);
  else if (value instanceof Map) for (const x of value.values()) collectVars(x, into, isVar, depth + 1);
  else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const x of Object.values(value)) collectVars(x, into, isVar, depth + 1);
  }
}

export interface TidyHooks {
  isVar(x: unknown): x is Var;
  realize(vars: Var[]): void;
  dispose(v: Var): void;
}

let hooks: TidyHooks | undefined;
export function setTidyHooks(h: TidyHooks): void {
  hooks = h;
}

function endScope(scope: Scope, parent: Scope | undefined, result: unknown): void {
  if (!hooks) return;
  const returned = new Set<Var>();
  collectVars(result, returned, hooks.isVar);
  // Returned Vars may read storage this scope is about to free: compute them first. When that
  // fails (an IndexError, say) tidy throws and returns nothing, so the scope's Vars all go.
  const pending = [...returned].filter((v) => v.storage === null && !v.isDisposed);
  let failure: { error: unknown } | undefined;
  if (pending.length > 0 && scope.vars.some((v) => v.storage !== null && !returned.has(v))) {
    try {
      hooks.realize(pending);
    } catch (error) {
      failure = { error };
      returned.clear();
    }
  }
  for (const v of scope.vars) {
    if (returned.has(v) || scope.kept.has(v)) {
      // Returned Vars belong to the enclosing scope now (kept ones were marked kept there too).
      if (parent && returned.has(v)) parent.vars.push(v);
      continue;
    }
    hooks.dispose(v);
  }
  if (failure) throw failure.error;
}

let warnedAsync = false;

/**
 * Runs fn and disposes every Var created inside it except those it returns (in arrays, plain
 * objects or Maps) and those passed to keep(). Works across await: pass an async function and
 * await the result.
 */
export function tidy<T>(fn: () => T): T {
  const scope: Scope = { vars: [], kept: new Set() };
  const outer = scopes();
  const parent = outer.length > 0 ? outer[outer.length - 1] : undefined;
  const run = (): T => {
    let result: T;
    try {
      result = fn();
    } catch (e) {
      endScope(scope, parent, undefined);
      throw e;
    }
    if (result instanceof Promise) {
      if (!contextFollowsAwait && !warnedAsync) {
        warnedAsync = true;
        notice('tidy(async fn): this runtime has no AsyncLocalStorage, so Vars made after the first await are not tracked (and not freed); use Node >= 20.16');
      }
      return result.then(
        (value) => {
          endScope(scope, parent, value);
          return value;
        },
        (e: unknown) => {
          endScope(scope, parent, undefined);
          throw e;
        },
      ) as T;
    }
    endScope(scope, parent, result);
    return result;
  };
  return scopeStack.run([...outer, scope], run);
}
