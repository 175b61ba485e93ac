// Module: the base class of layers and models. It registers parameters, buffers and submodules
// under PyTorch's names, so `namedParameters()` and `stateDict()` produce keys like `layer1.0.conv1.weight`.
import { ArgumentError, checkOptions, type OptionKeys, type Var } from '@metaop/core';
import { flushBufferUpdates, hasPendingUpdates } from './pending.js';
import { applyStateDict, type LoadStateDictOptions, type LoadStateDictResult, type StateDict } from './state-dict.js';

/** Parameters whose `name` this file gave (a user's own name is never replaced). */
const autoNamed = new WeakSet<Var>();

/**
 * Labels a parameter with its dotted name for errors (e.g. a stale graph after an optimizer step).
 * The most qualified name seen wins, so naming from the root model beats an earlier submodule walk.
 */
function nameParameter(v: Var, full: string): void {
  if (v.name === undefined || (autoNamed.has(v) && full.length > v.name.length)) {
    v.name = full;
    autoNamed.add(v);
  }
}

/** Any module, whatever its forward signature. */
export type AnyModule = Module<never[], unknown>;

export interface RegisterBufferOptions {
  /** Non-persistent buffers are left out of `stateDict()` (PyTorch's `persistent=False`). */
  persistent?: boolean;
}
const registerBufferKeys: OptionKeys<RegisterBufferOptions> = { persistent: true };

/**
 * Base class of every layer and model. Subclasses register their state in the constructor and
 * implement `forward`:
 *
 * ```ts
 * class Net extends Module {
 *   fc = this.registerModule('fc', new Linear(4, 2));
 *   forward(x: Var): Var { return this.fc.forward(x).relu(); }
 * }
 * ```
 *
 * Parameters and buffers keep their identity for the module's lifetime: optimizers, `loadStateDict`
 * and BatchNorm update them in place with `Var.assign`, so fields holding them stay valid.
 */
export abstract class Module<In extends unknown[] = [Var], Out = Var> {
  /** True in training mode (dropout active, BatchNorm uses and updates batch statistics). */
  training = true;
  readonly #parameters = new Map<string, Var | null>();
  readonly #buffers = new Map<string, Var | null>();
  readonly #nonPersistent = new Set<string>();
  readonly #modules = new Map<string, AnyModule | null>();

  abstract forward(...inputs: In): Out;

  /** Registers a parameter (a trainable float Var) under `name`; null records an absent one (e.g. no bias). */
  protected registerParameter<V extends Var | null>(name: string, value: V): V {
    this.#claim(name, 'registerParameter');
    this.#parameters.set(name, value);
    return value;
  }

  /** Registers a buffer (state that is not trained, e.g. BatchNorm's running mean). */
  protected registerBuffer<V extends Var | null>(name: string, value: V, options: RegisterBufferOptions = {}): V {
    checkOptions(options, registerBufferKeys, 'registerBuffer');
    this.#claim(name, 'registerBuffer');
    this.#buffers.set(name, value);
    if (options.persistent === false) this.#nonPersistent.add(name);
    return value;
  }

  /** Registers a submodule; its state appears under `name.` in names and state dicts. */
  protected registerModule<M extends AnyModule | null>(name: string, module: M): M {
    this.#claim(name, 'registerModule');
    this.#modules.set(name, module);
    return module;
  }

