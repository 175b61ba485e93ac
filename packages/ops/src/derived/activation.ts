// Activations and dropout, composed from element-wise meta-ops.
import { checkOptions, type OptionKeys, ArgumentError, expectVar, isFloat, numel, type Var } from '@metaop/core';
import { constant, random } from '../meta/elementwise.js';
import { nextRandomCounters } from '../creation.js';
import { add, div, erf, exp, gt, log, maximum, minimum, mul, sigmoid, sub, tanh, where, ge } from './arithmetic.js';

/** max(x, 0), with gradient 0 at 0 as in PyTorch. */
export function relu(x: Var): Var {
  expectVar(x, 'relu');
  return where(gt(x, 0), x, 0);
}

export function relu6(x: Var): Var {
  return minimum(relu(x), 6);
}

export function leakyRelu(x: Var, negativeSlope = 0.01): Var {
  expectVar(x, 'leakyRelu');
  return where(gt(x, 0), x, mul(x, negativeSlope));
}

/** GELU: exact (erf) by default, or the tanh approximation. */
export function gelu(x: Var, approximate: 'none' | 'tanh' = 'none'): Var {
  expectVar(x, 'gelu');
  if (approximate === 'tanh') {
    const inner = mul(add(x, mul(mul(mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
    return mul(mul(x, 0.5), add(tanh(inner), 1));
  }
  return mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1));
}

export function silu(x: Var): Var {
  expectVar(x, 'silu');
  return mul(x, sigmoid(x));
}

export function elu(x: Var, alpha = 1): Var {
  expectVar(x, 'elu');
  return where(gt(x, 0), x, mul(sub(exp(minimum(x, 0)), 1), alpha));
}

/** log(1 + exp(beta*x)) / beta, linear above the threshold like torch. */
export function softplus(x: Var, beta = 1, threshold = 20): Var {
  expectVar(x, 'softplus');
  const bx = mul(x, beta);
  // exp of the clamped value keeps the unused branch finite.
  const soft = div(log(add(exp(minimum(bx, threshold)), 1)), beta);
  return where(gt(bx, threshold), x, soft);
}

export function hardsigmoid(x: Var): Var {
  expectVar(x, 'hardsigmoid');
  return div(minimum(maximum(add(x, 3), 0), 6), 6);
}

export function hardswish(x: Var): Var {
  return mul(x, hardsigmoid(x));
}

export function mish(x: Var): Var {
  return mul(x, tanh(softplus(x)));
}

export interface DropoutOptions {
  /** When false, dropout is the identity (evaluation mode). */
  training?: boolean;
  /** Seed for this mask alone; by default the global stream (manualSeed) is used. */
  seed?: number;
}
const dropoutKeys: OptionKeys<DropoutOptions> = { training: true, seed: true };

/** Zeroes elements with probability p and scales the rest by 1/(1-p). */
export function dropout(x: Var, p = 0.5, options: DropoutOptions = {}): Var {
  checkOptions(options, dropoutKeys, 'dropout');
  expectVar(x, 'dropout');
  if (!(p >= 0 && p <= 1)) throw new ArgumentError(`probability ${p} must be in [0, 1]`, 'dropout');
  if (!isFloat(x.dtype)) throw new ArgumentError(`needs a float input, got ${x.describe()}`, 'dropout');
  if (options.training === false || p === 0) return x;
  if (p === 1) return constant(0, x.shape, x.dtype);
  const { seed, offset } = options.seed !== undefined ? { seed: options.seed, offset: 0 } : nextRandomCounters(numel(x.shape));
  const keep = ge(random(x.shape, { dist: 'uniform', seed, offset }, x.dtype), p);
  return where(keep, mul(x, 1 / (1 - p)), 0);
}
