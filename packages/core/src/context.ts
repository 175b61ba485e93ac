// Context values that follow async code: AsyncLocalStorage in Node, a save/restore slot elsewhere
// (where an async function sees the value only until its first await).

export interface ContextVar<T> {
  get(): T;
  run<R>(value: T, fn: () => R): R;
}

interface AsyncStore<T> {
  getStore(): T | undefined;
  run<R>(store: T, fn: () => R): R;
}

type AlsCtor = new <T>() => AsyncStore<T>;

const AsyncLocalStorageCtor: AlsCtor | undefined = (() => {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const mod = proc?.getBuiltinModule?.('node:async_hooks') as { AsyncLocalStorage: AlsCtor } | undefined;
  return mod?.AsyncLocalStorage;
})();

/**
 * Whether context values follow async code across await (AsyncLocalStorage, found through
 * process.getBuiltinModule: Node >= 20.16 / 22.3). Without it an async tidy() tracks only the Vars
 * made before its first await.
 */
export const contextFollowsAwait = AsyncLocalStorageCtor !== undefined;

export function contextVar<T>(initial: T): ContextVar<T> {
  if (AsyncLocalStorageCtor) {
    const store = new AsyncLocalStorageCtor<{ value: T }>();
    return {
      get: () => store.getStore()?.value ?? initial,
      run: (value, fn) => store.run({ value }, fn),
    };
  }
  let value = initial;
  return {
    get: () => value,
    run: (next, fn) => {
      const saved = value;
      value = next;
      try {
        return fn();
      } finally {
        value = saved;
      }
    },
  };
}

const gradEnabled = contextVar(true);

/** False inside noGrad(): new Vars stop gradients and drop their graph once realized. */
export function isGradEnabled(): boolean {
  return gradEnabled.get();
}

/** Runs fn (sync or async) without recording gradient graphs: for inference. */
export function noGrad<T>(fn: () => T): T {
  return gradEnabled.run(false, fn);
}

/** Runs fn with gradient recording on, even inside noGrad(). */
export function enableGrad<T>(fn: () => T): T {
  return gradEnabled.run(true, fn);
}
