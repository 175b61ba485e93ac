// Learning-rate schedulers: StepLR and CosineAnnealingLR with PyTorch's recursive update rules,
// so the learning rates match torch.optim.lr_scheduler step for step.
import { ArgumentError } from '@metaop/core';
import type { Optimizer } from './optimizer.js';

/** An optimizer whose groups carry a learning rate. */
export type LrOptimizer = Optimizer<{ lr: number }>;

export interface SchedulerStateDict {
  lastEpoch: number;
  baseLrs: number[];
  lastLrs: number[];
  [key: string]: number | number[];
}

/**
 * Base class: sets each group's `lr` on every `step()`. Construction counts as the first step
 * (lastEpoch 0), as in PyTorch; call `step()` after each epoch (or each iteration, if the schedule
 * is defined in iterations).
 */
export abstract class LRScheduler {
  readonly optimizer: LrOptimizer;
  lastEpoch = -1;
  baseLrs: number[];
  #lastLrs: number[] = [];

  constructor(optimizer: LrOptimizer) {
    this.optimizer = optimizer;
    this.baseLrs = optimizer.paramGroups.map((g) => g.lr);
  }

  /** Call at the end of a subclass constructor: PyTorch's initial step. */
  protected initialStep(): void {
    this.step();
  }

  /** The learning rates for `lastEpoch`, given the groups' current rates. */
  protected abstract computeLrs(): number[];

  step(): void {
    this.lastEpoch++;
    const lrs = this.computeLrs();
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = lrs[i]));
    this.#lastLrs = lrs;
  }

  /** The learning rates set by the last step(). */
  getLastLr(): number[] {
    return [...this.#lastLrs];
  }

  protected currentLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  stateDict(): SchedulerStateDict {
    return { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs], lastLrs: [...this.#lastLrs] };
  }

  /** Restores the schedule position; the optimizer's learning rates come from its own state dict. */
  loadStateDict(dict: SchedulerStateDict): void {
    if (dict.baseLrs.length !== this.baseLrs.length) {
      throw new ArgumentError(`saved state has ${dict.baseLrs.length} groups, the optimizer has ${this.baseLrs.length}`, this.constructor.name);
    }
    this.lastEpoch = dict.lastEpoch;
    this.baseLrs = [...dict.baseLrs];
    this.#lastLrs = [...dict.lastLrs];
  }
}

/** Multiplies the learning rate by gamma every stepSize epochs. */
export class StepLR extends LRScheduler {
  constructor(
    optimizer: LrOptimizer,
    readonly stepSize: number,
    readonly gamma = 0.1,
  ) {
    super(optimizer);
    if (!Number.isInteger(stepSize) || stepSize < 1) throw new ArgumentError(`stepSize must be a positive integer, got ${stepSize}`, 'StepLR');
    this.initialStep();
  }

  protected computeLrs(): number[] {
    const lrs = this.currentLrs();
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return lrs;
    return lrs.map((lr) => lr * this.gamma);
  }
}

/** Cosine annealing from the base rate to etaMin over tMax epochs (SGDR without restarts). */
export class CosineAnnealingLR extends LRScheduler {
  constructor(
    optimizer: LrOptimizer,
    readonly tMax: number,
    readonly etaMin = 0,
  ) {
    super(optimizer);
    if (!(tMax > 0)) throw new ArgumentError(`tMax must be positive, got ${tMax}`, 'CosineAnnealingLR');
    this.initialStep();
  }

  protected computeLrs(): number[] {
    const lrs = this.currentLrs();
    const t = this.lastEpoch;
    const T = this.tMax;
    if (t === 0) return lrs;
    if ((t - 1 - T) % (2 * T) === 0) {
      return lrs.map((lr, i) => lr + ((this.baseLrs[i] - this.etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return lrs.map(
      (lr) => ((1 + Math.cos((Math.PI * t) / T)) / (1 + Math.cos((Math.PI * (t - 1)) / T))) * (lr - this.etaMin) + this.etaMin,
    );
  }
}
