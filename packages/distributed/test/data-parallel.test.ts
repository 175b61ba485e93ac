// Data parallelism end to end: a few SGD steps under mpirun -np 2 end with the parameters of a
// single process given the same global batch, seed and learning rate; divergence and failures end
// every rank with a message, in bounded time.
import { describe, expect, it } from 'vitest';
import { fixture, mpiMissing, mpirun, type MpiRun } from './mpirun.js';

type Result = { worldSize: number; steps: number; perRankBatches: number[]; gradNorms: number[]; params: Record<string, number[]>; stats: { buckets: number; steps: number } };

const train = (np: number, env: Record<string, string> = {}): MpiRun => mpirun(np, fixture('train.mjs'), { DP_STEPS: '5', ...env });

function maxDiff(a: Result, b: Result): number {
  let m = 0;
  for (const [k, v] of Object.entries(a.params)) v.forEach((x, i) => (m = Math.max(m, Math.abs(x - b.params[k][i]))));
  return m;
}

describe.skipIf(mpiMissing)('data parallel training under mpirun', () => {
  it('-np 2 ends with the parameters of one process on the same global batch', () => {
    const single = train(0);
    expect(single.status, single.stderr).toBe(0);
    const one = single.lines[0] as Result;
    expect(one.worldSize).toBe(1);
    expect(one.perRankBatches).toEqual([8, 8, 8, 8, 8]);

    // Small buckets (several per step, overlapping the backward) and the default (one bucket, no overlap).
    for (const env of [{ DP_BUCKET_BYTES: '300' }, { DP_OVERLAP: '0' }] as Record<string, string>[]) {
      const r = train(2, env);
      expect(r.status, r.stderr).toBe(0);
      expect(r.lines, 'only rank 0 prints').toHaveLength(1);
      const two = r.lines[0] as Result;
      expect(two.worldSize).toBe(2);
      expect(two.perRankBatches).toEqual([4, 4, 4, 4, 4]);
      if (env.DP_BUCKET_BYTES) expect(two.stats.buckets / two.stats.steps).toBeGreaterThan(2);
      // float32: mean of two per-rank means vs one mean over 8 differ only by rounding of the batch
      // sums (a few ulps per step, compounded over 5 momentum steps); parameters are O(0.3).
      const d = maxDiff(one, two);
      expect(d).toBeLessThan(2e-6);
    }
  });

  it('maxGradNorm clips the averaged gradient (all-reduce first, then clip), as PyTorch DDP does', () => {
    // Each rank's own gradient has a different norm from the global one, so clipping before the
    // average would scale each rank's half by its own factor and end elsewhere.
    const clip = { DP_CLIP: '0.05' };
    const single = train(0, clip);
    expect(single.status, single.stderr).toBe(0);
    const one = single.lines[0] as Result;
    expect(one.gradNorms).toHaveLength(5);
    // The clip is active at every step (the norm before clipping is above the limit).
    for (const n of one.gradNorms) expect(n).toBeGreaterThan(0.1);
    for (const env of [{ DP_BUCKET_BYTES: '300' }, { DP_OVERLAP: '0' }] as Record<string, string>[]) {
      const r = train(2, { ...clip, ...env });
      expect(r.status, r.stderr).toBe(0);
      const two = r.lines[0] as Result;
      expect(two.perRankBatches).toEqual([4, 4, 4, 4, 4]);
      // The reported norm is the global one, the single process's within float32 rounding.
      two.gradNorms.forEach((n, i) => expect(Math.abs(n - one.gradNorms[i])).toBeLessThan(1e-5 * one.gradNorms[i]));
      expect(maxDiff(one, two)).toBeLessThan(2e-6);
    }
    // Without the clip the parameters end elsewhere: the clip matters to the comparison.
    const unclipped = train(0);
    expect(maxDiff(one, unclipped.lines[0] as Result)).toBeGreaterThan(1e-3);
  });

  it('a model with SyncBatchNorm trains under -np 2 as BatchNorm does on the global batch in one process', () => {
    const single = train(0, { DP_BN: 'sync' });
    expect(single.status, single.stderr).toBe(0);
    const one = single.lines[0] as Result;
    expect(Object.keys(one.params)).toContain('1.running_var');
    for (const env of [{ DP_BUCKET_BYTES: '300' }, { DP_OVERLAP: '0' }] as Record<string, string>[]) {
      const r = train(2, { DP_BN: 'sync', ...env });
      expect(r.status, r.stderr).toBe(0);
      // Parameters and running statistics after 5 momentum steps (measured 6e-8).
      expect(maxDiff(one, r.lines[0] as Result)).toBeLessThan(2e-6);
    }
    // Per-rank BatchNorm statistics (4 samples) end elsewhere.
    const local = train(2, { DP_BN: 'local' });
    expect(local.status, local.stderr).toBe(0);
    expect(maxDiff(one, local.lines[0] as Result)).toBeGreaterThan(1e-3);
  });

  it('an independent copy (rank-seeded weights, no data parallelism) would differ, so the comparison can fail', () => {
    const r = train(2, { METAOP_DISTRIBUTED: 'independent', DP_NO_INIT: '1' });
    expect(r.status, r.stderr).toBe(0);
    const single = train(0, { DP_SEED_OFFSET: '1' });
    expect(maxDiff(r.lines[0] as Result, single.lines[0] as Result)).toBeGreaterThan(1e-3);
  });

  it('stops a script under mpirun that never called init() instead of training N copies', () => {
    const r = train(2, { DP_NO_INIT: '1' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/one of 2 started by mpirun, but @metaop\/distributed's init\(\) was not called/);
  });

  it('names the first differing parameter when ranks diverge', () => {
    const r = train(2, { DP_FAULT: 'diverge', DP_CHECK_EVERY: '2' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/DivergenceError: allReduce: at step 2 parameter 2 '2.weight' \(float32\[16, 16\]\) differs between ranks/);
  });

  it('detects a different graph structure on one rank', () => {
    const r = train(2, { DP_FAULT: 'structure', DP_CHECK_EVERY: '1' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/at step 2 the ranks built gradient graphs of different structure/);
  });

  it('a killed rank or an error on one rank ends the whole job with a message, in bounded time', () => {
    const killed = train(2, { DP_FAULT: 'kill', DP_STEPS: '50' });
    expect(killed.status).not.toBe(0);
    expect(killed.status).not.toBeNull(); // ended by mpirun, not by our timeout
    expect(killed.stdout + killed.stderr).toMatch(/signal 9|Killed/);
    const thrown = train(2, { DP_FAULT: 'throw', DP_STEPS: '50' });
    expect(thrown.status).not.toBe(0);
    expect(thrown.status).not.toBeNull();
    expect(thrown.stderr).toMatch(/rank 1 of 2 is ending the job: Error: deliberate failure on rank 1/);
  });
});

if (mpiMissing) it.skip(`data-parallel training: ${mpiMissing}`, () => {});