  #claim(name: string, op: string): void {
    if (typeof name !== 'string' || name === '' || name.includes('.')) {
      throw new ArgumentError(`name ${JSON.stringify(name)} must be a non-empty string without '.'`, op);
    }
    if (this.#parameters.has(name) || this.#buffers.has(name) || this.#modules.has(name)) {
      throw new ArgumentError(`'${name}' is already registered on ${this.constructor.name}; use a different name`, op);
    }
  }

  /** Direct submodules with their names, in registration order. */
  namedChildren(): [string, AnyModule][] {
    return [...this.#modules].filter((e): e is [string, AnyModule] => e[1] !== null);
  }

  children(): AnyModule[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and every module below it, depth first, each once. */
  namedModules(prefix = ''): [string, AnyModule][] {
    const out: [string, AnyModule][] = [];
    const seen = new Set<AnyModule>();
    const walk = (m: AnyModule, p: string) => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([p, m]);
      for (const [name, child] of m.namedChildren()) walk(child, p === '' ? name : `${p}.${name}`);
    };
    walk(this as unknown as AnyModule, prefix);
    return out;
  }

  modules(): AnyModule[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** The submodule at a dotted path such as `layer1.0.conv1`. */
  getSubmodule(path: string): AnyModule {
    let m = this as unknown as AnyModule;
    if (path === '') return m;
    for (const part of path.split('.')) {
      const next = m.#modules.get(part);
      if (!next) throw new ArgumentError(`${m.constructor.name} has no submodule '${part}' (looking up '${path}')`, 'getSubmodule');
      m = next;
    }
    return m;
  }

  /** Parameters or buffers below this module with dotted names, each Var once. */
  #named(kind: 'parameters' | 'buffers', prefix: string, recurse: boolean): [string, Var][] {
    const out: [string, Var][] = [];
    const seen = new Set<Var>();
    const mods: [string, AnyModule][] = recurse ? this.namedModules(prefix) : [[prefix, this as unknown as AnyModule]];
    for (const [p, m] of mods) {
      const table = kind === 'parameters' ? m.#parameters : m.#buffers;
      for (const [name, v] of table) {
        if (v === null || seen.has(v)) continue;
        seen.add(v);
        const full = p === '' ? name : `${p}.${name}`;
        if (kind === 'parameters') nameParameter(v, full);
        out.push([full, v]);
      }
    }
    return out;
  }

  /** Parameters with their dotted names; a parameter shared by two layers is listed once. */
  namedParameters(prefix = '', recurse = true): [string, Var][] {
    return this.#named('parameters', prefix, recurse);
  }

  parameters(recurse = true): Var[] {
    return this.namedParameters('', recurse).map(([, v]) => v);
  }

  /** Buffers with their dotted names (pending BatchNorm statistics are applied first). */
  namedBuffers(prefix = '', recurse = true): [string, Var][] {
    if (hasPendingUpdates()) flushBufferUpdates();
    return this.#named('buffers', prefix, recurse);
  }

  buffers(recurse = true): Var[] {
    return this.namedBuffers('', recurse).map(([, v]) => v);
  }

  /** Sets training mode on this module and all below it. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: dropout off, BatchNorm uses its running statistics. */
  eval(): this {
    return this.train(false);
  }

  /** Calls fn on every module (children first, then this one, as in PyTorch), e.g. for custom initialisation. */
  apply(fn: (module: AnyModule) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this as unknown as AnyModule);
    return this;
  }

  /**
   * Parameters and persistent buffers by dotted name. The values are the module's own Vars (they
   * share storage, as PyTorch's state_dict does): save or copy them before training further.
   */
  stateDict(): StateDict {
    if (hasPendingUpdates()) flushBufferUpdates();
    const dict: StateDict = {};
    for (const [p, m] of this.namedModules()) {
      const add = (name: string, v: Var | null) => {
        if (v !== null) dict[p === '' ? name : `${p}.${name}`] = v;
      };
      for (const [name, v] of m.#parameters) add(name, v);
      for (const [name, v] of m.#buffers) if (!m.#nonPersistent.has(name)) add(name, v);
    }
    return dict;
  }

  /**
   * Copies values from `dict` into the parameters and buffers, in place. With `strict` (the default)
   * missing or unexpected keys are an error; shape mismatches always are. Everything is checked
   * before anything is copied, so a failed load changes nothing. Values are cast to each target's dtype.
   */
  loadStateDict(dict: StateDict, options: LoadStateDictOptions = {}): LoadStateDictResult {
    return applyStateDict(this.constructor.name, this.stateDict(), dict, options);
  }
}
