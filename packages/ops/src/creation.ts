// Creating Vars: from data, filled, ranges and random draws from the global Philox stream.
import {
  allocArray,
  ArgumentError,
  checkShape,
  convertValue,
  DTypeError,
  flags,
  isDType,
  isFloat,
  numel,
  ShapeError,
  Var,
  type DataArray,
  type DType,
  type Shape,
  checkOptions,
  type OptionKeys,
} from '@metaop/core';
import { binary, cast, constant, index, random } from './meta/elementwise.js';

export type NestedNumbers = number | boolean | readonly NestedNumbers[];

function inferShape(data: NestedNumbers): number[] {
  const shape: number[] = [];
  let cur: NestedNumbers = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0] as NestedNumbers;
  }
  return shape;
}

function flatten(data: NestedNumbers, shape: readonly number[], depth: number, out: unknown[]): void {
  if (depth === shape.length) {
    if (Array.isArray(data)) throw new ShapeError('nested arrays are ragged (deeper in some places)', 'tensor');
    out.push(data);
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[depth]) {
    throw new ShapeError(`nested arrays are ragged: expected ${shape[depth]} entries at depth ${depth}`, 'tensor');
  }
  for (const x of data) flatten(x, shape, depth + 1, out);
}

function isTypedArray(x: unknown): x is DataArray {
  return x instanceof Float32Array || x instanceof Float64Array || x instanceof Int32Array || x instanceof Uint8Array;
}

function typedArrayDType(data: DataArray): DType {
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint8Array) return 'uint8';
  return 'float32';
}

/**
 * A realized Var holding a copy of `data`: nested number arrays, a flat array with `shape`, a typed
 * array, or a number (a scalar). The dtype defaults to float32, to bool when every value is a
 * boolean, and to the typed array's own for typed arrays.
 */
export function tensor(data: NestedNumbers | DataArray, shape?: Shape, dtype?: DType): Var {
  if (dtype !== undefined && !isDType(dtype)) throw new DTypeError(`unknown dtype ${JSON.stringify(dtype)}`, 'tensor');
  if (isTypedArray(data)) return Var.fromArray(data, shape ?? [data.length], dtype ?? typedArrayDType(data));
  const inferred = inferShape(data as NestedNumbers);
  const leaves: unknown[] = [];
  flatten(data as NestedNumbers, inferred, 0, leaves);
  for (const v of leaves) {
    if (typeof v !== 'number' && typeof v !== 'boolean') {
      throw new ArgumentError(`values must be numbers or booleans, got ${typeof v}`, 'tensor');
    }
  }
  const allBool = leaves.length > 0 && leaves.every((v) => typeof v === 'boolean');
  const dt = dtype ?? (allBool ? 'bool' : 'float32');
  const target = shape ?? inferred;
  if (shape !== undefined && numel(shape) !== leaves.length) {
    throw new ShapeError(`${leaves.length} values do not fill shape [${shape.join(', ')}]`, 'tensor');
  }
  const arr = allocArray(dt, leaves.length);
  leaves.forEach((v, i) => (arr[i] = convertValue(Number(v), dt)));
  return Var.fromArray(arr, target, dt);
}

export function scalar(value: number, dtype: DType = 'float32'): Var {
  return tensor(value, [], dtype);
}

export function full(shape: Shape, value: number, dtype: DType = 'float32'): Var {
  return constant(value, shape, dtype);
}

export function zeros(shape: Shape, dtype: DType = 'float32'): Var {
  return constant(0, shape, dtype);
}

export function ones(shape: Shape, dtype: DType = 'float32'): Var {
  return constant(1, shape, dtype);
}

export function zerosLike(x: Var): Var {
  return constant(0, x.shape, x.dtype);
}

export function onesLike(x: Var): Var {
  return constant(1, x.shape, x.dtype);
}

/** start, start+step, ... below stop (like torch.arange); int32 for integer arguments, else float32. */
export function arange(start: number, stop?: number, step = 1, dtype?: DType): Var {
  if (stop === undefined) {
    stop = start;
    start = 0;
  }
  if (step === 0 || !Number.isFinite(step)) throw new ArgumentError(`step must be a non-zero finite number, got ${step}`, 'arange');
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const dt = dtype ?? ([start, stop, step].every(Number.isInteger) ? 'int32' : 'float32');
  const grid = index([n], 0, isFloat(dt) ? dt : 'int32');
  const scaled = binary(grid, constant(step, [n], grid.dtype), 'mul');
  return cast(binary(scaled, constant(start, [n], grid.dtype), 'add'), dt);
}

/** The n×m identity matrix. */
export function eye(n: number, m = n, dtype: DType = 'float32'): Var {
  checkShape([n, m], 'eye');
  return cast(binary(index([n, m], 0), index([n, m], 1), 'eq'), dtype);
}

// ---- the global random stream --------------------------------------------------------------

const stream = { seed: flags.seed, offset: 0 };

/** Restarts the global random stream: later rand/randn/dropout calls repeat exactly. */
export function manualSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new ArgumentError(`seed must be a non-negative safe integer, got ${seed}`, 'manualSeed');
  stream.seed = seed;
  stream.offset = 0;
}

/** The position of the global random stream: save it to resume a run with the same draws. */
export interface RandomState {
  readonly seed: number;
  readonly offset: number;
}

export function randomState(): RandomState {
  return { seed: stream.seed, offset: stream.offset };
}

/** Moves the global random stream to a saved position (see randomState()). */
export function setRandomState(state: RandomState): void {
  for (const [name, v] of [['seed', state.seed], ['offset', state.offset]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new ArgumentError(`${name} must be a non-negative safe integer, got ${v}`, 'setRandomState');
  }
  stream.seed = state.seed;
  stream.offset = state.offset;
}

/** Reserves `count` counters of the global stream. */
export function nextRandomCounters(count: number): { seed: number; offset: number } {
  const r = { seed: stream.seed, offset: stream.offset };
  stream.offset += Math.max(1, count);
  return r;
}

export interface RandOptions {
  dtype?: DType;
  /** A seed for this draw alone; the global stream is left untouched. */
  seed?: number;
}
const randKeys: OptionKeys<RandOptions> = { dtype: true, seed: true };

/** Uniform in [0, 1). */
export function rand(shape: Shape, options: RandOptions = {}): Var {
  checkShape(shape, 'rand');
  checkOptions(options, randKeys, 'rand');
  const { seed, offset } = options.seed !== undefined ? { seed: options.seed, offset: 0 } : nextRandomCounters(numel(shape));
  return random(shape, { dist: 'uniform', seed, offset }, options.dtype ?? 'float32');
}

/** Standard normal. */
export function randn(shape: Shape, options: RandOptions = {}): Var {
  checkShape(shape, 'randn');
  checkOptions(options, randKeys, 'randn');
  const { seed, offset } = options.seed !== undefined ? { seed: options.seed, offset: 0 } : nextRandomCounters(numel(shape));
  return random(shape, { dist: 'normal', seed, offset }, options.dtype ?? 'float32');
}
