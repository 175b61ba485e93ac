// Dropout variants beyond element-wise nn.Dropout, as PyTorch's: Dropout1d/2d/3d zero whole channels,
// AlphaDropout and FeatureAlphaDropout keep a SELU network's mean and variance. All are the identity
// in eval mode; masks come from the global Philox stream (manualSeed).
import { ArgumentError, formatShape, ShapeError, type Var } from '@metaop/core';
import { add, cast, ge, mul, rand, where } from '@metaop/ops';
import { Module } from '../module.js';

function checkP(p: number, op: string): void {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ArgumentError(`dropout probability has to be between 0 and 1, but got ${String(p)}`, op);
}

/** The per-channel mask shape [N, C, 1, ...] (or [C, 1, ...] unbatched). */
function channelShape(x: Var, batched: boolean): number[] {
  const keep = batched ? 2 : 1;
  return x.shape.map((d, i) => (i < keep ? d : 1));
}

/** A bool mask of `shape`, true with probability 1 - p. */
function keepMask(shape: readonly number[], p: number): Var {
  return ge(rand(shape), p);
}

abstract class ChannelDropout extends Module {
  protected abstract readonly spatialDims: number;

  constructor(readonly p = 0.5) {
    super();
    checkP(p, this.constructor.name);
  }

  forward(x: Var): Var {
    const k = this.spatialDims;
    if (x.ndim !== k + 1 && x.ndim !== k + 2) {
      const sp = ['L', 'H, W', 'D, H, W'][k - 1];
      throw new ShapeError(`expected [N, C, ${sp}] or unbatched [C, ${sp}] input, got ${formatShape(x.shape)}`, this.constructor.name);
    }
    if (!this.training || this.p === 0) return x;
    if (this.p === 1) return mul(x, 0);
    const keep = keepMask(channelShape(x, x.ndim === k + 2), this.p);
    return where(keep, mul(x, 1 / (1 - this.p)), 0);
  }
}

/** Zeroes whole channels of [N, C, L] (or [C, L]) input with probability p, scaling the rest by 1/(1-p). */
export class Dropout1d extends ChannelDropout {
  protected readonly spatialDims = 1;
}

/** Zeroes whole channels of [N, C, H, W] (or [C, H, W]) input with probability p. */
export class Dropout2d extends ChannelDropout {
  protected readonly spatialDims = 2;
}

/** Zeroes whole channels of [N, C, D, H, W] (or [C, D, H, W]) input with probability p. */
export class Dropout3d extends ChannelDropout {
  protected readonly spatialDims = 3;
}

/** SELU's -λα: the value dropped units are set to before the affine correction. */
const ALPHA = 1.7580993408473766;

/** x·a·keep + a·α·(p - 1 + keep), with a = 1/√((α²p + 1)(1 - p)): mean and variance of SELU activations kept. */
function alphaDropout(x: Var, p: number, maskShape: readonly number[]): Var {
  if (p === 1) return mul(x, 0);
  const a = 1 / Math.sqrt((ALPHA * ALPHA * p + 1) * (1 - p));
  const keep = cast(keepMask(maskShape, p), x.dtype);
  return add(mul(x, mul(keep, a)), mul(add(keep, p - 1), ALPHA * a));
}

/** Alpha dropout for self-normalising (SELU) networks, element-wise. */
export class AlphaDropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    checkP(p, 'AlphaDropout');
  }

  forward(x: Var): Var {
    if (!this.training || this.p === 0) return x;
    return alphaDropout(x, this.p, x.shape);
  }
}

/** Alpha dropout of whole channels of [N, C, ...] input. */
export class FeatureAlphaDropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    checkP(p, 'FeatureAlphaDropout');
  }

  forward(x: Var): Var {
    if (x.ndim < 2) throw new ShapeError(`expected input [N, C, ...], got ${formatShape(x.shape)}`, 'FeatureAlphaDropout');
    if (!this.training || this.p === 0) return x;
    return alphaDropout(x, this.p, channelShape(x, true));
  }
}
