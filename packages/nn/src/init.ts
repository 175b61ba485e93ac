// Parameter initialisation with PyTorch's formulas (torch.nn.init), drawn from the global Philox
// stream so `manualSeed(n)` makes a model's initial weights reproducible. Each function fills its
// argument in place (hence the trailing underscore, as in PyTorch) and returns it.
import { checkOptions, type OptionKeys, ArgumentError, isFloat, ShapeError, type Var } from '@metaop/core';
import { add, cast, constant, mul, noGrad, rand, randn } from '@metaop/ops';

export type Nonlinearity =
  | 'linear'
  | 'conv1d'
  | 'conv2d'
  | 'conv3d'
  | 'conv_transpose1d'
  | 'conv_transpose2d'
  | 'conv_transpose3d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leaky_relu'
  | 'selu';

/** torch.nn.init.calculate_gain: the recommended gain for a nonlinearity. */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv1d':
    case 'conv2d':
    case 'conv3d':
    case 'conv_transpose1d':
    case 'conv_transpose2d':
    case 'conv_transpose3d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new ArgumentError(`unsupported nonlinearity '${String(nonlinearity)}'`, 'calculateGain');
  }
}

/** fan_in and fan_out as PyTorch computes them: dims 1 and 0 times the receptive field size. */
export function computeFans(w: Var): { fanIn: number; fanOut: number } {
  if (w.ndim < 2) {
    throw new ShapeError(`fan in and fan out need a Var with at least 2 dims, got ${w.describe()}`, 'computeFans');
  }
  const receptive = w.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: w.shape[1] * receptive, fanOut: w.shape[0] * receptive };
}

function fill(w: Var, op: string, make: () => Var): Var {
  if (!isFloat(w.dtype)) throw new ArgumentError(`needs a float Var, got ${w.describe()}`, op);
  return noGrad(() => w.assign(cast(make(), w.dtype)));
}

/** Uniform in [low, high). */
export function uniform_(w: Var, low = 0, high = 1): Var {
  return fill(w, 'uniform_', () => add(mul(rand(w.shape, { dtype: 'float64' }), high - low), low));
}

export function normal_(w: Var, mean = 0, std = 1): Var {
  return fill(w, 'normal_', () => add(mul(randn(w.shape, { dtype: 'float64' }), std), mean));
}

export function constant_(w: Var, value: number): Var {
  return fill(w, 'constant_', () => constant(value, w.shape, w.dtype));
}

export function zeros_(w: Var): Var {
  return constant_(w, 0);
}

export function ones_(w: Var): Var {
  return constant_(w, 1);
}

/** Glorot uniform: bound = gain·sqrt(6 / (fan_in + fan_out)). */
export function xavierUniform_(w: Var, gain = 1): Var {
  const { fanIn, fanOut } = computeFans(w);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(w, -bound, bound);
}

/** Glorot normal: std = gain·sqrt(2 / (fan_in + fan_out)). */
export function xavierNormal_(w: Var, gain = 1): Var {
  const { fanIn, fanOut } = computeFans(w);
  return normal_(w, 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}

export interface KaimingOptions {
  /** Negative slope of the leaky ReLU that follows (used with 'leaky_relu'); default 0. */
  a?: number;
  mode?: 'fan_in' | 'fan_out';
  nonlinearity?: Nonlinearity;
}
const kaimingKeys: OptionKeys<KaimingOptions> = { a: true, mode: true, nonlinearity: true };

function kaimingStd(w: Var, options: KaimingOptions): number {
  checkOptions(options, kaimingKeys, 'kaiming');
  const { a = 0, mode = 'fan_in', nonlinearity = 'leaky_relu' } = options;
  const fans = computeFans(w);
  const fan = mode === 'fan_in' ? fans.fanIn : fans.fanOut;
  if (fan === 0) throw new ShapeError(`cannot initialise ${w.describe()}: its ${mode} is 0`, 'kaiming');
  return calculateGain(nonlinearity, a) / Math.sqrt(fan);
}

/** He uniform: bound = sqrt(3)·gain/sqrt(fan). PyTorch's Linear and Conv use it with a = sqrt(5). */
export function kaimingUniform_(w: Var, options: KaimingOptions = {}): Var {
  const bound = Math.sqrt(3) * kaimingStd(w, options);
  return uniform_(w, -bound, bound);
}

/** He normal: std = gain/sqrt(fan). */
export function kaimingNormal_(w: Var, options: KaimingOptions = {}): Var {
  return normal_(w, 0, kaimingStd(w, options));
}
