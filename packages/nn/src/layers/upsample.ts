// Upsample (and PyTorch's UpsamplingNearest2d / UpsamplingBilinear2d) over ops.interpolate.
import { checkOptions, type OptionKeys, ArgumentError, type Var } from '@metaop/core';
import { interpolate } from '@metaop/ops';
import { Module } from '../module.js';

export interface UpsampleOptions {
  /** Output spatial size: one number for every spatial dim, or one per dim. */
  size?: number | readonly number[];
  /** Multiplier of the spatial size (output = floor(input · factor)). */
  scaleFactor?: number | readonly number[];
  /** 'nearest' (default) or 'bilinear' ([N, C, H, W] input). */
  mode?: 'nearest' | 'bilinear';
  /** bilinear only: map the corner pixels' centres onto each other. */
  alignCorners?: boolean;
}
const upsampleKeys: OptionKeys<UpsampleOptions> = { size: true, scaleFactor: true, mode: true, alignCorners: true };

/** Resizes [N, C, ...] input to `size` or by `scaleFactor` (exactly one), as torch.nn.Upsample. */
export class Upsample extends Module {
  readonly size: number | readonly number[] | undefined;
  readonly scaleFactor: number | readonly number[] | undefined;
  readonly mode: 'nearest' | 'bilinear';
  readonly alignCorners: boolean | undefined;

  constructor(options: UpsampleOptions = {}) {
    super();
    const op = this.constructor.name;
    checkOptions(options, upsampleKeys, op);
    if ((options.size === undefined) === (options.scaleFactor === undefined)) {
      throw new ArgumentError('either size or scaleFactor should be defined (exactly one)', op);
    }
    this.size = options.size;
    this.scaleFactor = options.scaleFactor;
    this.mode = options.mode ?? 'nearest';
    this.alignCorners = options.alignCorners;
  }

  forward(x: Var): Var {
    const { size, scaleFactor, mode, alignCorners } = this;
    return interpolate(x, { ...(size !== undefined ? { size } : { scaleFactor }), mode, ...(alignCorners !== undefined ? { alignCorners } : {}) });
  }
}

export interface Upsampling2dOptions {
  size?: number | readonly number[];
  scaleFactor?: number | readonly number[];
}
const upsampling2dKeys: OptionKeys<Upsampling2dOptions> = { size: true, scaleFactor: true };

/** Nearest-neighbour 2-D upsampling (PyTorch's UpsamplingNearest2d, Upsample with mode 'nearest'). */
export class UpsamplingNearest2d extends Upsample {
  constructor(options: Upsampling2dOptions = {}) {
    checkOptions(options, upsampling2dKeys, 'UpsamplingNearest2d');
    super({ ...options, mode: 'nearest' });
  }
}

/** Bilinear 2-D upsampling with alignCorners true (PyTorch's UpsamplingBilinear2d). */
export class UpsamplingBilinear2d extends Upsample {
  constructor(options: Upsampling2dOptions = {}) {
    checkOptions(options, upsampling2dKeys, 'UpsamplingBilinear2d');
    super({ ...options, mode: 'bilinear', alignCorners: true });
  }
}
