// Gradient clipping by global norm, as torch.nn.utils.clip_grad_norm_, but lazy: the clipped
// gradients and the norm are graph values that realize together with the optimizer step.
import { ArgumentError, type Var } from '@metaop/core';
import { abs, add, div, max, maximum, minimum, mul, pow, sqrt, sum } from '@metaop/ops';

export interface ClippedGradients {
  /** The gradients scaled by min(1, maxNorm / (totalNorm + 1e-6)). */
  grads: Var[];
  /** The norm of all gradients together, before clipping (a 0-d Var). */
  totalNorm: Var;
}

/**
 * Scales `grads` so that their joint `normType`-norm is at most `maxNorm` (2 by default; Infinity
 * for the largest absolute value). Same formula as PyTorch: the norm of the per-tensor norms.
 */
export function clipGradNorm(grads: readonly Var[], maxNorm: number, normType = 2): ClippedGradients {
  if (!(maxNorm >= 0)) throw new ArgumentError(`maxNorm must be a non-negative number, got ${maxNorm}`, 'clipGradNorm');
  if (!(normType > 0)) throw new ArgumentError(`normType must be positive or Infinity, got ${normType}`, 'clipGradNorm');
  if (grads.length === 0) throw new ArgumentError('needs at least one gradient', 'clipGradNorm');
  let totalNorm: Var;
  if (normType === Infinity) {
    totalNorm = grads.map((g) => max(abs(g))).reduce((a, b) => maximum(a, b));
  } else if (normType === 2) {
    const norms = grads.map((g) => sqrt(sum(mul(g, g))));
    totalNorm = sqrt(norms.map((n) => mul(n, n)).reduce((a, b) => add(a, b)));
  } else {
    const norms = grads.map((g) => pow(sum(pow(abs(g), normType)), 1 / normType));
    totalNorm = pow(norms.map((n) => pow(n, normType)).reduce((a, b) => add(a, b)), 1 / normType);
  }
  const coef = minimum(div(maxNorm, add(totalNorm, 1e-6)), 1);
  return { grads: grads.map((g) => mul(g, coef)), totalNorm };
}
