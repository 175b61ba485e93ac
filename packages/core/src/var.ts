// Var: a lazy tensor. Until realized it is a graph node; realized, it owns storage on a backend.
import { recordOrigin } from './anomaly.js';
import { getBackend, type Storage } from './backend.js';
import { isGradEnabled } from './context.js';
import { allocArray, arrayMatches, convertValue, type DataArray, type DType } from './dtype.js';
import { ArgumentError, DisposedError, ShapeError, StaleGraphError } from './errors.js';
import { flags } from './flags.js';
import type { OpNode } from './graph.js';
import { allocStorage, attachStorage, detachStorage, releaseStorage, setTidyHooks, trackVar } from './memory.js';
import { realize } from './realize.js';
import { checkShape, formatShape, numel, shapesEqual, type Shape } from './shape.js';

let nextId = 1;

// Node 20 has Symbol.dispose from 20.4; older runtimes get the well-known symbol by name.
const disposeSymbol: typeof Symbol.dispose =
  (Symbol as { dispose?: typeof Symbol.dispose }).dispose ?? (Symbol.for('Symbol.dispose') as typeof Symbol.dispose);

export class Var {
  readonly id: number;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** The op that produces this Var; null for data leaves and parameters. */
  node: OpNode | null;
  /** Backend memory holding the value, once realized. */
  storage: Storage | null = null;
  /** Gradients do not flow into this Var's node (detach(), noGrad()). */
  stopGrad: boolean;
  /** Keep the node after realize so grad() can walk through it; false under noGrad(). */
  retainGraph: boolean;
  /** Optional label shown by explain() and in errors. */
  name: string | undefined;
  /** Bumped by every in-place update (assign); graphs built on an older version are stale. */
  private updates = 0;
  /** The inputs' versions when `node` was built; null when they were all 0 (the common case, no allocation). */
  private inputVersions: readonly number[] | null = null;
  private disposed = false;
  /** Created from data (a leaf that cannot be recomputed), as opposed to computed by an op. */
  private readonly fromData: boolean;
  /** The element count, computed once (the shape is frozen): realize and allocation read it often. */
  private readonly size: number;

  private constructor(shape: Shape, dtype: DType, node: OpNode | null) {
    this.id = nextId++;
    this.shape = Object.freeze([...shape]);
    this.size = numel(this.shape);
    this.dtype = dtype;
    this.node = node;
    this.fromData = node === null;
    const grad = isGradEnabled();
    this.stopGrad = !grad;
    this.retainGraph = grad;
    trackVar(this);
    if (flags.checkNan) recordOrigin(this);
  }

  /** A lazy Var computed by `node`. Shape and dtype must already be inferred by the op. */
  static fromNode(node: OpNode, shape: Shape, dtype: DType): Var {
    const v = new Var(shape, dtype, node);
    const inputs = node.inputs;
    for (let i = 0; i < inputs.length; i++) {
      if (inputs[i].version !== 0) {
        v.inputVersions = inputs.map((u) => u.version);
        break;
      }
    }
    if (flags.eager) realize([v]);
    return v;
  }

  /** A realized leaf holding a copy of `array` on the current backend. */
  static fromArray(array: DataArray, shape: Shape, dtype: DType, op = 'tensor'): Var {
    checkShape(shape, op);
    if (array.length !== numel(shape)) {
      throw new ShapeError(`${array.length} values do not fill shape ${formatShape(shape)} (${numel(shape)} elements)`, op);
    }
    let data = array;
    if (!arrayMatches(dtype, array)) {
      data = allocArray(dtype, array.length);
      for (let i = 0; i < array.length; i++) data[i] = convertValue(array[i], dtype);
    }
    const v = new Var(shape, dtype, null);
    const backend = getBackend();
    const s = allocStorage(backend, dtype, data.length, v, op);
    backend.write(s, data);
    attachStorage(v, s);
    return v;
  }

  /** How many in-place updates (assign: optimizer steps, loadStateDict, init) this Var has had. */
  get version(): number {
    return this.updates;
  }

  get ndim(): number {
    return this.shape.length;
  }
  get numel(): number {
    return this.size;
  }
  get isRealized(): boolean {
    return this.storage !== null;
  }
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Throws a DisposedError naming `op` when this Var was disposed. */
  assertUsable(op: string): void {
    if (this.disposed) {
      throw new DisposedError(
        `Var #${this.id} ${this.describe()} was disposed (by dispose() or an enclosing tidy()); ` +
          'keep it with keep() or return it from the tidy to use it later',
        op,
      );
    }
  }

  /** Computes this Var now (with everything it depends on). */
  realize(): this {
    this.assertUsable('realize');
    realize([this]);
    return this;
  }

