// Shared test helpers: the backend under test, fixture loading and closeness checks.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { setBackend, tensor, type DType, type Var } from '@metaop/ops';

/** The backend these tests run on: METAOP_BACKEND, else the float64 reference oracle. */
export const backendName = process.env.METAOP_BACKEND ?? 'reference';

/** Selects the backend under test, importing its package first when it is not 'reference'. */
export async function useTestBackend(): Promise<void> {
  if (backendName !== 'reference') await import(/* @vite-ignore */ `@metaop/backend-${backendName}`);
  setBackend(backendName);
}

const here = dirname(fileURLToPath(import.meta.url));

export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(here, 'fixtures', name), 'utf8')) as T;
}

export function fixturePath(name: string): string {
  return join(here, 'fixtures', name);
}

/** A tensor as the generator writes it; non-finite floats are the strings "inf", "-inf", "nan". */
export interface ArrayJson {
  shape: number[];
  dtype: string;
  data: (number | string)[];
}

export function numbers(a: ArrayJson): number[] {
  return a.data.map((v) => (v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v === 'nan' ? NaN : (v as number)));
}

const dtypeOf: Record<string, DType> = { float32: 'float32', float64: 'float64', int64: 'int32', int32: 'int32', uint8: 'uint8', bool: 'bool' };

export function toVar(a: ArrayJson): Var {
  const dtype = dtypeOf[a.dtype];
  if (!dtype) throw new Error(`fixture dtype ${a.dtype} has no MetaOp equivalent`);
  return tensor(numbers(a), a.shape, dtype);
}

/** Asserts |actual - expected| <= atol + rtol·|expected| elementwise, naming the worst element. */
export function expectClose(actual: Var | ArrayLike<number>, expected: ArrayJson | ArrayLike<number>, what: string, rtol = 1e-4, atol = 1e-5): void {
  const got = Array.from('dataSync' in actual ? actual.dataSync() : actual);
  const want = 'data' in expected ? numbers(expected as ArrayJson) : Array.from(expected as ArrayLike<number>);
  if ('shape' in actual && 'shape' in expected) expect([...actual.shape], `${what}: shape`).toEqual((expected as ArrayJson).shape);
  expect(got.length, `${what}: element count`).toBe(want.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < want.length; i++) {
    const a = got[i];
    const e = want[i];
    if (Number.isNaN(e) ? Number.isNaN(a) : a === e) continue;
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Number.isNaN(excess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    expect.fail(`${what}: element ${worst} is ${got[worst]}, expected ${want[worst]} (rtol ${rtol}, atol ${atol})`);
  }
}
