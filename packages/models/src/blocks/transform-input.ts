// transform_input of GoogLeNet and Inception v3: maps an input normalised with ImageNet's mean and
// std to the (x - 0.5) / 0.5 normalisation the ported TensorFlow weights were trained with.
import { formatShape, ShapeError, type Var } from '@metaop/core';
import { add, mul, tensor } from '@metaop/ops';

const mean = [0.485, 0.456, 0.406];
const std = [0.229, 0.224, 0.225];

export function transformImageNetInput(x: Var, op: string): Var {
  if (x.ndim !== 4 || x.shape[1] !== 3) throw new ShapeError(`transformInput needs an [N, 3, H, W] input, got ${formatShape(x.shape)}`, op);
  const scale = tensor(std.map((s) => s / 0.5), [1, 3, 1, 1], x.dtype);
  const shift = tensor(mean.map((m) => (m - 0.5) / 0.5), [1, 3, 1, 1], x.dtype);
  return add(mul(x, scale), shift);
}
