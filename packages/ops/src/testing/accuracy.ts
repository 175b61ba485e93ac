// Accuracy of float32 sums, for every backend: sums, means, inner products and sums over inner
// axes of positive inputs (uniform in [0, 1) from a fixed seed, where a float32 running sum drifts
// most), each against the exact sum of the same float32 inputs computed in float64. A backend must
// stay within `sumBound` relative error per output; a naive float32 loop over the same inputs
// must not (naiveRelativeError), so each case can tell an accurate sum from a sequential one.
import { withBackend, tidy, type Var } from '@metaop/core';
import { tensor } from '../creation.js';
import { exp, mul } from '../derived/arithmetic.js';
import { matmul } from '../derived/linalg.js';
import { mean, sum } from '../derived/reduction.js';
import { rngFor } from './inputs.js';

/** Relative error allowed per output of a float32 sum (about two float32 roundings). */
export const sumBound = 1e-7;

export interface SumCase {
  readonly name: string;
  /** Shapes of the inputs (uniform in [0, 1), float32). */
  readonly shapes: readonly (readonly number[])[];
  build(...xs: Var[]): Var;
  /**
   * Each output as terms: term(o, k) is the k-th of count(o) terms of output o, from the inputs;
   * scale multiplies the sum (1/n for means).
   */
  readonly terms: (xs: readonly Float32Array[]) => { outputs: number; count: number; term: (o: number, k: number) => number; scale?: number };
}

const rows = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export const sumCases: readonly SumCase[] = [
  {
    name: 'sum of 1M floats',
    shapes: [[1 << 20]],
    build: (x) => sum(x),
    terms: ([x]) => ({ outputs: 1, count: x.length, term: (_, k) => x[k] }),
  },
  {
    name: 'mean of 1M floats',
    shapes: [[1 << 20]],
    build: (x) => mean(x),
    terms: ([x]) => ({ outputs: 1, count: x.length, term: (_, k) => x[k], scale: 1 / x.length }),
  },
  {
    name: 'sum(exp(x)) over 8192 (fused producer)',
    shapes: [[8192]],
    build: (x) => sum(exp(x)),
    terms: ([x]) => ({ outputs: 1, count: x.length, term: (_, k) => Math.exp(x[k]) }),
  },
  {
    name: 'sum(x*y) over 8192 (fused producer)',
    shapes: [[8192], [8192]],
    build: (x, y) => sum(mul(x, y)),
    terms: ([x, y]) => ({ outputs: 1, count: x.length, term: (_, k) => x[k] * y[k] }),
  },
  {
    name: 'sum over the first axis of [4096, 64]',
    shapes: [[4096, 64]],
    build: (x) => sum(x, [0]),
    terms: ([x]) => ({ outputs: 64, count: 4096, term: (o, k) => x[k * 64 + o] }),
  },
  {
    name: 'sum over the middle axis of [4, 4096, 8]',
    shapes: [[4, 4096, 8]],
    build: (x) => sum(x, [1]),
    terms: ([x]) => ({ outputs: 32, count: 4096, term: (o, k) => x[Math.floor(o / 8) * 4096 * 8 + k * 8 + (o % 8)] }),
  },
  {
    name: 'mean over the last axis of [32, 8192]',
    shapes: [[32, 8192]],
    build: (x) => mean(x, [1]),
    terms: ([x]) => ({ outputs: 32, count: 8192, term: (o, k) => x[o * 8192 + k], scale: 1 / 8192 }),
  },
  {
    name: 'matmul [16, 4096] x [4096, 48]',
    shapes: [
      [16, 4096],
      [4096, 48],
    ],
    build: (a, b) => matmul(a, b),
    terms: ([a, b]) => ({ outputs: 16 * 48, count: 4096, term: (o, k) => a[Math.floor(o / 48) * 4096 + k] * b[k * 48 + (o % 48)] }),
  },
];

/** The inputs of a case: uniform in [0, 1), exact float32 values, from the case's name. */
export function sumInputs(c: SumCase): Float32Array[] {
  return c.shapes.map((shape, i) => {
    const rng = rngFor(`${c.name}#${i}`, 1);
    return Float32Array.from({ length: rows(shape) }, () => rng.uniform(0, 1));
  });
}

function exactSums(c: SumCase, xs: readonly Float32Array[]): Float64Array {
  const t = c.terms(xs);
  return Float64Array.from({ length: t.outputs }, (_, o) => {
    let s = 0;
    for (let k = 0; k < t.count; k++) s += t.term(o, k);
    return s * (t.scale ?? 1);
  });
}

function worst(got: ArrayLike<number>, want: Float64Array): number {
  let w = 0;
  for (let i = 0; i < want.length; i++) w = Math.max(w, Math.abs(got[i] - want[i]) / Math.abs(want[i]));
  return w;
}

/** The largest relative error of the case's outputs on `backend`. */
export function sumRelativeError(backend: string, c: SumCase): number {
  const xs = sumInputs(c);
  const got = withBackend(backend, () => tidy(() => c.build(...xs.map((x, i) => tensor(x, c.shapes[i], 'float32'))).dataSync()));
  return worst(got, exactSums(c, xs));
}

/** The same error for a naive loop: each term rounded to float32 and added into a float32 sum in order. */
export function naiveRelativeError(c: SumCase): number {
  const xs = sumInputs(c);
  const t = c.terms(xs);
  const got = Float64Array.from({ length: t.outputs }, (_, o) => {
    let s = 0;
    for (let k = 0; k < t.count; k++) s = Math.fround(s + Math.fround(t.term(o, k)));
    return Math.fround(s * Math.fround(t.scale ?? 1));
  });
  return worst(got, exactSums(c, xs));
}
