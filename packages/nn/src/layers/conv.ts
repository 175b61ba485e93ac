// Conv1d, Conv2d and ConvTranspose2d with PyTorch's parameter layout, padding modes and init.
import { checkOptions, type OptionKeys, ArgumentError, formatShape, ShapeError, type Var } from '@metaop/core';
import { conv1d, conv2d, convTranspose2d, pad, pair, type PadMode, type Pair } from '@metaop/ops';
import { newParameter, resetLinearLike } from '../parameter.js';
import { Module } from '../module.js';

export type { Pair };
export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

export interface Conv2dOptions {
  stride?: Pair;
  /** Zero padding per side (or per [height, width]), 'same' (stride 1) or 'valid'. */
  padding?: Pair | 'same' | 'valid';
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
  /** How the border is padded: zeros (default), or reflect/replicate/circular as in PyTorch. */
  paddingMode?: PaddingMode;
}
const conv2dKeys: OptionKeys<Conv2dOptions> = { stride: true, padding: true, dilation: true, groups: true, bias: true, paddingMode: true };

function checkChannels(inChannels: number, outChannels: number, groups: number, op: string): void {
  for (const [name, v] of [['inChannels', inChannels], ['outChannels', outChannels], ['groups', groups]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ArgumentError(`${name} must be a positive integer, got ${v}`, op);
  }
  if (inChannels % groups !== 0 || outChannels % groups !== 0) {
    throw new ArgumentError(`groups ${groups} must divide inChannels ${inChannels} and outChannels ${outChannels}`, op);
  }
}

/**
 * Explicit (before, after) padding per spatial dim for non-zero padding modes; 'same' pads
 * d·(k-1) in total with the extra element after, as PyTorch does.
 */
function explicitPadding(padding: Pair | 'same' | 'valid', kernel: [number, number], dilation: [number, number], op: string): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding === 'same') {
    const total = kernel.map((k, i) => dilation[i] * (k - 1));
    return [Math.floor(total[1] / 2), total[1] - Math.floor(total[1] / 2), Math.floor(total[0] / 2), total[0] - Math.floor(total[0] / 2)];
  }
  const [ph, pw] = pair(padding, 'padding', op, 0);
  return [pw, pw, ph, ph];
}

/** 2-D convolution: weight [out, in/groups, kH, kW], bias [out]. Input [N, C, H, W] or [C, H, W]. */
export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: Pair | 'same' | 'valid';
  readonly dilation: [number, number];
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  readonly weight: Var;
  readonly bias: Var | null;

  constructor(inChannels: number, outChannels: number, kernelSize: Pair, options: Conv2dOptions = {}) {
    super();
    const op = 'Conv2d';
    checkOptions(options, conv2dKeys, op);
    const groups = options.groups ?? 1;
    checkChannels(inChannels, outChannels, groups, op);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = pair(kernelSize, 'kernelSize', op);
    this.stride = pair(options.stride ?? 1, 'stride', op);
    this.padding = options.padding ?? 0;
    this.dilation = pair(options.dilation ?? 1, 'dilation', op);
    this.groups = groups;
    this.paddingMode = options.paddingMode ?? 'zeros';
    if (this.padding === 'same' && (this.stride[0] !== 1 || this.stride[1] !== 1)) {
      throw new ArgumentError("padding 'same' needs stride 1", op);
    }
    this.weight = this.registerParameter('weight', newParameter([outChannels, inChannels / groups, ...this.kernelSize]));
    this.bias = this.registerParameter('bias', options.bias === false ? null : newParameter([outChannels]));
    this.resetParameters();
  }

  resetParameters(): void {
    resetLinearLike(this.weight, this.bias);
  }

  forward(x: Var): Var {
    const batched = x.ndim === 4;
    if (x.ndim !== 3 && x.ndim !== 4) throw new ShapeError(`expected [N, C, H, W] or [C, H, W], got ${formatShape(x.shape)}`, 'Conv2d');
    const input = batched ? x : x.reshape([1, ...x.shape]);
    const options = { stride: this.stride, dilation: this.dilation, groups: this.groups, bias: this.bias ?? undefined };
    let y: Var;
    if (this.paddingMode === 'zeros') {
      y = conv2d(input, this.weight, { ...options, padding: this.padding });
    } else {
      const amounts = explicitPadding(this.padding, this.kernelSize, this.dilation, 'Conv2d');
      y = conv2d(pad(input, amounts, this.paddingMode as PadMode), this.weight, { ...options, padding: 0 });
    }
    return batched ? y : y.reshape(y.shape.slice(1));
  }
}

export interface Conv1dOptions {
  stride?: number;
  padding?: number | 'same' | 'valid';
  dilation?: number;
  groups?: number;
  bias?: boolean;
  paddingMode?: PaddingMode;
}
const conv1dKeys: OptionKeys<Conv1dOptions> = conv2dKeys;

