// Creating parameters for the built-in layers, initialised as PyTorch initialises them.
import { numel, type Var } from '@metaop/core';
import { tensor } from '@metaop/ops';
import { computeFans, kaimingUniform_, uniform_ } from './init.js';

/** A realized float32 leaf of `shape`, zero-filled, ready to be initialised in place. */
export function newParameter(shape: readonly number[]): Var {
  return tensor(new Float32Array(numel(shape)), shape);
}

/** PyTorch's default Linear/Conv initialisation: kaiming_uniform_(a=√5) weight, U(±1/√fan_in) bias. */
export function resetLinearLike(weight: Var, bias: Var | null): void {
  kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias) {
    const { fanIn } = computeFans(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform_(bias, -bound, bound);
  }
}
