// The data-parallel extension point. nn never imports @metaop/distributed (it sits to nn's right);
// instead distributed installs these hooks at init(), and the optimizers, DataLoader and checkpoint
// writer consult them. Without hooks everything is single-process. A script started under mpirun
// (OMPI_COMM_WORLD_SIZE > 1) that never called init() is stopped with an error rather than silently
// training N independent copies.
import { ArgumentError, readEnv, type Var } from '@metaop/core';

export interface ParallelHooks {
  readonly rank: number;
  readonly worldSize: number;
  /**
   * Returns the gradients averaged over every rank, as realized Vars in the same order (null stays
   * null). It computes gradients only through `realizeStep`, whose first call also realizes the
   * step's loss and metrics and the pending BatchNorm statistics (one graph, nothing computed twice).
   */
  reduceGradients(params: readonly Var[], grads: readonly (Var | null)[], realizeStep: (vars: readonly Var[]) => void): (Var | null)[];
  /** Makes every rank's `params` equal to rank 0's (in place). Called when an optimizer is built. */
  broadcastParameters(params: readonly Var[]): void;
  /**
   * The element-wise sums over every rank of `vars` (realized first), as new realized leaves in the
   * same order; every rank passes the same shapes and dtypes in the same order. Used by
   * SyncBatchNorm for its batch statistics and their gradients.
   */
  sumOverRanks(vars: readonly Var[]): Var[];
}

let hooks: ParallelHooks | null = null;

/** Installs (or, with null, removes) the data-parallel hooks. Called by @metaop/distributed's init(). */
export function setParallelHooks(h: ParallelHooks | null): void {
  hooks = h;
}

/** Set METAOP_DISTRIBUTED=independent to run N unrelated copies under mpirun on purpose. */
function launchedWithoutInit(): number {
  if (hooks || readEnv('METAOP_DISTRIBUTED') === 'independent') return 0;
  const size = Number(readEnv('OMPI_COMM_WORLD_SIZE') ?? readEnv('PMI_SIZE') ?? '1');
  return Number.isInteger(size) && size > 1 ? size : 0;
}

/** The installed hooks, or null in a single process. Throws when mpirun started N>1 ranks but init() was not called. */
export function parallelHooks(op: string): ParallelHooks | null {
  const size = launchedWithoutInit();
  if (size > 0) {
    throw new ArgumentError(
      `this process is one of ${size} started by mpirun, but @metaop/distributed's init() was not called, so each rank would train its own copy; ` +
        "call `await init()` from '@metaop/distributed' before building the optimizer (or set METAOP_DISTRIBUTED=independent to mean it)",
      op,
    );
  }
  return hooks;
}

/** True on rank 0 and in a single process: the rank that writes checkpoints and reports. */
export function isPrimaryRank(): boolean {
  return (hooks?.rank ?? 0) === 0;
}
