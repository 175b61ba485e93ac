// Losses with PyTorch's conventions: reductions, class weights, ignoreIndex, label smoothing.
import { checkOptions, type OptionKeys, ArgumentError, DTypeError, expectVar, formatShape, isFloat, ShapeError, type Var } from '@metaop/core';
import { cast } from '../meta/elementwise.js';
import { broadcast, gather, reshape } from '../meta/reindex.js';
import { abs, add, div, exp, ge, log, maximum, mul, ne, neg, sub, where, minimum } from './arithmetic.js';
import { guardIndex } from './index-guard.js';
import { logSoftmax, mean, sum } from './reduction.js';
import { permute } from '../meta/reindex.js';
import { detach } from './shape.js';
import { relu } from './activation.js';

export type Reduction = 'mean' | 'sum' | 'none';

function reduceLoss(loss: Var, reduction: Reduction, op: string): Var {
  switch (reduction) {
    case 'mean':
      return mean(loss);
    case 'sum':
      return sum(loss);
    case 'none':
      return loss;
    default:
      throw new ArgumentError(`unknown reduction '${String(reduction)}'; use 'mean', 'sum' or 'none'`, op);
  }
}

export interface NllLossOptions {
  reduction?: Reduction;
  /** Per-class weights [C]. */
  weight?: Var;
  /** Targets equal to this are skipped (and not counted by 'mean'). */
  ignoreIndex?: number;
}
const nllLossKeys: OptionKeys<NllLossOptions> = { reduction: true, weight: true, ignoreIndex: true };

/** Moves the class dim (1) last and flattens: [N, C, d...] -> [N*d..., C]; targets [N, d...] -> [N*d...]. */
function classesLast(input: Var, target: Var, op: string): [Var, Var] {
  if (input.ndim < 1) throw new ShapeError('input needs a class dim', op);
  if (input.ndim === 1) return [reshape(input, [1, input.shape[0]]), reshape(target, [1])];
  const C = input.shape[1];
  const expected = [input.shape[0], ...input.shape.slice(2)];
  if (target.ndim !== expected.length || target.shape.some((d, i) => d !== expected[i])) {
    throw new ShapeError(`target ${formatShape(target.shape)} must be ${formatShape(expected)} for input ${formatShape(input.shape)}`, op);
  }
  const perm = [0, ...input.shape.slice(2).map((_, i) => i + 2), 1];
  return [reshape(permute(input, perm), [-1, C]), reshape(target, [-1])];
}

/** Negative log likelihood of class-index targets given log-probabilities [N, C, ...]. */
export function nllLoss(logProbs: Var, target: Var, options: NllLossOptions = {}): Var {
  checkOptions(options, nllLossKeys, 'nllLoss');
  return nll(logProbs, target, options, 'nllLoss');
}

/** nllLoss raising as `op`: targets outside 0..C-1 (other than ignoreIndex) raise IndexError on realize. */
function nll(logProbs: Var, target: Var, options: NllLossOptions, op: string): Var {
  expectVar(logProbs, op);
  expectVar(target, op, 'target');
  if (!isFloat(logProbs.dtype)) throw new DTypeError(`input must hold float log-probabilities, got ${logProbs.describe()}`, op);
  if (isFloat(target.dtype)) throw new DTypeError(`target must hold class indices (int32), got ${target.describe()}`, op);
  const { reduction = 'mean', weight, ignoreIndex = -100 } = options;
  const [lp, unchecked] = classesLast(logProbs, cast(target, 'int32'), op);
  const C = lp.shape[1];
  const t = guardIndex(unchecked, { op, dim: logProbs.ndim === 1 ? 0 : 1, size: C, ignoreIndex, noun: 'target' });
  // An ignored target reads the fill value 0 (or a real class when ignoreIndex is one) and is masked by `valid`.
  const picked = reshape(gather(lp, 1, reshape(t, [-1, 1])), [-1]);
  const valid = cast(ne(t, ignoreIndex), lp.dtype);
  let w = valid;
  if (weight) {
    expectVar(weight, op, 'weight');
    if (weight.ndim !== 1 || weight.shape[0] !== C) throw new ShapeError(`weight ${formatShape(weight.shape)} must be [${C}]`, op);
    w = mul(valid, classWeights(weight, t, ignoreIndex));
  }
  const losses = neg(mul(picked, w));
  if (reduction === 'mean') return div(sum(losses), sum(w));
  if (reduction === 'none') return reshape(losses, logProbs.ndim === 1 ? [] : [logProbs.shape[0], ...logProbs.shape.slice(2)]);
  return reduceLoss(losses, reduction, op);
}