/** 1-D convolution: weight [out, in/groups, k], bias [out]. Input [N, C, L] or [C, L]. */
export class Conv1d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: number | 'same' | 'valid';
  readonly dilation: number;
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  readonly weight: Var;
  readonly bias: Var | null;

  constructor(inChannels: number, outChannels: number, kernelSize: number, options: Conv1dOptions = {}) {
    super();
    const op = 'Conv1d';
    checkOptions(options, conv1dKeys, op);
    const groups = options.groups ?? 1;
    checkChannels(inChannels, outChannels, groups, op);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    [this.kernelSize] = pair(kernelSize, 'kernelSize', op);
    [this.stride] = pair(options.stride ?? 1, 'stride', op);
    this.padding = options.padding ?? 0;
    [this.dilation] = pair(options.dilation ?? 1, 'dilation', op);
    this.groups = groups;
    this.paddingMode = options.paddingMode ?? 'zeros';
    if (this.padding === 'same' && this.stride !== 1) throw new ArgumentError("padding 'same' needs stride 1", op);
    this.weight = this.registerParameter('weight', newParameter([outChannels, inChannels / groups, this.kernelSize]));
    this.bias = this.registerParameter('bias', options.bias === false ? null : newParameter([outChannels]));
    this.resetParameters();
  }

  resetParameters(): void {
    resetLinearLike(this.weight, this.bias);
  }

  forward(x: Var): Var {
    const batched = x.ndim === 3;
    if (x.ndim !== 2 && x.ndim !== 3) throw new ShapeError(`expected [N, C, L] or [C, L], got ${formatShape(x.shape)}`, 'Conv1d');
    const input = batched ? x : x.reshape([1, ...x.shape]);
    const options = { stride: this.stride, dilation: this.dilation, groups: this.groups, bias: this.bias ?? undefined };
    let y: Var;
    if (this.paddingMode === 'zeros') {
      y = conv1d(input, this.weight, { ...options, padding: this.padding });
    } else {
      const amounts = explicitPadding(this.padding === 'same' || this.padding === 'valid' ? this.padding : [0, this.padding], [1, this.kernelSize], [1, this.dilation], 'Conv1d');
      y = conv1d(pad(input, amounts.slice(0, 2), this.paddingMode as PadMode), this.weight, { ...options, padding: 0 });
    }
    return batched ? y : y.reshape(y.shape.slice(1));
  }
}

export interface ConvTranspose2dOptions {
  stride?: Pair;
  padding?: Pair;
  outputPadding?: Pair;
  groups?: number;
  bias?: boolean;
  dilation?: Pair;
}
const convTranspose2dKeys: OptionKeys<ConvTranspose2dOptions> = { stride: true, padding: true, outputPadding: true, groups: true, bias: true, dilation: true };

/** Transposed 2-D convolution: weight [in, out/groups, kH, kW], bias [out]. */
export class ConvTranspose2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly outputPadding: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;
  readonly weight: Var;
  readonly bias: Var | null;

  constructor(inChannels: number, outChannels: number, kernelSize: Pair, options: ConvTranspose2dOptions = {}) {
    super();
    const op = 'ConvTranspose2d';
    checkOptions(options, convTranspose2dKeys, op);
    const groups = options.groups ?? 1;
    checkChannels(inChannels, outChannels, groups, op);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = pair(kernelSize, 'kernelSize', op);
    this.stride = pair(options.stride ?? 1, 'stride', op);
    this.padding = pair(options.padding ?? 0, 'padding', op, 0);
    this.outputPadding = pair(options.outputPadding ?? 0, 'outputPadding', op, 0);
    this.dilation = pair(options.dilation ?? 1, 'dilation', op);
    this.groups = groups;
    this.weight = this.registerParameter('weight', newParameter([inChannels, outChannels / groups, ...this.kernelSize]));
    this.bias = this.registerParameter('bias', options.bias === false ? null : newParameter([outChannels]));
    this.resetParameters();
  }

  /** As PyTorch: fan_in is taken from weight dim 1 (out/groups · kH · kW). */
  resetParameters(): void {
    resetLinearLike(this.weight, this.bias);
  }

  forward(x: Var): Var {
    const batched = x.ndim === 4;
    if (x.ndim !== 3 && x.ndim !== 4) throw new ShapeError(`expected [N, C, H, W] or [C, H, W], got ${formatShape(x.shape)}`, 'ConvTranspose2d');
    const input = batched ? x : x.reshape([1, ...x.shape]);
    const y = convTranspose2d(input, this.weight, {
      stride: this.stride,
      padding: this.padding,
      outputPadding: this.outputPadding,
      dilation: this.dilation,
      groups: this.groups,
      bias: this.bias ?? undefined,
    });
    return batched ? y : y.reshape(y.shape.slice(1));
  }
}
