// SyncBatchNorm: BatchNorm whose training statistics cover the whole global batch under data
// parallelism (PyTorch's nn.SyncBatchNorm). The per-channel sum, then the sum of squared deviations
// from the global mean, are summed over the ranks through nn's parallel hooks (nn never imports
// @metaop/distributed); gradient hooks sum their gradients over the ranks in the backward pass, as
// torch all-reduces sum_dy and sum_dy_xmu. In one process, and in eval mode, it is BatchNorm.
import type { Var } from '@metaop/core';
import { add, detach, div, mul, realize, registerGradHook, reshape, sub, sum, tensor } from '@metaop/ops';
import type { AnyModule } from '../module.js';
import { parallelHooks, type ParallelHooks } from '../parallel.js';
import { BatchNormBase, type BatchNormOptions, type BatchStatistics } from './norm.js';

/**
 * `sum` over every rank, as a Var that still differentiates to `local`: the global value plus
 * (local - local), which is exactly 0, so every rank holds the same bits; its gradient is summed
 * over the ranks before it reaches `local`.
 */
function sumOverRanksWithGrad(hooks: ParallelHooks, local: Var, global: Var): Var {
  const out = add(global, sub(local, detach(local)));
  registerGradHook(out, (g) => hooks.sumOverRanks([g])[0]);
  return out;
}

/** Batch normalisation over [N, C], [N, C, L] or [N, C, H, W] input with statistics over every rank. */
export class SyncBatchNorm extends BatchNormBase {
  protected readonly allowedRanks = [2, 3, 4];

  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(numFeatures, options);
  }

  /**
   * Turns every BatchNorm1d/2d in `module` (itself included) into a SyncBatchNorm in place, as
   * torch's convert_sync_batchnorm does, and returns `module`. The layers keep their identity, so
   * parameters, buffers, optimizer state and the fields and containers that hold them stay valid.
   */
  static convertSyncBatchnorm<M extends AnyModule>(module: M): M {
    for (const m of module.modules()) {
      if (m instanceof BatchNormBase && !(m instanceof SyncBatchNorm)) Object.setPrototypeOf(m, SyncBatchNorm.prototype);
    }
    return module;
  }

  protected override batchStatistics(x: Var, dims: number[], view: number[]): BatchStatistics {
    const hooks = parallelHooks('SyncBatchNorm');
    // As torch: only training syncs (eval without running statistics uses this rank's batch).
    if (!hooks || hooks.worldSize === 1 || !this.training) return super.batchStatistics(x, dims, view);
    const localCount = dims.reduce((n, d) => n * x.shape[d], 1);
    // x is read by both reductions and by the normalisation: computed once.
    realize([x]);
    const localSum = sum(x, dims);
    const [globalSum, counts] = hooks.sumOverRanks([localSum, tensor([localCount], [1], 'float64')]);
    const count = counts.item();
    counts.dispose();
    const m = div(sumOverRanksWithGrad(hooks, localSum, globalSum), count);
    // Two passes (mean first, then squared deviations), like BatchNorm, not E[x^2] - E[x]^2.
    const centred = sub(x, reshape(m, view));
    const localSq = sum(mul(centred, centred), dims);
    const [globalSq] = hooks.sumOverRanks([localSq]);
    return { mean: m, biasedVar: div(sumOverRanksWithGrad(hooks, localSq, globalSq), count), count };
  }
}
