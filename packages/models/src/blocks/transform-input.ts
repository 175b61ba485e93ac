// transform_input of GoogLeNet and Inception v3: maps an input normalised with ImageNet's mean and
// std to the (x - 0.5) / 0.5 normalisation the ported TensorFlow weights were trained with.
import { formatShape, ShapeError, type Var } from '@metaop/core';
import { add, cast, mul, tensor } from '@metaop/ops';

const mean = [0.485, 0.456, 0.406];
const std = [0.229, 0.224, 0.225];

/** The per-channel scale and shift, made once per model (non-persistent buffers), not per forward. */
export interface ImageNetTransform {
  readonly scale: Var;
  readonly shift: Var;
}

export function imageNetTransform(): ImageNetTransform {
  return {
    scale: tensor(
      std.map((s) => s / 0.5),
      [1, 3, 1, 1],
    ),
    shift: tensor(
      mean.map((m) => (m - 0.5) / 0.5),
      [1, 3, 1, 1],
    ),
  };
}

export function transformImageNetInput(x: Var, t: ImageNetTransform, op: string): Var {
  if (x.ndim !== 4 || x.shape[1] !== 3) throw new ShapeError(`transformInput needs an [N, 3, H, W] input, got ${formatShape(x.shape)}`, op);
  const as = (v: Var) => (v.dtype === x.dtype ? v : cast(v, x.dtype));
  return add(mul(x, as(t.scale)), as(t.shift));
}
