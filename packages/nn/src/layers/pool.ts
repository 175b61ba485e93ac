// MaxPool2d, AvgPool2d and AdaptiveAvgPool2d with PyTorch's options.
import { checkOptions, type OptionKeys, type Var } from '@metaop/core';
import { adaptiveAvgPool2d, avgPool2d, maxPool2d } from '@metaop/ops';
import { Module } from '../module.js';
import type { Pair } from './conv.js';

export interface MaxPool2dOptions<R extends boolean = boolean> {
  /** Defaults to the kernel size. */
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  ceilMode?: boolean;
  /** Forward returns [values, indices] (flat positions in each input plane, int32), as PyTorch's. */
  returnIndices?: R;
}
const maxPool2dKeys: OptionKeys<MaxPool2dOptions> = { stride: true, padding: true, dilation: true, ceilMode: true, returnIndices: true };

/** Max pooling; with `returnIndices: true` forward returns [values, indices] for MaxUnpool-style use. */
export class MaxPool2d<R extends boolean = false> extends Module<[Var], R extends true ? [Var, Var] : Var> {
  constructor(
    readonly kernelSize: Pair,
    readonly options: MaxPool2dOptions<R> = {},
  ) {
    super();
    checkOptions(options, maxPool2dKeys, 'MaxPool2d');
  }

  forward(x: Var): R extends true ? [Var, Var] : Var {
    const { returnIndices, ...rest } = this.options;
    type Out = R extends true ? [Var, Var] : Var;
    return (returnIndices === true ? maxPool2d(x, this.kernelSize, { ...rest, returnIndices: true }) : maxPool2d(x, this.kernelSize, rest)) as Out;
  }
}

export interface AvgPool2dOptions {
  /** Defaults to the kernel size. */
  stride?: Pair;
  padding?: Pair;
  ceilMode?: boolean;
  /** Count padded zeros in the divisor (default true, as in PyTorch). */
  countIncludePad?: boolean;
  divisorOverride?: number;
}
const avgPool2dKeys: OptionKeys<AvgPool2dOptions> = { stride: true, padding: true, ceilMode: true, countIncludePad: true, divisorOverride: true };

export class AvgPool2d extends Module {
  constructor(
    readonly kernelSize: Pair,
    readonly options: AvgPool2dOptions = {},
  ) {
    super();
    checkOptions(options, avgPool2dKeys, 'AvgPool2d');
  }

  forward(x: Var): Var {
    return avgPool2d(x, this.kernelSize, this.options);
  }
}

/** Average pooling to a fixed output size; `null` in either position keeps that input size. */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: number | readonly [number | null, number | null]) {
    super();
  }

  forward(x: Var): Var {
    const [H, W] = x.shape.slice(-2);
    const size: [number, number] =
      typeof this.outputSize === 'number' ? [this.outputSize, this.outputSize] : [this.outputSize[0] ?? H, this.outputSize[1] ?? W];
    return adaptiveAvgPool2d(x, size);
  }
}
