// nn.SyncBatchNorm under mpirun -np 2 (4 samples per rank) against BatchNorm2d in one process on
// the same 8 samples: output, input gradient, weight and bias gradients (summed over the ranks, as
// the data-parallel mean of per-rank sums would give the single process's), running statistics.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture, mpiMissing, mpirun } from './mpirun.js';

type Step = { y: number[]; gx: number[]; gw: number[]; gb: number[]; runningMean: number[]; runningVar: number[] };
type Out = { rank: number; worldSize: number; steps: Step[] };

const dir = mkdtempSync(join(tmpdir(), 'metaop-syncbn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(np: number, mode: string): Out[] {
  const r = mpirun(np, fixture('sync-bn.mjs'), { SB_MODE: mode, SB_OUT: dir });
  expect(r.status, r.stderr).toBe(0);
  return Array.from({ length: Math.max(np, 1) }, (_, k) => JSON.parse(readFileSync(join(dir, `${mode}-${k}.json`), 'utf8')) as Out);
}

const maxAbs = (a: number[], b: number[]) => {
  expect(a.length).toBe(b.length);
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
};

/** The largest difference between the two ranks' results and the single process's, per quantity. */
function compare(single: Out, ranks: Out[]): Record<keyof Step, number> {
  const d = { y: 0, gx: 0, gw: 0, gb: 0, runningMean: 0, runningVar: 0 };
  single.steps.forEach((s, k) => {
    const [r0, r1] = ranks.map((r) => r.steps[k]);
    d.y = Math.max(d.y, maxAbs(s.y, [...r0.y, ...r1.y]));
    d.gx = Math.max(d.gx, maxAbs(s.gx, [...r0.gx, ...r1.gx]));
    d.gw = Math.max(d.gw, maxAbs(s.gw, r0.gw.map((g, i) => g + r1.gw[i])));
    d.gb = Math.max(d.gb, maxAbs(s.gb, r0.gb.map((g, i) => g + r1.gb[i])));
    for (const r of [r0, r1]) {
      d.runningMean = Math.max(d.runningMean, maxAbs(s.runningMean, r.runningMean));
      d.runningVar = Math.max(d.runningVar, maxAbs(s.runningVar, r.runningVar));
    }
  });
  return d;
}

describe.skipIf(mpiMissing)('SyncBatchNorm under mpirun -np 2', () => {
  it('2 ranks x 4 samples equal BatchNorm2d on 8 in one process: forward, gradients, running statistics', () => {
    const [single] = run(0, 'single');
    expect(single.worldSize).toBe(1);
    for (const mode of ['sync', 'convert']) {
      const ranks = run(2, mode);
      expect(ranks.map((r) => r.worldSize)).toEqual([2, 2]);
      const d = compare(single, ranks);
      // float32, values O(1): a few ulps (measured up to 1.7e-7) from the different summation order.
      for (const [k, v] of Object.entries(d)) expect(v, `${mode} ${k}`).toBeLessThan(1e-6);
    }
  });

  it('a plain BatchNorm2d per rank (statistics of 4 samples) differs, so the comparison can fail', () => {
    const [single] = run(0, 'single');
    const d = compare(single, run(2, 'local'));
    expect(d.y).toBeGreaterThan(1e-2);
    expect(d.gx).toBeGreaterThan(1e-2);
    expect(d.runningVar).toBeGreaterThan(1e-2);
  });
});

if (mpiMissing) it.skip(`SyncBatchNorm under mpirun: ${mpiMissing}`, () => {});
