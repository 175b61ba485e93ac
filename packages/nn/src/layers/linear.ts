// Linear, Identity and Flatten.
import { checkOptions, type OptionKeys, ArgumentError, formatShape, ShapeError, type Var } from '@metaop/core';
import { add, flatten, matmul, transpose } from '@metaop/ops';
import { newParameter, resetLinearLike } from '../parameter.js';
import { Module } from '../module.js';

function nonNegativeInt(n: number, what: string, op: string): void {
  if (!Number.isInteger(n) || n < 0) throw new ArgumentError(`${what} must be a non-negative integer, got ${n}`, op);
}

export interface LinearOptions {
  bias?: boolean;
}
const linearKeys: OptionKeys<LinearOptions> = { bias: true };

/** y = x·Wᵀ + b over the last dim; weight [out, in], bias [out]. */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Var;
  readonly bias: Var | null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    checkOptions(options, linearKeys, 'Linear');
    nonNegativeInt(inFeatures, 'inFeatures', 'Linear');
    nonNegativeInt(outFeatures, 'outFeatures', 'Linear');
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = this.registerParameter('weight', newParameter([outFeatures, inFeatures]));
    this.bias = this.registerParameter('bias', options.bias === false ? null : newParameter([outFeatures]));
    this.resetParameters();
  }

  /** PyTorch's default: kaiming_uniform_(a=√5) weight and U(±1/√in) bias. */
  resetParameters(): void {
    resetLinearLike(this.weight, this.bias);
  }

  forward(x: Var): Var {
    if (x.ndim < 1 || x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new ShapeError(`expected input [..., ${this.inFeatures}], got ${formatShape(x.shape)}`, 'Linear');
    }
    const y = matmul(x, transpose(this.weight));
    return this.bias ? add(y, this.bias) : y;
  }
}

/** Returns its input. */
export class Identity extends Module {
  forward(x: Var): Var {
    return x;
  }
}

/** Merges dims startDim..endDim (by default everything after the batch dim). */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }

  forward(x: Var): Var {
    return flatten(x, this.startDim, this.endDim);
  }
}