  /** Realizes and returns a copy of the values, synchronously. */
  dataSync(): DataArray {
    this.realize();
    const s = this.storage as Storage;
    return s.backend.readSync(s);
  }

  /** Realizes and returns a copy of the values. */
  async data(): Promise<DataArray> {
    this.realize();
    const s = this.storage as Storage;
    return s.backend.read(s);
  }

  /** The single value of a one-element Var. */
  item(): number {
    if (this.numel !== 1) {
      throw new ShapeError(`item() needs exactly one element but the shape is ${formatShape(this.shape)}; reduce or index first`, 'item');
    }
    return this.dataSync()[0];
  }

  /** The values as nested arrays. */
  arraySync(): NestedArray {
    return nest(Array.from(this.dataSync()), this.shape);
  }

  async array(): Promise<NestedArray> {
    return nest(Array.from(await this.data()), this.shape);
  }

  /**
   * Replaces this Var's value with `value`'s, in place, and makes it a leaf (no graph).
   * For parameters and buffers updated by optimizers and BatchNorm.
   */
  assign(value: Var): this {
    this.assertUsable('assign');
    if (!shapesEqual(value.shape, this.shape) || value.dtype !== this.dtype) {
      throw new ShapeError(
        `cannot assign ${value.dtype}${formatShape(value.shape)} to ${this.dtype}${formatShape(this.shape)}; shapes and dtypes must match`,
        'assign',
      );
    }
    if (value === this) return this;
    const wasLeaf = value.fromData && value.node === null;
    value.realize();
    releaseStorage(this);
    // Move the storage: `value` keeps its graph and is recomputed if it is used again.
    const s = detachStorage(value) as Storage;
    if (wasLeaf) {
      // A leaf cannot be recomputed: give it its own copy back.
      const copy = allocStorage(s.backend, s.dtype, s.numel);
      s.backend.write(copy, s.backend.readSync(s));
      attachStorage(value, copy);
    } else if (value.node === null) {
      // Built under noGrad, its graph was dropped when realized: nothing is left to recompute it from.
      value.disposed = true;
    }
    attachStorage(this, s);
    this.node = null;
    this.inputVersions = null;
    this.updates++;
    return this;
  }

  /** Frees the storage; later use of this Var throws a DisposedError. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    releaseStorage(this);
  }

  [disposeSymbol](): void {
    this.dispose();
  }

  /**
   * Throws a StaleGraphError when an input of this Var's node was updated in place (optimizer step,
   * assign) after the node was built: computing or differentiating it would mix old and new values.
   */
  assertFresh(op: string, what?: () => string): void {
    const node = this.node;
    if (node === null) return;
    const versions = this.inputVersions;
    for (let i = 0; i < node.inputs.length; i++) {
      const u = node.inputs[i];
      const then = versions === null ? 0 : versions[i];
      if (u.version !== then) {
        const out = what?.() ?? `Var #${this.id} ${this.describe()}`;
        const label = u.name === undefined ? `Var #${u.id} ${u.describe()}` : `parameter \`${u.name}\``;
        throw new StaleGraphError(
          `${out} was computed from ${label} version ${then}, which an optimizer step or assign() has since updated ` +
            `(now version ${u.version}); compute ${what ? out : 'it'} again from the current values`,
          op,
        );
      }
    }
  }

  describe(): string {
    return `${this.dtype}${formatShape(this.shape)}`;
  }

  toString(): string {
    const state = this.disposed ? 'disposed' : this.storage ? 'realized' : 'lazy';
    return `Var#${this.id}(${this.describe()}, ${state}${this.name ? `, ${this.name}` : ''})`;
  }
}

export type NestedArray = number | NestedArray[];

function nest(values: number[], shape: readonly number[]): NestedArray {
  if (shape.length === 0) return values[0];
  const [head, ...rest] = shape;
  const size = rest.reduce((a, b) => a * b, 1);
  const out: NestedArray[] = [];
  for (let i = 0; i < head; i++) out.push(nest(values.slice(i * size, (i + 1) * size), rest));
  return out;
}

export function isVar(x: unknown): x is Var {
  return x instanceof Var;
}

/** Checks an argument is a Var (not a number, array or disposed Var) for `op`. */
export function expectVar(x: unknown, op: string, what = 'input'): Var {
  if (!(x instanceof Var)) {
    throw new ArgumentError(`${what} must be a Var, got ${x === null ? 'null' : typeof x}; wrap data with tensor()`, op);
  }
  x.assertUsable(op);
  return x;
}

setTidyHooks({ isVar, realize: (vars) => realize(vars), dispose: (v) => v.dispose() });