/** weight[t] per target (class 0's weight for ignored targets, which the caller masks). */
function classWeights(weight: Var, t: Var, ignoreIndex: number): Var {
  const C = weight.shape[0];
  return reshape(gather(reshape(weight, [1, C]), 1, reshape(where(ne(t, ignoreIndex), t, 0), [1, -1])), [-1]);
}

export interface CrossEntropyOptions extends NllLossOptions {
  /** Mixes the one-hot target with the uniform distribution: (1-ε)·onehot + ε/C. */
  labelSmoothing?: number;
}
const crossEntropyKeys: OptionKeys<CrossEntropyOptions> = { ...nllLossKeys, labelSmoothing: true };

/**
 * Cross entropy of logits [N, C, ...] against class indices (int) or class probabilities
 * (float, same shape as the logits), like torch.nn.functional.cross_entropy.
 */
export function crossEntropy(logits: Var, target: Var, options: CrossEntropyOptions = {}): Var {
  const op = 'crossEntropy';
  checkOptions(options, crossEntropyKeys, op);
  expectVar(logits, op);
  expectVar(target, op, 'target');
  if (!isFloat(logits.dtype)) {
    throw new DTypeError(`logits must be float, got ${logits.describe()}; integer logits are usually the target passed first, else cast them`, op);
  }
  const { reduction = 'mean', labelSmoothing = 0, weight, ignoreIndex = -100 } = options;
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) throw new ArgumentError(`labelSmoothing ${labelSmoothing} must be in [0, 1]`, op);
  const logp = logSoftmax(logits, logits.ndim === 1 ? 0 : 1);
  const C = logits.ndim === 1 ? logits.shape[0] : logits.shape[1];
  if (isFloat(target.dtype)) {
    // Probability targets.
    if (target.ndim !== logits.ndim || target.shape.some((d, i) => d !== logits.shape[i])) {
      throw new ShapeError(`probability target ${formatShape(target.shape)} must match logits ${formatShape(logits.shape)}`, op);
    }
    let t = labelSmoothing > 0 ? add(mul(target, 1 - labelSmoothing), labelSmoothing / C) : target;
    if (weight) t = mul(t, reshape(weight, logits.ndim === 1 ? [C] : [1, C, ...logits.shape.slice(2).map(() => 1)]));
    const perSample = neg(sum(mul(logp, t), logits.ndim === 1 ? 0 : 1));
    return reduceLoss(perSample, reduction, op);
  }
  const nllPart = nll(logp, target, { reduction, weight, ignoreIndex }, op);
  if (labelSmoothing === 0) return nllPart;
  // torch: (1-ε)·nll + ε·(-Σ_c w_c·logp_c / C), with ignored targets masked and 'mean' over the weights.
  const [lp, t] = classesLast(logp, cast(target, 'int32'), op);
  const valid = cast(ne(t, ignoreIndex), lp.dtype);
  const lpw = weight ? mul(lp, broadcast(reshape(weight, [1, C]), lp.shape)) : lp;
  const smooth = mul(neg(div(sum(lpw, 1), C)), valid);
  let smoothLoss: Var;
  if (reduction === 'mean') {
    // The nll part guards the targets; these reads share its plan.
    const denom = weight ? sum(mul(valid, classWeights(weight, t, ignoreIndex))) : sum(valid);
    smoothLoss = div(sum(smooth), denom);
  } else if (reduction === 'sum') smoothLoss = sum(smooth);
  else smoothLoss = reshape(smooth, nllPart.shape);
  return add(mul(nllPart, 1 - labelSmoothing), mul(smoothLoss, labelSmoothing));
}

/** Mean squared error. */
export function mse(input: Var, target: Var, reduction: Reduction = 'mean'): Var {
  expectVar(input, 'mse');
  expectVar(target, 'mse', 'target');
  // torch.nn.functional.mse_loss promotes a float with an int, but has no integer kernel.
  if (!isFloat(input.dtype) && !isFloat(target.dtype)) {
    throw new DTypeError(`needs a float input or target, got ${input.describe()} and ${target.describe()}`, 'mse');
  }
  const d = sub(input, target);
  return reduceLoss(mul(d, d), reduction, 'mse');
}

export interface BceOptions {
  reduction?: Reduction;
  /** Weight of positive examples per class (broadcast against the last dims). */
  posWeight?: Var;
  weight?: Var;
}
const bceKeys: OptionKeys<BceOptions> = { reduction: true, posWeight: true, weight: true };

