// SGD with momentum, dampening, Nesterov momentum and weight decay: torch.optim.SGD's formulas in
// its order of operations.
import { checkOptions, type OptionKeys, ArgumentError, type Var } from '@metaop/core';
import { add, mul, neg } from '@metaop/ops';
import { Optimizer, type ParamGroup, type ParamsInput, type ParamState, type UpdateContext } from './optimizer.js';

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  /** Maximise the objective instead of minimising it. */
  maximize: boolean;
}
const sgdKeys: OptionKeys<SGDOptions> = { lr: true, momentum: true, dampening: true, weightDecay: true, nesterov: true, maximize: true };

/**
 * Stochastic gradient descent. Per parameter, with g the gradient:
 * g += weightDecay·p; buf = momentum·buf + (1 - dampening)·g (buf = g on the first step);
 * g = nesterov ? g + momentum·buf : buf; p -= lr·g.
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: ParamsInput<SGDOptions>, options: Partial<SGDOptions> & { lr: number }) {
    checkOptions(options, sgdKeys, 'SGD');
    const defaults: SGDOptions = { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, ...options };
    if (!(defaults.lr >= 0)) throw new ArgumentError(`invalid learning rate ${defaults.lr}`, 'SGD');
    if (!(defaults.momentum >= 0)) throw new ArgumentError(`invalid momentum ${defaults.momentum}`, 'SGD');
    if (!(defaults.weightDecay >= 0)) throw new ArgumentError(`invalid weightDecay ${defaults.weightDecay}`, 'SGD');
    if (defaults.nesterov && (defaults.momentum <= 0 || defaults.dampening !== 0)) {
      throw new ArgumentError('Nesterov momentum requires a momentum and zero dampening', 'SGD');
    }
    super(params, defaults);
  }

  protected updateParameter(p: Var, grad: Var, group: ParamGroup<SGDOptions>, state: ParamState, ctx: UpdateContext): void {
    const s = (role: string, v: number) => ctx.scalar(role, v, p.dtype);
    let d = group.maximize ? neg(grad) : grad;
    if (group.weightDecay !== 0) d = add(d, mul(p, s('weightDecay', group.weightDecay)));
    if (group.momentum !== 0) {
      // The buffer starts at zero; on the first step 0·buf + 1·d gives PyTorch's buf = d exactly,
      // with the same graph as later steps.
      const first = state.momentum_buffer === undefined;
      const buf = first ? this.zerosLike(p) : (state.momentum_buffer as Var);
      state.momentum_buffer = buf;
      const next = add(mul(buf, s('bufferDecay', first ? 0 : group.momentum)), mul(d, s('gradScale', first ? 1 : 1 - group.dampening)));
      ctx.assign(buf, next);
      d = group.nesterov ? add(d, mul(next, s('momentum', group.momentum))) : next;
    }
    ctx.assign(p, add(p, mul(d, s('negLr', -group.lr))));
  }
}
