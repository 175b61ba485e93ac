// Vectorised reductions declare every accumulator they combine across SIMD lanes: `#pragma omp
// simd` on a max/min or integer accumulator without a reduction clause is undefined behaviour.
import { describe, expect, it } from 'vitest';
import type { DType, ReduceFn } from '@metaop/core';
import * as M from '@metaop/ops';
import { explain } from '@metaop/compiler';
import '@metaop/backend-c';

/** The accumulators each `omp simd` loop updates, next to the ones its pragma declares. */
function simdLoops(source: string): { declared: string[]; updated: string[] }[] {
  const lines = source.split('\n');
  const out: { declared: string[]; updated: string[] }[] = [];
  lines.forEach((line, k) => {
    if (!/#pragma omp .*simd/.test(line)) return;
    const declared = [...line.matchAll(/reduction\([^:]+:(acc\d+)\)/g)].map((m) => m[1]);
    // The loop body: from the `for` line after the pragma to its closing brace.
    let depth = 0;
    const updated = new Set<string>();
    for (let j = k + 1; j < lines.length; j++) {
      depth += (lines[j].match(/{/g) ?? []).length - (lines[j].match(/}/g) ?? []).length;
      for (const m of lines[j].matchAll(/\b(acc\d+) = /g)) updated.add(m[1]);
      if (depth <= 0) break;
    }
    out.push({ declared, updated: [...updated] });
  });
  return out;
}

const cases: [ReduceFn, DType][] = [
  ['max', 'float32'],
  ['min', 'float32'],
  ['max', 'int32'],
  ['min', 'int32'],
  ['add', 'int32'],
  ['mul', 'int32'],
  ['add', 'float32'],
];

describe('SIMD reductions on c', () => {
  it.each(cases)('reduce(%s) over %s declares its accumulator in the simd pragma', (fn, dtype) => {
    M.setBackend('c');
    const n = 8 * 64;
    const data = Array.from({ length: n }, (_, i) => (fn === 'mul' ? 1 + (i % 64 === 5 ? 1 : 0) : ((i * 37) % 101) - 50));
    const x = M.tensor(data, [8, 64], dtype);
    const y = M.reduce(x, fn, [1]);
    const loops = explain(y).kernels.flatMap((k) => simdLoops(k.source));
    expect(loops.length).toBeGreaterThan(0);
    for (const l of loops) expect(l.declared.sort()).toEqual(expect.arrayContaining(l.updated.sort()));
    M.setBackend('reference');
    const want = Array.from(M.reduce(M.tensor(data, [8, 64], dtype), fn, [1]).dataSync());
    M.setBackend('c');
    expect(Array.from(y.dataSync())).toEqual(want);
  });

  it('float max/min keep NaN through the vectorised reduction', () => {
    M.setBackend('c');
    const data = Array.from({ length: 4 * 64 }, (_, i) => (i === 70 ? NaN : i % 50));
    const x = M.tensor(data, [4, 64]);
    expect(Array.from(M.reduce(x, 'max', [1]).dataSync())).toEqual([49, NaN, 49, 49]);
    expect(Array.from(M.reduce(x, 'min', [1]).dataSync())).toEqual([0, NaN, 0, 0]);
  });
});
