// Loss modules: CrossEntropyLoss, NLLLoss, MSELoss, BCELoss and BCEWithLogitsLoss with PyTorch's options.
// Class weights are registered as buffers, as PyTorch does, so they appear in state dicts.
import { checkOptions, type OptionKeys, type Var } from '@metaop/core';
import { binaryCrossEntropy, binaryCrossEntropyWithLogits, crossEntropy, mse, nllLoss, type Reduction } from '@metaop/ops';
import { Module } from '../module.js';

export type { Reduction };

export interface NLLLossOptions {
  /** Per-class weights [C]. */
  weight?: Var;
  /** Targets with this class are skipped and not counted by 'mean' (default -100). */
  ignoreIndex?: number;
  reduction?: Reduction;
}
const nllLossKeys: OptionKeys<NLLLossOptions> = { weight: true, ignoreIndex: true, reduction: true };

/** Negative log likelihood of log-probabilities [N, C, ...] and class ids [N, ...]. */
export class NLLLoss extends Module<[Var, Var]> {
  readonly weight: Var | null;
  readonly ignoreIndex: number;
  readonly reduction: Reduction;

  constructor(options: NLLLossOptions = {}) {
    super();
    checkOptions(options, nllLossKeys, 'NLLLoss');
    this.weight = this.registerBuffer('weight', options.weight ?? null);
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.reduction = options.reduction ?? 'mean';
  }

  forward(input: Var, target: Var): Var {
    return nllLoss(input, target, { weight: this.weight ?? undefined, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

export interface CrossEntropyLossOptions extends NLLLossOptions {
  /** Mixes the target with the uniform distribution: (1-ε)·target + ε/C (default 0). */
  labelSmoothing?: number;
}
const crossEntropyLossKeys: OptionKeys<CrossEntropyLossOptions> = { ...nllLossKeys, labelSmoothing: true };

/** Cross entropy of logits [N, C, ...] against class ids [N, ...] (int) or class probabilities (float, like the logits). */
export class CrossEntropyLoss extends Module<[Var, Var]> {
  readonly weight: Var | null;
  readonly ignoreIndex: number;
  readonly reduction: Reduction;
  readonly labelSmoothing: number;

  constructor(options: CrossEntropyLossOptions = {}) {
    super();
    checkOptions(options, crossEntropyLossKeys, 'CrossEntropyLoss');
    this.weight = this.registerBuffer('weight', options.weight ?? null);
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.reduction = options.reduction ?? 'mean';
    this.labelSmoothing = options.labelSmoothing ?? 0;
  }

  forward(input: Var, target: Var): Var {
    return crossEntropy(input, target, {
      weight: this.weight ?? undefined,
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
      labelSmoothing: this.labelSmoothing,
    });
  }
}

export interface MSELossOptions {
  reduction?: Reduction;
}
const mseLossKeys: OptionKeys<MSELossOptions> = { reduction: true };

/** Mean squared error. */
export class MSELoss extends Module<[Var, Var]> {
  readonly reduction: Reduction;

  constructor(options: MSELossOptions = {}) {
    super();
    checkOptions(options, mseLossKeys, 'MSELoss');
    this.reduction = options.reduction ?? 'mean';
  }

  forward(input: Var, target: Var): Var {
    return mse(input, target, this.reduction);
  }
}

export interface BCELossOptions {
  /** Rescales each element's loss (broadcast against the input). */
  weight?: Var;
  reduction?: Reduction;
}
const bceLossKeys: OptionKeys<BCELossOptions> = { weight: true, reduction: true };

/**
 * Binary cross entropy on probabilities in [0, 1] (the output of a sigmoid); each log is clamped
 * at -100 as PyTorch's. BCEWithLogitsLoss on the logits is the numerically stable choice.
 */
export class BCELoss extends Module<[Var, Var]> {
  readonly weight: Var | null;
  readonly reduction: Reduction;

  constructor(options: BCELossOptions = {}) {
    super();
    checkOptions(options, bceLossKeys, 'BCELoss');
    this.weight = this.registerBuffer('weight', options.weight ?? null);
    this.reduction = options.reduction ?? 'mean';
  }

  forward(input: Var, target: Var): Var {
    return binaryCrossEntropy(input, target, { weight: this.weight ?? undefined, reduction: this.reduction });
  }
}

export interface BCEWithLogitsLossOptions {
  /** Rescales each element's loss (broadcast against the input). */
  weight?: Var;
  /** Weight of positive examples per class (broadcast against the trailing dims). */
  posWeight?: Var;
  reduction?: Reduction;
}
const bceWithLogitsLossKeys: OptionKeys<BCEWithLogitsLossOptions> = { weight: true, posWeight: true, reduction: true };

/** Binary cross entropy on logits, computed stably. */
export class BCEWithLogitsLoss extends Module<[Var, Var]> {
  readonly weight: Var | null;
  readonly posWeight: Var | null;
  readonly reduction: Reduction;

  constructor(options: BCEWithLogitsLossOptions = {}) {
    super();
    checkOptions(options, bceWithLogitsLossKeys, 'BCEWithLogitsLoss');
    this.weight = this.registerBuffer('weight', options.weight ?? null);
    this.posWeight = this.registerBuffer('pos_weight', options.posWeight ?? null);
    this.reduction = options.reduction ?? 'mean';
  }

  forward(input: Var, target: Var): Var {
    return binaryCrossEntropyWithLogits(input, target, {
      weight: this.weight ?? undefined,
      posWeight: this.posWeight ?? undefined,
      reduction: this.reduction,
    });
  }
}
