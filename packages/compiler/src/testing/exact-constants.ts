// Constants through every place one enters a graph (pad value, full, where, clamp, scalar
// arithmetic, reindex overflow value, integer dtypes), run on a backend and on the oracle and
// compared exactly: -0 keeps its sign, ±Infinity and NaN stay what they are. Each site runs its
// values one after another on one backend, so a second value reuses the first one's plan and
// kernels wherever the keys say it may.
import { numberKey, realize, withBackend, type DType, type Var } from '@metaop/core';
import {
  add,
  clamp,
  div,
  full,
  gt,
  maximum,
  minimum,
  mul,
  pad,
  pow,
  reindex,
  sub,
  tensor,
  where,
} from '@metaop/ops';

/** A place a constant enters: builds outputs from the input x (of `dtype`) and the constant v. */
export interface ConstantSite {
  readonly name: string;
  readonly dtype: DType;
  build(x: Var, v: number): Var;
}

const f32 = (name: string, build: (x: Var, v: number) => Var): ConstantSite => ({ name, dtype: 'float32', build });

export const constantSites: readonly ConstantSite[] = [
  f32('pad value', (x, v) => pad(x, [1, 1], 'constant', v)),
  f32('full', (_, v) => full([2, 3], v)),
  f32('full times x', (x, v) => mul(full([2, 3], v), x)),
  f32('where', (x, v) => where(gt(x, 0), x, v)),
  f32('clamp min', (x, v) => clamp(x, v)),
  f32('clamp max', (x, v) => clamp(x, undefined, v)),
  f32('x + v', (x, v) => add(x, v)),
  f32('v - x', (x, v) => sub(v, x)),
  f32('x * v', (x, v) => mul(x, v)),
  f32('x / v', (x, v) => div(x, v)),
  f32('v / x', (x, v) => div(v, x)),
  f32('max(x, v)', (x, v) => maximum(x, v)),
  f32('min(x, v)', (x, v) => minimum(x, v)),
  f32('x ** v', (x, v) => pow(x, v)),
  f32('v ** x', (x, v) => pow(v, x)),
  f32('reindex overflow value', (x, v) => reindex(x, [3, 4], ['i0', 'i1-1'], v)),
  f32('pad value fused into a sum', (x, v) => add(pad(x, [1, 1], 'constant', v), mul(x.at(0, 0), 2))),
  { name: 'float64 x * v', dtype: 'float64', build: (x, v) => mul(x, v) },
  { name: 'float64 pad value', dtype: 'float64', build: (x, v) => pad(x, [1, 1], 'constant', v) },
  { name: 'int32 x + v', dtype: 'int32', build: (x, v) => add(x, full([2, 3], v, 'int32')) },
  { name: 'int32 full', dtype: 'int32', build: (_, v) => full([2, 3], v, 'int32') },
  { name: 'uint8 full', dtype: 'uint8', build: (_, v) => full([2, 3], v, 'uint8') },
  { name: 'bool full', dtype: 'bool', build: (_, v) => full([2, 3], v, 'bool') },
];

/** The values that keys get wrong: signed zeros, infinities, NaN, subnormals, extremes. */
export const specialConstants: readonly number[] = [
  0,
  -0,
  Infinity,
  -Infinity,
  NaN,
  1.401298464324817e-45, // smallest float32 subnormal
  -1.401298464324817e-45,
  5.877471754111438e-39, // a float32 subnormal
  1.1754943508222875e-38, // smallest float32 normal
  3.4028234663852886e38, // largest float32
  -3.4028234663852886e38,
  5e-324, // smallest float64 subnormal
  1.7976931348623157e308,
  2147483647,
  -2147483648,
  255,
  256,
  0.5,
  -0.5,
  16,
  17,
  0.1,
  -2.5,
];

const inputs: Record<DType, number[]> = {
  float32: [-2, -0.5, 0, 1.5, 3e38, 1e-40],
  float64: [-2, -0.5, 0, 1.5, 1e300, 1e-310],
  int32: [-7, -1, 0, 1, 2147483647, 3],
  uint8: [0, 1, 2, 127, 200, 255],
  bool: [0, 1, 1, 0, 1, 0],
};

/** Equal as the dtype stores them: same NaN-ness, same sign of zero, same infinities, else within a few ulps (pow). */
export function sameStoredValue(a: number, e: number): boolean {
  if (Number.isNaN(e) || Number.isNaN(a)) return Number.isNaN(a) && Number.isNaN(e);
  if (e === 0 || a === 0 || !Number.isFinite(e) || !Number.isFinite(a)) return Object.is(a, e);
  return Math.abs(a - e) <= 3e-45 + 4e-7 * Math.abs(e);
}

function evaluate(site: ConstantSite, v: number): { values: number[]; recip: number[] | null } {
  const x = tensor(inputs[site.dtype], [2, 3], site.dtype);
  const y = site.build(x, v);
  // 1 / y tells -0 from +0 in results as well.
  const r = y.dtype === 'float32' || y.dtype === 'float64' ? div(1, y) : null;
  realize(r ? [y, r] : [y]);
  return { values: Array.from(y.dataSync()), recip: r ? Array.from(r.dataSync()) : null };
}

/** Null when `backend` computes `site` exactly as the oracle for each value, run in order; else the differences. */
export function checkConstantSite(backend: string, site: ConstantSite, values: readonly number[]): string | null {
  const problems: string[] = [];
  values.forEach((v, k) => {
    const want = withBackend('reference', () => evaluate(site, v));
    const got = withBackend(backend, () => evaluate(site, v));
    const parts: [string, number[] | null, number[] | null][] = [
      ['values', got.values, want.values],
      ['1/values', got.recip, want.recip],
    ];
    for (const [what, a, e] of parts) {
      if (!a || !e) continue;
      const bad = a.map((_, i) => i).filter((i) => !sameStoredValue(a[i], e[i]));
      if (bad.length > 0) {
        const shown = bad.slice(0, 3).map((i) => `[${i}] ${numberKey(a[i])} vs ${numberKey(e[i])}`);
        problems.push(`${site.name} with v=${numberKey(v)} (run ${k + 1} of ${values.length}, ${k > 0 ? `after v=${numberKey(values[k - 1])}` : "first"}): ${what} ${shown.join(', ')}`);
      }
    }
  });
  return problems.length === 0 ? null : problems.join('\n');
}
