// allReduce / broadcast / barrier between two ranks on every dtype and on sizes 0, 1, 7 and
// 100003, checked against values computed here from the fixture's formula.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, mpiMissing, mpirun } from './mpirun.js';

const value = (r: number, i: number, dtype: string) =>
  dtype === 'uint8' || dtype === 'bool' ? (r * 3 + i) % 2 : dtype === 'int32' ? r * 1000 + i - 50 : (r + 1) * 0.25 + i * 0.5;

function expected(dtype: string, n: number, op: string): number[] {
  const d = Array.from({ length: n }, (_, i) => {
    const a = value(0, i, dtype);
    const b = value(1, i, dtype);
    return op === 'sum' ? a + b : op === 'mean' ? (a + b) / 2 : op === 'max' ? Math.max(a, b) : Math.min(a, b);
  });
  return n > 16 ? [d[0], d[n - 1], d.reduce((x, y) => x + y, 0)] : d;
}

describe.skipIf(mpiMissing)('collectives under mpirun -np 2', () => {
  it('allReduce and broadcast agree with the expected values on both ranks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'metaop-collectives-'));
    const r = mpirun(2, fixture('collectives.mjs'), { DP_OUT: dir });
    expect(r.status, r.stderr).toBe(0);
    const lines = [0, 1].map((k) => JSON.parse(readFileSync(join(dir, `rank-${k}.json`), 'utf8')) as unknown);
    rmSync(dir, { recursive: true, force: true });
    for (const line of lines as { rank: number; worldSize: number; reduce: Record<string, number[]>; bcast: Record<string, number[][]> }[]) {
      expect(line.worldSize).toBe(2);
      for (const dtype of ['float32', 'float64', 'int32', 'uint8', 'bool']) {
        for (const n of [0, 1, 7, 100003]) {
          const ops = dtype.startsWith('float') ? ['sum', 'mean', 'max'] : dtype === 'bool' ? ['max', 'min'] : ['sum', 'max', 'min'];
          for (const op of ops) {
            const got = line.reduce[`${dtype}:${n}:${op}`];
            const want = expected(dtype, n, op);
            // The big float32 digest is a float64 sum of float32 values: exact for these multiples of 1/8.
            expect(got, `${dtype}:${n}:${op}`).toEqual(want);
          }
          const rootValues = Array.from({ length: n }, (_, i) => value(1, i, dtype));
          expect(line.bcast[`${dtype}:${n}`], `broadcast ${dtype}:${n}`).toEqual([n > 16 ? [rootValues[0], rootValues[n - 1]] : rootValues, [1]]);
        }
      }
    }
  });

  it('a broadcast into a weight packed once per plan reaches the next forward on the c backend', () => {
    const dir = mkdtempSync(join(tmpdir(), 'metaop-packed-broadcast-'));
    const r = mpirun(2, fixture('packed-broadcast.mjs'), { DP_OUT: dir });
    expect(r.status, r.stderr).toBe(0);
    const [r0, r1] = [0, 1].map((k) => JSON.parse(readFileSync(join(dir, `rank-${k}.json`), 'utf8')) as { before: number[]; again: number[]; after: number[]; packs: number[] });
    rmSync(dir, { recursive: true, force: true });
    // The ranks' weights differ, so a stale packed copy on rank 1 would show.
    expect(r1.before).not.toEqual(r0.before);
    expect(r1.again).toEqual(r1.before);
    expect(r0.after).toEqual(r0.before);
    expect(r1.after).toEqual(r0.before);
    // Packed once for the two calls before; once more after the in-place write (on the root too: MPI wrote its buffer).
    for (const rank of [r0, r1]) expect(rank.packs).toEqual([1, 1]);
  });
});

if (mpiMissing) it.skip(`MPI collectives: ${mpiMissing}`, () => {});
