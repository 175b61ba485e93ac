// BatchNorm1d/2d, LayerNorm and GroupNorm. BatchNorm follows PyTorch exactly: batch statistics in
// training mode (biased variance for normalising, unbiased for running_var), running statistics in
// eval mode, momentum or a cumulative average (momentum null), and a num_batches_tracked buffer.
import { checkOptions, type OptionKeys, ArgumentError, formatShape, ShapeError, type Var } from '@metaop/core';
import { add, cast, detach, div, full, mean, mul, noGrad, reshape, rsqrt, sub, tensor } from '@metaop/ops';
import { ones_, zeros_ } from '../init.js';
import { newParameter } from '../parameter.js';
import { Module } from '../module.js';
import { flushBufferUpdates, hasPendingUpdates, latestValue, scheduleUpdate } from '../pending.js';

export interface BatchNormOptions {
  eps?: number;
  /** Weight of the new batch in the running statistics; null for a cumulative moving average. */
  momentum?: number | null;
  /** Learnable weight and bias (default true). */
  affine?: boolean;
  /** Keep running statistics and use them in eval mode (default true). */
  trackRunningStats?: boolean;
}
const batchNormKeys: OptionKeys<BatchNormOptions> = { eps: true, momentum: true, affine: true, trackRunningStats: true };

/** Normalises over every dim except 1 (channels); `x` is centred and scaled per channel. */
function normalize(x: Var, m: Var, v: Var, eps: number, weight: Var | null, bias: Var | null, view: number[]): Var {
  let y = mul(sub(x, reshape(m, view)), reshape(rsqrt(add(v, eps)), view));
  if (weight) y = mul(y, reshape(weight, view));
  if (bias) y = add(y, reshape(bias, view));
  return y;
}

/** Batch statistics per channel: what BatchNorm normalises with and folds into its running statistics. */
export interface BatchStatistics {
  mean: Var;
  biasedVar: Var;
  /** Values per channel (over every rank for SyncBatchNorm). */
  count: number;
}

/** BatchNorm1d/2d and SyncBatchNorm: parameters, running statistics, and the forward pass. */
export abstract class BatchNormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  readonly weight: Var | null;
  readonly bias: Var | null;
  readonly #runningMean: Var | null;
  readonly #runningVar: Var | null;
  readonly #numBatchesTracked: Var | null;

  protected abstract readonly allowedRanks: readonly number[];

  constructor(numFeatures: number, options: BatchNormOptions) {
    super();
    checkOptions(options, batchNormKeys, this.constructor.name);
    if (!Number.isInteger(numFeatures) || numFeatures < 1) {
      throw new ArgumentError(`numFeatures must be a positive integer, got ${numFeatures}`, this.constructor.name);
    }
    this.numFeatures = numFeatures;
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    this.affine = options.affine ?? true;
    this.trackRunningStats = options.trackRunningStats ?? true;
    this.weight = this.registerParameter('weight', this.affine ? ones_(newParameter([numFeatures])) : null);
    this.bias = this.registerParameter('bias', this.affine ? newParameter([numFeatures]) : null);
    const track = this.trackRunningStats;
    this.#runningMean = this.registerBuffer('running_mean', track ? newParameter([numFeatures]) : null);
    this.#runningVar = this.registerBuffer('running_var', track ? ones_(newParameter([numFeatures])) : null);
    this.#numBatchesTracked = this.registerBuffer('num_batches_tracked', track ? tensor(0, [], 'int32') : null);
  }

  /** The running mean (pending training updates applied first); null without trackRunningStats. */
  get runningMean(): Var | null {
    return this.#flushed(this.#runningMean);
  }

  get runningVar(): Var | null {
    return this.#flushed(this.#runningVar);
  }

  get numBatchesTracked(): Var | null {
    return this.#flushed(this.#numBatchesTracked);
  }

  #flushed(v: Var | null): Var | null {
    if (v && hasPendingUpdates(v)) flushBufferUpdates();
    return v;
  }

  /** Running statistics back to mean 0, variance 1, no batches seen. */
  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    flushBufferUpdates();
    zeros_(this.#runningMean as Var);
    ones_(this.#runningVar as Var);
    noGrad(() => {
      const zero = tensor(0, [], 'int32');
      (this.#numBatchesTracked as Var).assign(zero);
      zero.dispose();
    });
  }

  forward(x: Var): Var {
    const op = this.constructor.name;
    if (!this.allowedRanks.includes(x.ndim) || x.shape[1] !== this.numFeatures) {
      const want = this.allowedRanks.map((r) => (r === 2 ? `[N, ${this.numFeatures}]` : r === 3 ? `[N, ${this.numFeatures}, L]` : `[N, ${this.numFeatures}, H, W]`));
      throw new ShapeError(`expected input ${want.join(' or ')}, got ${formatShape(x.shape)}`, op);
    }
    const dims = x.shape.map((_, i) => i).filter((i) => i !== 1);
    const view = x.shape.map((d, i) => (i === 1 ? d : 1));
    const useBatchStats = this.training || !this.trackRunningStats;
    if (!useBatchStats) {
      const rm = this.runningMean as Var;
      const rv = this.runningVar as Var;
      return normalize(x, rm, rv, this.eps, this.weight, this.bias, view);
    }
    const { mean: m, biasedVar, count } = this.batchStatistics(x, dims, view);
    if (this.training && count <= 1) {
      throw new ShapeError(`expected more than 1 value per channel when training, got input ${formatShape(x.shape)}`, op);
    }
    if (this.training && this.trackRunningStats) this.#scheduleRunningUpdate(detach(m), detach(biasedVar), count);
    return normalize(x, m, biasedVar, this.eps, this.weight, this.bias, view);
  }

  /** The per-channel mean and biased variance over `dims` of this batch, and how many values each has. */
  protected batchStatistics(x: Var, dims: number[], view: number[]): BatchStatistics {
    const count = dims.reduce((n, d) => n * x.shape[d], 1);
    const m = mean(x, dims);
    return { mean: m, biasedVar: mean(mul(sub(x, reshape(m, view)), sub(x, reshape(m, view))), dims), count };
  }

  #scheduleRunningUpdate(m: Var, biasedVar: Var, count: number): void {
    noGrad(() => {
      const nbt = this.#numBatchesTracked as Var;
      const batches = add(latestValue(nbt), 1);
      scheduleUpdate(nbt, batches);
      // momentum null: cumulative average with factor 1/num_batches_tracked. A constant node, not a
      // realized tensor(): a leaf made every step would stay live until the GC backstop ran.
      const factor = this.momentum === null ? div(1, cast(batches, 'float32')) : full([], this.momentum);
      const keepFactor = sub(1, factor);
      const unbiased = mul(biasedVar, count / (count - 1));
      const rm = this.#runningMean as Var;
      const rv = this.#runningVar as Var;
      scheduleUpdate(rm, add(mul(latestValue(rm), keepFactor), mul(m, factor)));
      scheduleUpdate(rv, add(mul(latestValue(rv), keepFactor), mul(unbiased, factor)));
    });
  }
}

