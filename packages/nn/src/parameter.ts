// Creating parameters: nn.Parameter for users' own trainable tensors, and the built-in layers'
// parameters, initialised as PyTorch initialises them.
import { DTypeError, expectVar, isFloat, numel, type Var } from '@metaop/core';
import { tensor } from '@metaop/ops';
import { computeFans, kaimingUniform_, uniform_ } from './init.js';

/**
 * Marks `value` as a trainable parameter, like torch.nn.Parameter: the result is a realized leaf
 * (no graph behind it) that optimizers accept and `grad()` differentiates with respect to. A value
 * that is already a realized leaf is returned itself (PyTorch shares the storage too); a computed
 * one (`randn([2])`, `x.mul(2)`) is realized into a new leaf holding its value. `name` labels it in
 * errors, e.g. a loss reused after an optimizer step.
 */
export function Parameter(value: Var, name?: string): Var {
  expectVar(value, 'Parameter', 'value');
  if (!isFloat(value.dtype)) throw new DTypeError(`only float Vars can be trained, got ${value.describe()}; cast it first`, 'Parameter');
  value.realize();
  const leaf = value.node === null ? value : tensor(value.dataSync(), value.shape, value.dtype);
  if (name !== undefined) leaf.name = name;
  return leaf;
}

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
