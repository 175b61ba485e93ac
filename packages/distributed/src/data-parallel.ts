// The hooks that make nn's optimizers data-parallel under MPI (see nn's parallel.ts): parameters
// broadcast from rank 0 when an optimizer is built; at each step the gradients are packed into
// buckets, one MPI_Iallreduce per bucket (with `overlap`, started as soon as that bucket's gradients
// are realized, before the next bucket is computed), and the mean written back in place; every
// `checkEvery` steps the ranks compare structure and parameters.
import { collectGraph, readEnv, type DataArray, type Var } from '@metaop/core';
import { releaseStorage } from '@metaop/core';
import { realize, tensor } from '@metaop/ops';
import type { ParallelHooks } from '@metaop/nn';
import { planBuckets, type Bucket } from './buckets.js';
import { allReduce, broadcast, divide, flatten, unflatten } from './collectives.js';
import { checkAgreement } from './divergence.js';
import { check, dtypeCode, reduceOps, type MpiShim } from './mpi.js';
import type { World } from './world.js';

export interface DataParallelOptions {
  /** Bucket size in bytes (default METAOP_DP_BUCKET_MB, else 25 MiB: PyTorch DDP's bucket_cap_mb). */
  bucketBytes?: number;
  /**
   * Realize gradients bucket by bucket and start each bucket's all-reduce before computing the next
   * (default false, METAOP_DP_OVERLAP=1 turns it on: measured slower here so far, see
   * docs/distributed.md). False computes every gradient in one realize, then reduces the buckets.
   */
  overlap?: boolean;
  /** Compare parameter checksums and graph structure across ranks every this many steps (default 100; 0 never; step 1 always). */
  checkEvery?: number;
}

/** Time spent in the last steps, for the benchmarks (milliseconds, summed over steps). */
export interface DataParallelStats {
  steps: number;
  /** Realizing gradients (the backward pass and the loss). */
  computeMs: number;
  /** Copying gradients to and from the flat host buckets. */
  stagingMs: number;
  /** Waiting for all-reduces after the last bucket was started. */
  waitMs: number;
  buckets: number;
}

export const stats: DataParallelStats = { steps: 0, computeMs: 0, stagingMs: 0, waitMs: 0, buckets: 0 };

/**
 * The unrealized Vars that `bucket`'s gradients need and later buckets' gradients also read:
 * realizing them with the bucket keeps the later buckets from computing the shared backward again.
 */
function frontier(bucketVars: readonly Var[], later: readonly Var[]): Var[] {
  if (later.length === 0) return [];
  const mine = new Set(collectGraph(bucketVars).nodes);
  const out = new Set<Var>();
  for (const v of collectGraph(later).nodes) {
    if (mine.has(v) || !v.node) continue;
    for (const u of v.node.inputs) if (mine.has(u)) out.add(u);
  }
  return [...out];
}

export function dataParallelHooks(world: World & { mpi: MpiShim }, options: DataParallelOptions): ParallelHooks {
  const mpi = world.mpi;
  // The environment sets the defaults, so an unchanged script can be tuned under mpirun.
  const envMb = readEnv('METAOP_DP_BUCKET_MB');
  const bucketBytes = options.bucketBytes ?? (envMb ? Number(envMb) * 1024 * 1024 : undefined);
  const overlap = options.overlap ?? readEnv('METAOP_DP_OVERLAP') === '1';
  const checkEvery = options.checkEvery ?? 100;
  let step = 0;
  return {
    rank: world.rank,
    worldSize: world.size,
    broadcastParameters(params) {
      broadcast(params, 0);
    },
    sumOverRanks(vars) {
      realize(vars);
      // New leaves: the inputs may be intermediates of a graph that must keep their own values.
      const sums = vars.map((v) => tensor(v.dataSync().slice(), v.shape, v.dtype));
      allReduce(sums, 'sum');
      return sums;
    },
    reduceGradients(params, grads, realizeStep) {
      step++;
      const present = grads.map((g, i) => (g ? i : -1)).filter((i) => i >= 0);
      const order = present.reverse().map((i) => ({ index: i, numel: (grads[i] as Var).numel, dtype: (grads[i] as Var).dtype }));
      const buckets: Bucket[] = planBuckets(order, bucketBytes);
      if (step === 1 || (checkEvery > 0 && step % checkEvery === 0)) checkAgreement(mpi, params, grads, buckets, step);
      const varsOf = (b: Bucket) => b.indices.map((i) => grads[i] as Var);
      const inFlight: { handle: number; flat: DataArray; bucket: Bucket }[] = [];
      const handle = new Int32Array(1);
      const flag = new Int32Array(1);
      const kept: Var[] = [];
      const start = (b: Bucket) => {
        const t = performance.now();
        const flat = flatten(varsOf(b), b.dtype, 'allReduce', true);
        stats.stagingMs += performance.now() - t;
        check(mpi, mpi.iallreduce(flat, flat.length, dtypeCode(b.dtype), reduceOps.sum, handle), 'MPI_Iallreduce');
        inFlight.push({ handle: handle[0], flat, bucket: b });
      };
      try {
        if (overlap && buckets.length > 1) {
          buckets.forEach((b, k) => {
            const later = buckets.slice(k + 1).flatMap(varsOf);
            const shared = frontier(varsOf(b), later);
            const t = performance.now();
            realizeStep([...varsOf(b), ...shared]);
            stats.computeMs += performance.now() - t;
            kept.push(...shared);
            // Let the reductions already started progress (Open MPI progresses inside MPI calls).
            for (const f of inFlight) {
              if (f.handle < 0) continue;
              check(mpi, mpi.test(f.handle, flag), 'MPI_Test');
              if (flag[0]) f.handle = -1;
            }
            start(b);
          });
        } else {
          const t = performance.now();
          realizeStep(present.map((i) => grads[i] as Var));
          stats.computeMs += performance.now() - t;
          for (const b of buckets) start(b);
        }
        if (buckets.length === 0) realizeStep([]);
        for (const f of inFlight) {
          const t = performance.now();
          if (f.handle >= 0) check(mpi, mpi.wait(f.handle), 'MPI_Wait');
          stats.waitMs += performance.now() - t;
          const t2 = performance.now();
          divide(f.flat, world.size);
          unflatten(f.flat, varsOf(f.bucket), 'allReduce');
          stats.stagingMs += performance.now() - t2;
        }
      } finally {
        // The shared intermediates were realized only to be reused within this step.
        for (const v of kept) if (v.node) releaseStorage(v);
      }
      stats.steps++;
      stats.buckets += buckets.length;
      return [...grads];
    },
  };
}
