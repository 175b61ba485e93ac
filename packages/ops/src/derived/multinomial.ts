// torch.multinomial with Philox random numbers (the same samples on every backend for a seed).
// With replacement: inverse CDF, sample = #{c : cdf_c <= u}. Without replacement (torch's
// default): Efraimidis–Spirakis keys log(1 - u)/p_c and the top n of them (a topk).
import { checkOptions, type OptionKeys, ArgumentError, DTypeError, expectVar, formatShape, isFloat, numel, ShapeError, type Var } from '@metaop/core';
import { cast, random } from '../meta/elementwise.js';
import { reduce } from '../meta/reduce.js';
import { broadcast, reshape } from '../meta/reindex.js';
import { nextRandomCounters } from '../creation.js';
import { div, gt, le, log, minimum, sub, where } from './arithmetic.js';
import { cumsum } from './scan.js';
import { topk } from './sort.js';

export interface MultinomialOptions {
  /** Draw with replacement (default false, as torch). */
  replacement?: boolean;
  /** Seed for these draws alone (counters from 0); by default the global stream (manualSeed) is used. */
  seed?: number;
}
const multinomialKeys: OptionKeys<MultinomialOptions> = { replacement: true, seed: true };

/**
 * n category indices (int32) per row of probs [C] or [B, C] (non-negative weights, not
 * necessarily normalised). Negative, NaN or all-zero rows give unspecified indices (torch raises
 * on those values; a lazy graph cannot look at them).
 */
export function multinomial(probs: Var, n: number, options: MultinomialOptions = {}): Var {
  const op = 'multinomial';
  checkOptions(options, multinomialKeys, op);
  expectVar(probs, op, 'probs');
  if (!isFloat(probs.dtype)) throw new DTypeError(`probs must be float, got ${probs.describe()}`, op);
  if (probs.ndim !== 1 && probs.ndim !== 2) throw new ShapeError(`probs ${formatShape(probs.shape)} must be [C] or [B, C]`, op);
  const { replacement = false } = options;
  const C = probs.shape[probs.ndim - 1];
  if (!Number.isInteger(n) || n < 1) throw new ArgumentError(`the number of samples ${n} must be a positive integer`, op);
  if (C === 0) throw new ShapeError(`probs ${formatShape(probs.shape)} has no categories`, op);
  if (!replacement && n > C) throw new ArgumentError(`cannot draw ${n} samples without replacement from ${C} categories; pass { replacement: true }`, op);
  const p = probs.ndim === 1 ? reshape(probs, [1, C]) : probs;
  const B = p.shape[0];
  const shape = replacement ? [B, n] : [B, C];
  const { seed, offset } = options.seed !== undefined ? { seed: options.seed, offset: 0 } : nextRandomCounters(numel(shape));
  const u = random(shape, { dist: 'uniform', seed, offset }, p.dtype);
  let out: Var;
  if (replacement) {
    const cdf = cumsum(p, 1);
    const norm = div(cdf, broadcast(reshape(reduce(p, 'add', [1]), [B, 1]), [B, C]));
    // [B, n, C]: category c counts when its cdf is <= u; the count is the first c with cdf_c > u.
    const below = le(broadcast(reshape(norm, [B, 1, C]), [B, n, C]), broadcast(reshape(u, [B, n, 1]), [B, n, C]));
    out = minimum(reduce(cast(below, 'int32'), 'add', [2]), C - 1);
  } else {
    // A zero weight gets -inf (0/0 would be NaN, which sorts first).
    out = topk(where(gt(p, 0), div(log(sub(1, u)), p), -Infinity), n, 1)[1];
  }
  return probs.ndim === 1 ? reshape(out, [n]) : out;
}
