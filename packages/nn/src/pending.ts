// Deferred in-place updates of module buffers (BatchNorm running statistics). A training-mode
// forward records the new value lazily; it is computed in the same realize() as the optimizer step,
// so the forward pass is not evaluated twice, and then moved into the buffer with Var.assign.
import type { Var } from '@metaop/core';
import { keep, noGrad, realize } from '@metaop/ops';

const pending = new Map<Var, Var>();

/** Records that `target` becomes `value` at the next commit. */
export function scheduleUpdate(target: Var, value: Var): void {
  pending.set(target, keep(value));
}

/** The value `target` will hold after the pending updates: the lazy new value, or the target itself. */
export function latestValue(target: Var): Var {
  return pending.get(target) ?? target;
}

export function hasPendingUpdates(target?: Var): boolean {
  return target === undefined ? pending.size > 0 : pending.has(target);
}

/**
 * Realizes `extra` together with every pending buffer update in one realize() call, then assigns
 * the updates. With no pending updates this is just realize(extra).
 */
export function realizeWithPending(extra: readonly Var[], assignments: readonly (readonly [Var, Var])[] = []): void {
  const updates = [...assignments, ...pending];
  pending.clear();
  realize([...extra, ...updates.map(([, v]) => v)]);
  noGrad(() => {
    for (const [target, value] of updates) if (target !== value) target.assign(value);
  });
}

/**
 * Applies pending BatchNorm running-statistic updates now. They are applied automatically by an
 * optimizer step, `stateDict()`, `buffers()`, an eval-mode BatchNorm forward and reading a
 * BatchNorm's `runningMean`/`runningVar`; call this after training-mode forwards that are not
 * followed by a step (inside `tidy()`, call it before the scope ends).
 */
export function flushBufferUpdates(): void {
  if (pending.size > 0) realizeWithPending([]);
}