/** Binary cross entropy on logits, computed stably: max(x,0) - x·y + log(1 + exp(-|x|)). */
export function binaryCrossEntropyWithLogits(logits: Var, target: Var, options: BceOptions = {}): Var {
  const op = 'binaryCrossEntropyWithLogits';
  checkOptions(options, bceKeys, op);
  expectVar(logits, op);
  expectVar(target, op, 'target');
  if (target.ndim !== logits.ndim || target.shape.some((d, i) => d !== logits.shape[i])) {
    throw new ShapeError(`target ${formatShape(target.shape)} must match logits ${formatShape(logits.shape)}`, op);
  }
  const { reduction = 'mean', posWeight, weight } = options;
  const softTerm = log(add(exp(neg(abs(logits))), 1));
  let loss: Var;
  if (posWeight) {
    // torch: (1 - y)·x + (1 + (pw - 1)·y)·(log(1 + exp(-|x|)) + max(-x, 0))
    const lw = add(mul(sub(posWeight, 1), target), 1);
    loss = add(mul(sub(1, target), logits), mul(lw, add(softTerm, relu(neg(logits)))));
  } else {
    loss = add(sub(relu(logits), mul(logits, target)), softTerm);
  }
  if (weight) loss = mul(loss, weight);
  return reduceLoss(loss, reduction, op);
}

/** Mean absolute error. */
export function l1Loss(input: Var, target: Var, reduction: Reduction = 'mean'): Var {
  return reduceLoss(abs(sub(input, target)), reduction, 'l1Loss');
}

/** Smooth L1 (Huber-like with beta) as in torch. */
export function smoothL1Loss(input: Var, target: Var, beta = 1, reduction: Reduction = 'mean'): Var {
  const d = abs(sub(input, target));
  const quad = div(mul(mul(minimum(d, beta), minimum(d, beta)), 0.5), beta);
  const loss = beta === 0 ? d : where(ne(minimum(d, beta), d), sub(d, beta / 2), quad);
  return reduceLoss(loss, reduction, 'smoothL1Loss');
}

export interface BinaryCrossEntropyOptions {
  reduction?: Reduction;
  /** Rescales each element's loss (broadcast against the input). */
  weight?: Var;
}
const binaryCrossEntropyKeys: OptionKeys<BinaryCrossEntropyOptions> = { reduction: true, weight: true };

/**
 * Binary cross entropy on probabilities (torch.nn.functional.binary_cross_entropy):
 * -(y·log p + (1 - y)·log(1 - p)), each log clamped at -100 as torch does so p = 0 or 1 stays
 * finite. Inputs outside [0, 1] give NaN (torch raises on the values; a lazy graph cannot).
 * The input's gradient is torch's, (p - y) / max(p (1 - p), 1e-12), finite at p = 0 and 1; the
 * target's is log(1 - p) - log(p) with both logs clamped (torch 1.13 gives ±Infinity there).
 * Second derivatives are those of these gradient formulas.
 */
export function binaryCrossEntropy(input: Var, target: Var, options: BinaryCrossEntropyOptions = {}): Var {
  const op = 'binaryCrossEntropy';
  checkOptions(options, binaryCrossEntropyKeys, op);
  expectVar(input, op);
  expectVar(target, op, 'target');
  if (!isFloat(input.dtype) || !isFloat(target.dtype)) {
    throw new DTypeError(`input and target must be float probabilities, got ${input.describe()} and ${target.describe()}`, op);
  }
  if (target.ndim !== input.ndim || target.shape.some((d, i) => d !== input.shape[i])) {
    throw new ShapeError(`target ${formatShape(target.shape)} must match input ${formatShape(input.shape)}`, op);
  }
  const { reduction = 'mean', weight } = options;
  // The value is the clamped formula on detached operands. The derivatives come from `h`, whose value
  // is subtracted again (h - detach(h) is exactly 0): where p (1 - p) >= eps, h is the unclamped
  // formula (its derivatives are torch's); at the edges it is the antiderivative of torch's
  // (p - y) / eps with the clamped log difference as its target derivative, so no 0 * Inf arises.
  const eps = 1e-12;
  const p = detach(input);
  const y = detach(target);
  const logP = maximum(log(p), -100);
  const log1mP = maximum(log(sub(1, p)), -100);
  const value = neg(add(mul(y, logP), mul(sub(1, y), log1mP)));
  const interior = ge(mul(input, sub(1, input)), eps);
  const pSafe = where(interior, input, 0.5);
  const hInterior = neg(add(mul(target, log(pSafe)), mul(sub(1, target), log(sub(1, pSafe)))));
  const zeroAtP = sub(input, p);
  const hEdge = add(div(sub(mul(mul(input, input), 0.5), mul(target, zeroAtP)), eps), mul(target, sub(log1mP, logP)));
  const h = where(interior, hInterior, hEdge);
  let loss = add(value, sub(h, detach(h)));
  if (weight) {
    expectVar(weight, op, 'weight');
    loss = mul(loss, weight);
  }
  return reduceLoss(loss, reduction, op);
}
