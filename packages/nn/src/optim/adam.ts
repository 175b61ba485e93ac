// Adam and AdamW (optionally AMSGrad): torch.optim.Adam/AdamW's formulas in its order of
// operations. The step count lives on the host; the bias corrections enter the graph as 0-d Vars.
import { checkOptions, type OptionKeys, ArgumentError, type Var } from '@metaop/core';
import { add, div, maximum, mul, neg, sqrt } from '@metaop/ops';
import { Optimizer, type ParamGroup, type ParamsInput, type ParamState, type UpdateContext } from './optimizer.js';

export interface AdamOptions {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}
const adamKeys: OptionKeys<AdamOptions> = { lr: true, betas: true, eps: true, weightDecay: true, amsgrad: true, maximize: true };

function checkAdam(o: AdamOptions, op: string): void {
  if (!(o.lr >= 0)) throw new ArgumentError(`invalid learning rate ${o.lr}`, op);
  if (!(o.eps >= 0)) throw new ArgumentError(`invalid epsilon ${o.eps}`, op);
  o.betas.forEach((b, i) => {
    if (!(b >= 0 && b < 1)) throw new ArgumentError(`invalid beta parameter at index ${i}: ${b}`, op);
  });
  if (!(o.weightDecay >= 0)) throw new ArgumentError(`invalid weightDecay ${o.weightDecay}`, op);
}

/** The shared Adam update; `decoupled` selects AdamW's weight decay. */
function adamUpdate(p: Var, grad: Var, group: AdamOptions, state: ParamState, ctx: UpdateContext, decoupled: boolean, zeros: () => Var): void {
  const s = (role: string, v: number) => ctx.scalar(role, v, p.dtype);
  const [beta1, beta2] = group.betas;
  const step = ((state.step as number | undefined) ?? 0) + 1;
  state.step = step;
  const expAvg = (state.exp_avg as Var | undefined) ?? (state.exp_avg = zeros());
  const expAvgSq = (state.exp_avg_sq as Var | undefined) ?? (state.exp_avg_sq = zeros());

  let g = group.maximize ? neg(grad) : grad;
  let param = p;
  if (group.weightDecay !== 0) {
    if (decoupled) param = mul(p, s('decay', 1 - group.lr * group.weightDecay));
    else g = add(g, mul(p, s('weightDecay', group.weightDecay)));
  }
  const m = add(mul(expAvg, s('beta1', beta1)), mul(g, s('oneMinusBeta1', 1 - beta1)));
  const v = add(mul(expAvgSq, s('beta2', beta2)), mul(mul(g, s('oneMinusBeta2', 1 - beta2)), g));
  ctx.assign(expAvg, m);
  ctx.assign(expAvgSq, v);
  const biasCorrection1 = 1 - beta1 ** step;
  const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** step);
  let second = v;
  if (group.amsgrad) {
    const maxSq = (state.max_exp_avg_sq as Var | undefined) ?? (state.max_exp_avg_sq = zeros());
    second = maximum(maxSq, v);
    ctx.assign(maxSq, second);
  }
  const denom = add(div(sqrt(second), s('biasCorrection2Sqrt', biasCorrection2Sqrt)), s('eps', group.eps));
  ctx.assign(p, add(param, div(mul(m, s('negStepSize', -group.lr / biasCorrection1)), denom)));
}

/** Adam: L2 weight decay added to the gradient. */
export class Adam extends Optimizer<AdamOptions> {
  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    checkOptions(options, adamKeys, 'Adam');
    const defaults: AdamOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, ...options };
    checkAdam(defaults, 'Adam');
    super(params, defaults);
  }

  protected updateParameter(p: Var, grad: Var, group: ParamGroup<AdamOptions>, state: ParamState, ctx: UpdateContext): void {
    adamUpdate(p, grad, group, state, ctx, false, () => this.zerosLike(p));
  }
}

/** AdamW: decoupled weight decay p ← p·(1 - lr·weightDecay) before the Adam step (default 0.01). */
export class AdamW extends Optimizer<AdamOptions> {
  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    checkOptions(options, adamKeys, 'AdamW');
    const defaults: AdamOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false, ...options };
    checkAdam(defaults, 'AdamW');
    super(params, defaults);
  }

  protected updateParameter(p: Var, grad: Var, group: ParamGroup<AdamOptions>, state: ParamState, ctx: UpdateContext): void {
    adamUpdate(p, grad, group, state, ctx, true, () => this.zerosLike(p));
  }
}
