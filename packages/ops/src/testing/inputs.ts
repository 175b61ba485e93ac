// Deterministic test inputs: input specs, a seeded generator, and the values a battery case runs on.
// Pure data, no test framework: every backend's differential tests draw the same numbers from here.
import type { DType } from '@metaop/core';

/** The float dtype a battery run uses: float32 for forward checks, float64 for finite differences. */
export type FloatDType = 'float32' | 'float64';

export interface InputSpec {
  readonly shape: readonly number[];
  /** 'float' (the default) follows the run's float dtype; a concrete dtype is used as is. */
  readonly dtype?: 'float' | DType;
  /** Values are drawn uniformly from [min, max) (integers: min..max-1). Defaults: [-2, 2). */
  readonly min?: number;
  readonly max?: number;
  /** Float values stay at least `margin` away from these points (kinks such as relu at 0). */
  readonly avoid?: readonly number[];
  readonly margin?: number;
  /** Float values are pairwise separated (no ties for max, min, argmax, pooling). */
  readonly distinct?: boolean;
  /** Fixed values (row-major) instead of random ones. */
  readonly values?: readonly number[];
  /** [flat index, value] pairs set after the random draw: an Inf or a NaN among ordinary values. */
  readonly special?: readonly (readonly [number, number])[];
  /** Never differentiated (targets, probabilities, masks). */
  readonly noGrad?: boolean;
}

/** One generated input: plain float64 numbers with the shape and dtype to build the Var with. */
export interface InputValue {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly data: Float64Array;
}

/** A small deterministic generator (mulberry32): the same seed gives the same stream everywhere. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  /** Integer in [lo, hi). */
  int(lo: number, hi: number): number {
    return lo + Math.floor((hi - lo) * this.next());
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length)];
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

/** A 32-bit hash of a string (FNV-1a), to give every case its own stream. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The generator for `name` under `seed`. */
export function rngFor(name: string, seed: number): Rng {
  return new Rng(hashString(name) ^ Math.imul(seed + 1, 0x9e3779b1));
}

export function numelOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function resolveDType(spec: InputSpec, floatDType: FloatDType): DType {
  return spec.dtype === undefined || spec.dtype === 'float' ? floatDType : spec.dtype;
}

/** Draws the values of one input. */
export function makeValue(spec: InputSpec, rng: Rng, floatDType: FloatDType = 'float32'): InputValue {
  const dtype = resolveDType(spec, floatDType);
  const n = numelOf(spec.shape);
  const data = new Float64Array(n);
  if (spec.values !== undefined) {
    if (spec.values.length !== n) throw new Error(`input spec has ${spec.values.length} values for shape [${spec.shape.join(', ')}]`);
    data.set(spec.values);
    return { shape: spec.shape, dtype, data };
  }
  const lo = spec.min ?? (dtype === 'bool' ? 0 : -2);
  const hi = spec.max ?? (dtype === 'bool' ? 2 : 2);
  if (dtype === 'int32' || dtype === 'uint8' || dtype === 'bool') {
    for (let i = 0; i < n; i++) data[i] = rng.int(lo, hi);
  } else if (spec.distinct) {
    // A shuffled grid with jitter: neighbours are at least (hi-lo)/(2n) apart.
    const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
    for (let i = 0; i < n; i++) data[i] = lo + ((hi - lo) * (order[i] + 0.25 + 0.5 * rng.next())) / n;
  } else {
    const margin = spec.margin ?? 0.05;
    for (let i = 0; i < n; i++) {
      let v = rng.uniform(lo, hi);
      for (let tries = 0; spec.avoid?.some((a) => Math.abs(v - a) < margin) && tries < 100; tries++) v = rng.uniform(lo, hi);
      data[i] = v;
    }
  }
  if (dtype === 'float32') for (let i = 0; i < n; i++) data[i] = Math.fround(data[i]);
  for (const [i, v] of spec.special ?? []) data[i] = v;
  return { shape: spec.shape, dtype, data };
}

/** Deterministic inputs for a list of specs, seeded by a name and a seed. */
export function makeValues(name: string, specs: readonly InputSpec[], seed: number, floatDType: FloatDType = 'float32'): InputValue[] {
  const rng = rngFor(name, seed);
  return specs.map((s) => makeValue(s, rng, floatDType));
}
