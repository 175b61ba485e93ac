// Gradient hooks (torch's Tensor.register_hook): a function that replaces the gradient arriving at
// a Var during grad(), once every contribution to it is summed and before it flows to the Var's
// inputs. nn.SyncBatchNorm uses one to sum its batch statistics' gradients over the ranks.
import type { Var } from '@metaop/core';

export type GradHook = (grad: Var) => Var;

const hooks = new WeakMap<Var, GradHook>();

/**
 * Makes grad() pass the gradient of `v` through `hook` (which must return a Var of the same shape
 * and dtype). One hook per Var; registering again replaces it. The hook runs while grad() builds
 * the backward graph, so it may realize its argument (e.g. to all-reduce it).
 */
export function registerGradHook(v: Var, hook: GradHook): void {
  hooks.set(v, hook);
}

/** The hook registered on `v`, if any. */
export function gradHookOf(v: Var): GradHook | undefined {
  return hooks.get(v);
}
