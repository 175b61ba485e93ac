// The process group: init() detects an mpirun launch (OMPI_COMM_WORLD_SIZE / _RANK), loads the
// shim and initialises MPI; without mpirun it is a world of size 1 and every collective is a no-op.
// init() twice is harmless. MPI is finalized at exit; an uncaught error on any rank aborts the
// whole job (MPI_Abort) with its message, so the other ranks never hang in a collective.
import { readEnv } from '@metaop/core';
import { DistributedError } from './errors.js';
import { check, loadShim, type MpiShim } from './mpi.js';
import { openMpiStatus } from './open-mpi.js';

export interface World {
  readonly rank: number;
  readonly size: number;
  /** 'mpi' under mpirun, 'single' otherwise. */
  readonly transport: 'mpi' | 'single';
  /** The shim, under mpirun. */
  readonly mpi: MpiShim | null;
}

let world: World | null = null;

/** The launch that mpirun describes in the environment, or null outside mpirun. */
export function launchEnvironment(): { rank: number; size: number } | null {
  const size = readEnv('OMPI_COMM_WORLD_SIZE');
  const rank = readEnv('OMPI_COMM_WORLD_RANK');
  if (size === undefined || rank === undefined) return null;
  return { rank: Number(rank), size: Number(size) };
}

/** Ends every rank: prints why on this one and calls MPI_Abort (mpirun then stops the others). */
export function abortJob(reason: unknown, code = 1): never {
  const message = reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
  process.stderr.write(`[metaop distributed] rank ${world?.rank ?? '?'} of ${world?.size ?? '?'} is ending the job: ${message}\n`);
  if (world?.mpi && !world.mpi.finalized()) world.mpi.abort(code);
  process.exit(code);
}

function installExitHandlers(mpi: MpiShim): void {
  // A failing rank aborts rather than finalizes: MPI_Finalize would wait for ranks stuck in a collective.
  process.on('exit', (code) => {
    if (!mpi.initialized() || mpi.finalized()) return;
    if (code !== 0) mpi.abort(code);
    else mpi.finalize();
  });
  // With other listeners present, the program handles its own errors; otherwise end the job, not one rank.
  process.on('uncaughtException', (e) => abortJob(e));
  process.on('unhandledRejection', (e) => abortJob(e));
}

/**
 * Joins the MPI job when started by mpirun; a world of size 1 otherwise (also when Open MPI is
 * absent and there is no mpirun environment). Calling it again returns the same world.
 */
export function initWorld(): World {
  if (world) return world;
  const launch = launchEnvironment();
  if (!launch) return (world = { rank: 0, size: 1, transport: 'single', mpi: null });
  let mpi: MpiShim;
  try {
    mpi = loadShim();
  } catch (e) {
    const status = openMpiStatus();
    const why = (e as Error).message;
    throw new DistributedError(
      `this process was started by mpirun (rank ${launch.rank} of ${launch.size}) but the MPI shim could not be loaded: ${why}` +
        (status.ok || why.includes(status.message) ? '' : `\n${status.message}`),
      'init',
    );
  }
  check(mpi, mpi.init(), 'MPI_Init_thread');
  world = { rank: mpi.rank(), size: mpi.size(), transport: 'mpi', mpi };
  installExitHandlers(mpi);
  return world;
}

/** The world, or a DistributedError telling the caller to call init() first. */
export function currentWorld(op: string): World {
  if (!world) throw new DistributedError("call init() from '@metaop/distributed' first", op);
  return world;
}

/** Finalizes MPI now (it is also done at exit); the world is then closed for collectives. */
export function finalizeWorld(): void {
  if (world?.mpi && !world.mpi.finalized()) check(world.mpi, world.mpi.finalize(), 'MPI_Finalize');
}