/** Batch normalisation over [N, C] or [N, C, L] input. */
export class BatchNorm1d extends BatchNormBase {
  protected readonly allowedRanks = [2, 3];
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(numFeatures, options);
  }
}

/** Batch normalisation over [N, C, H, W] input. */
export class BatchNorm2d extends BatchNormBase {
  protected readonly allowedRanks = [4];
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(numFeatures, options);
  }
}

export interface LayerNormOptions {
  eps?: number;
  /** Learnable per-element weight and bias over the normalised shape (default true). */
  elementwiseAffine?: boolean;
  /** With elementwiseAffine, whether to learn a bias (default true). */
  bias?: boolean;
}
const layerNormKeys: OptionKeys<LayerNormOptions> = { eps: true, elementwiseAffine: true, bias: true };

/** Normalises over the trailing dims given by normalizedShape (biased variance). */
export class LayerNorm extends Module {
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  readonly weight: Var | null;
  readonly bias: Var | null;

  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    checkOptions(options, layerNormKeys, 'LayerNorm');
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.eps = options.eps ?? 1e-5;
    const affine = options.elementwiseAffine ?? true;
    this.weight = this.registerParameter('weight', affine ? ones_(newParameter(this.normalizedShape)) : null);
    this.bias = this.registerParameter('bias', affine && options.bias !== false ? newParameter(this.normalizedShape) : null);
  }

  forward(x: Var): Var {
    const k = this.normalizedShape.length;
    const tail = x.shape.slice(x.ndim - k);
    if (x.ndim < k || tail.some((d, i) => d !== this.normalizedShape[i])) {
      throw new ShapeError(`expected input [..., ${this.normalizedShape.join(', ')}], got ${formatShape(x.shape)}`, 'LayerNorm');
    }
    const dims = tail.map((_, i) => x.ndim - k + i);
    const m = mean(x, dims, true);
    const c = sub(x, m);
    let y = mul(c, rsqrt(add(mean(mul(c, c), dims, true), this.eps)));
    if (this.weight) y = mul(y, this.weight);
    if (this.bias) y = add(y, this.bias);
    return y;
  }
}

export interface GroupNormOptions {
  eps?: number;
  /** Learnable per-channel weight and bias (default true). */
  affine?: boolean;
}
const groupNormKeys: OptionKeys<GroupNormOptions> = { eps: true, affine: true };

/** Normalises each of numGroups channel groups over its channels and spatial dims. Input [N, C, ...]. */
export class GroupNorm extends Module {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly weight: Var | null;
  readonly bias: Var | null;

  constructor(numGroups: number, numChannels: number, options: GroupNormOptions = {}) {
    super();
    checkOptions(options, groupNormKeys, 'GroupNorm');
    if (!Number.isInteger(numGroups) || numGroups < 1 || numChannels % numGroups !== 0) {
      throw new ArgumentError(`numChannels ${numChannels} must be divisible by numGroups ${numGroups}`, 'GroupNorm');
    }
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = options.eps ?? 1e-5;
    const affine = options.affine ?? true;
    this.weight = this.registerParameter('weight', affine ? ones_(newParameter([numChannels])) : null);
    this.bias = this.registerParameter('bias', affine ? newParameter([numChannels]) : null);
  }

  forward(x: Var): Var {
    if (x.ndim < 2 || x.shape[1] !== this.numChannels) {
      throw new ShapeError(`expected input [N, ${this.numChannels}, ...], got ${formatShape(x.shape)}`, 'GroupNorm');
    }
    const N = x.shape[0];
    const g = reshape(x, [N, this.numGroups, -1]);
    const m = mean(g, 2, true);
    const c = sub(g, m);
    let y = reshape(mul(c, rsqrt(add(mean(mul(c, c), 2, true), this.eps))), x.shape);
    const view = x.shape.map((d, i) => (i === 1 ? d : 1));
    if (this.weight) y = mul(y, reshape(this.weight, view));
    if (this.bias) y = add(y, reshape(this.bias, view));
    return y;
  }
}
