// The Backend contract and the registry that picks one by name or priority.
import type { DataArray, DType } from './dtype.js';
import { BackendError } from './errors.js';
import { flags, notice } from './flags.js';
import type { Var } from './var.js';

/** Memory owned by a backend for one realized Var. */
export interface Storage {
  readonly backend: Backend;
  readonly dtype: DType;
  readonly numel: number;
}

/** Storage kept in a host typed array, shared by the CPU backends (reference, js, c, bang emulation). */
export interface HostStorage extends Storage {
  readonly array: DataArray;
}

/** The unrealized part of the graph that one realize() call must compute. */
export interface Graph {
  /** Unrealized Vars in topological order (inputs before users). */
  readonly nodes: readonly Var[];
  /** Realized Vars the nodes read. */
  readonly leaves: readonly Var[];
  /** Vars the caller asked for: they must own storage afterwards. */
  readonly outputs: readonly Var[];
}

/** One unit of execution: reads realized inputs, writes outputs (one kernel, or one op for the oracle). */
export interface Step {
  readonly label: string;
  readonly inputs: readonly Var[];
  readonly outputs: readonly Var[];
  run(inputs: readonly Storage[], outputs: readonly Storage[]): void;
}

export interface Program {
  readonly steps: readonly Step[];
}

export interface Backend {
  /** Registry name: 'reference', 'js', 'c', 'bang', 'cuda', ... */
  readonly name: string;
  /** What to show users, e.g. 'bang (emulated)'. */
  readonly label: string;
  alloc(dtype: DType, numel: number): Storage;
  free(storage: Storage): void;
  write(storage: Storage, data: DataArray): void;
  /** A copy of the storage's contents. */
  readSync(storage: Storage): DataArray;
  read(storage: Storage): Promise<DataArray>;
  /** Turns the unrealized graph into steps; compiled backends fuse, compile and cache kernels here. */
  plan(graph: Graph): Program;
}

export interface BackendRegistration {
  readonly name: string;
  /** Higher wins when no backend was chosen explicitly. */
  readonly priority: number;
  /** Returns true when usable here, or a sentence saying why not (e.g. "no C compiler found"). */
  readonly available: () => true | string;
  readonly create: () => Backend;
}

const registry = new Map<string, BackendRegistration>();
const instances = new Map<string, Backend>();
let current: Backend | undefined;

export function registerBackend(reg: BackendRegistration): void {
  registry.set(reg.name, reg);
  instances.delete(reg.name);
  if (current?.name === reg.name) current = undefined;
}

export function backendNames(): string[] {
  return [...registry.keys()];
}

function instantiate(name: string, forced: boolean): Backend {
  const cached = instances.get(name);
  if (cached) return cached;
  const reg = registry.get(name);
  if (!reg) {
    throw new BackendError(
      `unknown backend '${name}'; registered: ${backendNames().join(', ') || 'none'}. ` +
        `Import its package first (e.g. import '@metaop/backend-${name}')`,
      'setBackend',
    );
  }
  const ok = reg.available();
  if (ok !== true) {
    throw new BackendError(`backend '${name}' cannot run here: ${ok}`, forced ? 'setBackend' : undefined);
  }
  const backend = reg.create();
  instances.set(name, backend);
  return backend;
}

/** Selects the backend for every later realize. Throws if it is unknown or cannot run here. */
export function setBackend(name: string): Backend {
  current = instantiate(name, true);
  return current;
}

/** The current backend: the one set, else METAOP_BACKEND, else the highest-priority one available. */
export function getBackend(): Backend {
  if (current) return current;
  if (flags.backend !== undefined) {
    current = instantiate(flags.backend, true);
    return current;
  }
  const candidates = [...registry.values()].sort((a, b) => b.priority - a.priority);
  const skipped: string[] = [];
  for (const reg of candidates) {
    const ok = reg.available();
    if (ok === true) {
      if (skipped.length > 0) notice(`${skipped.join('; ')}; using backend '${reg.name}'`);
      current = instantiate(reg.name, false);
      return current;
    }
    skipped.push(`backend '${reg.name}' unavailable (${ok})`);
  }
  throw new BackendError(
    'no backend is registered; import @metaop/ops (reference), @metaop/backend-js or @metaop/backend-c',
    'getBackend',
  );
}

/** Runs fn with a backend selected, restoring the previous choice afterwards. */
export function withBackend<T>(name: string, fn: () => T): T {
  const saved = current;
  setBackend(name);
  try {
    return fn();
  } finally {
    current = saved;
  }
}

/** Returns a backend instance by name without selecting it. */
export function backendByName(name: string): Backend {
  return instantiate(name, true);
}
