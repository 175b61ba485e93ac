// Scaled dot-product attention (torch.nn.functional.scaled_dot_product_attention, PyTorch 2.x
// semantics) composed from meta-ops: two contractions, a masked softmax and Philox dropout.
import {
  ArgumentError,
  broadcastShapes,
  checkOptions,
  DTypeError,
  expectVar,
  formatShape,
  isFloat,
  numel,
  shapesEqual,
  ShapeError,
  type OptionKeys,
  type Var,
} from '@metaop/core';
import { cast, index, random } from '../meta/elementwise.js';
import { reduce } from '../meta/reduce.js';
import { nextRandomCounters } from '../creation.js';
import { add, div, exp, ge, le, mul, sub, where } from './arithmetic.js';
import { matmul } from './linalg.js';
import { detach, transpose } from './shape.js';

export interface AttentionOptions {
  /**
   * Broadcastable to [..., L, S]: bool (true = the query attends to that key) or float (added to
   * the scores before the softmax).
   */
  attnMask?: Var;
  /** Dropout probability on the attention weights (after the softmax); 0 (the default) disables it. */
  dropoutP?: number;
  /** Query i attends to keys 0..i (a top-left aligned lower-triangular mask); excludes attnMask. */
  isCausal?: boolean;
  /** Multiplies q·k; default 1/sqrt(E). */
  scale?: number;
  /** Seed of the dropout mask alone (Philox, counters from 0); by default the global stream (manualSeed) is used. */
  seed?: number;
}
const attentionKeys: OptionKeys<AttentionOptions> = { attnMask: true, dropoutP: true, isCausal: true, scale: true, seed: true };

/**
 * softmax(q·kᵀ·scale + mask)·v with q [..., L, E], k [..., S, E], v [..., S, Ev] → [..., L, Ev];
 * the leading dims broadcast. Rows whose every key is masked out give NaN, as torch's math kernel.
 * The softmax is normalised after the second contraction (Σ_s e_s·v_s / Σ_s e_s), which is the
 * same value and lets the compiler keep the exponentials inside the contraction's kernel.
 */
export function scaledDotProductAttention(q: Var, k: Var, v: Var, options: AttentionOptions = {}): Var {
  const op = 'scaledDotProductAttention';
  checkOptions(options, attentionKeys, op);
  expectVar(q, op, 'query');
  expectVar(k, op, 'key');
  expectVar(v, op, 'value');
  const { attnMask, dropoutP = 0, isCausal = false, scale, seed: maskSeed } = options;
  for (const [name, x] of [['query', q], ['key', k], ['value', v]] as const) {
    if (x.ndim < 2) throw new ShapeError(`${name} ${formatShape(x.shape)} needs at least 2 dims ([..., length, features])`, op);
  }
  if (!isFloat(q.dtype) || q.dtype !== k.dtype || q.dtype !== v.dtype) {
    throw new DTypeError(`query, key and value must share one float dtype, got ${q.describe()}, ${k.describe()}, ${v.describe()}; cast them`, op);
  }
  const [L, E] = q.shape.slice(-2);
  const [S, Ek] = k.shape.slice(-2);
  if (Ek !== E) throw new ShapeError(`query ${formatShape(q.shape)} and key ${formatShape(k.shape)} must have the same last dim (${E} vs ${Ek})`, op);
  if (v.shape[v.ndim - 2] !== S) {
    throw new ShapeError(`key ${formatShape(k.shape)} and value ${formatShape(v.shape)} must have the same length (dim -2: ${S} vs ${v.shape[v.ndim - 2]})`, op);
  }
  const batch = broadcastShapes(op, q.shape.slice(0, -2), k.shape.slice(0, -2), v.shape.slice(0, -2));
  if (typeof isCausal !== 'boolean') throw new ArgumentError(`isCausal must be a boolean, got ${String(isCausal)}`, op);
  if (isCausal && attnMask !== undefined) {
    throw new ArgumentError('attnMask and isCausal cannot both be set (as in PyTorch); build the causal mask into attnMask instead', op);
  }
  if (typeof dropoutP !== 'number' || !(dropoutP >= 0 && dropoutP <= 1)) throw new ArgumentError(`dropoutP ${String(dropoutP)} must be in [0, 1]`, op);
  if (scale !== undefined && (typeof scale !== 'number' || !Number.isFinite(scale))) {
    throw new ArgumentError(`scale must be a finite number, got ${String(scale)}`, op);
  }
  const scoreShape = [...batch, L, S];
  // Scaling the scores (not q) keeps the scale in the contraction's epilogue: no scaled copy of q is stored.
  let scores = mul(matmul(q, transpose(k)), scale ?? 1 / Math.sqrt(E));
  if (attnMask !== undefined) {
    expectVar(attnMask, op, 'attnMask');
    if (!shapesEqual(broadcastShapes(op, scores.shape, attnMask.shape), scores.shape)) {
      throw new ShapeError(`attnMask ${formatShape(attnMask.shape)} must broadcast to the scores [..., L, S] = ${formatShape(scores.shape)}`, op);
    }
    if (attnMask.dtype === 'bool') scores = where(attnMask, scores, -Infinity);
    else if (isFloat(attnMask.dtype)) scores = add(scores, cast(attnMask, q.dtype));
    else throw new DTypeError(`attnMask must be bool or float, got ${attnMask.describe()}`, op);
  } else if (isCausal) {
    // The grid at the scores' full shape is recomputed in the scores' kernel (a broadcast [L, S] mask would be stored).
    const last = scoreShape.length - 1;
    scores = where(le(sub(index(scoreShape, last), index(scoreShape, last - 1)), 0), scores, -Infinity);
  }
  const last = scores.ndim - 1;
  // The max is a constant shift of the softmax: stopping its gradient changes nothing but the graph.
  const e = exp(sub(scores, detach(reduce(scores, 'max', [last], true))));
  const denom = reduce(e, 'add', [last], true);
  let weights = e;
  if (dropoutP > 0) {
    if (dropoutP === 1) weights = mul(e, 0);
    else {
      const { seed, offset } = maskSeed !== undefined ? { seed: maskSeed, offset: 0 } : nextRandomCounters(numel(scoreShape));
      const keep = ge(random(scoreShape, { dist: 'uniform', seed, offset }, q.dtype), dropoutP);
      weights = where(keep, mul(e, 1 / (1 - dropoutP)), 0);
    }
  }
  return div(matmul(weights, v), denom);
}
