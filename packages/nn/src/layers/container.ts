// Containers: Sequential (chains its children) and ModuleList (holds them, no forward).
import { ArgumentError, type Var } from '@metaop/core';
import { Module, type AnyModule } from '../module.js';

/** A module that maps one Var to one Var, the kind Sequential can chain. */
export type VarModule = Module<[Var], Var>;

/** Runs its children in order, each on the previous one's output. Children are named "0", "1", ... */
export class Sequential extends Module {
  readonly #layers: VarModule[] = [];

  constructor(...layers: VarModule[]) {
    super();
    for (const layer of layers) this.append(layer);
  }

  /** A Sequential with named children, like PyTorch's Sequential(OrderedDict(...)). */
  static named(layers: Record<string, VarModule>): Sequential {
    const s = new Sequential();
    for (const [name, layer] of Object.entries(layers)) s.#add(name, layer);
    return s;
  }

  #add(name: string, layer: VarModule): void {
    if (!(layer instanceof Module)) throw new ArgumentError(`child '${name}' is not a Module`, 'Sequential');
    this.registerModule(name, layer as unknown as AnyModule);
    this.#layers.push(layer);
  }

  append(layer: VarModule): this {
    this.#add(String(this.#layers.length), layer);
    return this;
  }

  get length(): number {
    return this.#layers.length;
  }

  /** The i-th child (negative counts from the end). */
  at(i: number): VarModule {
    const layer = this.#layers[i < 0 ? i + this.#layers.length : i];
    if (!layer) throw new ArgumentError(`index ${i} is out of range for a Sequential of ${this.#layers.length}`, 'Sequential.at');
    return layer;
  }

  [Symbol.iterator](): Iterator<VarModule> {
    return this.#layers[Symbol.iterator]();
  }

  forward(x: Var): Var {
    let y = x;
    for (const layer of this.#layers) y = layer.forward(y);
    return y;
  }
}

/** Holds submodules in a list (named "0", "1", ...) so their parameters are registered. */
export class ModuleList<M extends AnyModule = AnyModule> extends Module<never[], never> {
  readonly #items: M[] = [];

  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  append(module: M): this {
    if (!(module instanceof Module)) throw new ArgumentError('only Modules can be appended', 'ModuleList.append');
    this.registerModule(String(this.#items.length), module);
    this.#items.push(module);
    return this;
  }

  get length(): number {
    return this.#items.length;
  }

  at(i: number): M {
    const m = this.#items[i < 0 ? i + this.#items.length : i];
    if (!m) throw new ArgumentError(`index ${i} is out of range for a ModuleList of ${this.#items.length}`, 'ModuleList.at');
    return m;
  }

  [Symbol.iterator](): Iterator<M> {
    return this.#items[Symbol.iterator]();
  }

  forward(): never {
    throw new ArgumentError('a ModuleList has no forward; iterate over it and call each module', 'ModuleList.forward');
  }
}
