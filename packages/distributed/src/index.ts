// @metaop/distributed: data-parallel training on Open MPI. init() joins the mpirun job (or gives a
// world of size 1), installs nn's data-parallel hooks, and the collectives work on realized Vars of
// any backend through host staging. An NCCL transport for CUDA would sit beside the MPI one.
import { setParallelHooks } from '@metaop/nn';
import { dataParallelHooks, type DataParallelOptions } from './data-parallel.js';
import { currentWorld, initWorld, type World } from './world.js';
import type { MpiShim } from './mpi.js';

export { allReduce, broadcast, barrier, type ReduceOp } from './collectives.js';
export { planBuckets, DEFAULT_BUCKET_BYTES, type Bucket, type BucketItem } from './buckets.js';
export { DistributedError, DivergenceError } from './errors.js';
export { stats as dataParallelStats, type DataParallelOptions, type DataParallelStats } from './data-parallel.js';
export { finalizeWorld as finalize, launchEnvironment, abortJob } from './world.js';
export { findMpicc, openMpiStatus, type OpenMpiStatus, type OpenMpiStatusOptions, type OpenMpiPart } from './open-mpi.js';
export { loadShim, type MpiShim } from './mpi.js';

export type InitOptions = DataParallelOptions;

/**
 * Joins the job started by `mpirun -np N` (detected from OMPI_COMM_WORLD_SIZE/RANK) and makes nn's
 * optimizers and DataLoader data-parallel; outside mpirun, a world of size 1 that changes nothing.
 * Calling it again is harmless (the options of the first call stay).
 */
let installed = false;

export function init(options: InitOptions = {}): { rank: number; worldSize: number } {
  const world = initWorld();
  if (!installed && world.size > 1 && world.mpi) setParallelHooks(dataParallelHooks(world as World & { mpi: MpiShim }, options));
  installed = true;
  return { rank: world.rank, worldSize: world.size };
}

/** This process's rank (0 in a world of size 1). */
export function rank(): number {
  return currentWorld('rank').rank;
}

/** The number of processes. */
export function worldSize(): number {
  return currentWorld('worldSize').size;
}

/** True on rank 0, the rank that prints, reports and writes checkpoints. */
export function isPrimary(): boolean {
  return rank() === 0;
}
