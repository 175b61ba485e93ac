// Optimizer: parameter groups, per-parameter state, and one lazy update graph per step that is
// realized together with the loss (and pending BatchNorm statistics) in a single realize() call.
// Hyper-parameters enter the graph as 0-d leaf Vars, so the graph keeps its structure from step to
// step and a compiling backend reuses its kernels when the learning rate or bias corrections change.
import { checkOptions, type OptionKeys, ArgumentError, formatShape, isFloat, numberKey, shapesEqual, type DType, type Var } from '@metaop/core';
import { grad, noGrad, realize, tensor } from '@metaop/ops';
import { realizeWithPending } from '../pending.js';
import { clipGradNorm } from './clip.js';
import { parallelHooks } from '../parallel.js';

/** A group of parameters sharing hyper-parameters (PyTorch's param_groups). */
export type ParamGroup<H> = H & { params: Var[] };

/** Parameters, or groups of parameters each with optional overrides of the defaults. */
export type ParamsInput<H> = readonly Var[] | readonly ({ params: readonly Var[] } & Partial<H>)[];

/** Per-parameter optimizer state: tensors (momentum, moments) and numbers (step counts). */
export type ParamState = Record<string, Var | number>;

export type HyperValue = number | boolean | null | readonly number[];

export interface OptimizerStateDict {
  /** State by parameter position in `parameters()` order. */
  state: Record<number, ParamState>;
  /** Hyper-parameters of each group; `params` lists parameter positions. */
  paramGroups: ({ params: number[] } & Record<string, HyperValue>)[];
}

export interface StepOptions {
  /** Clip the gradients to this global norm before the update (clipGradNorm); under data parallelism, after averaging over the ranks. */
  maxGradNorm?: number;
  /** The norm used with maxGradNorm (default 2). */
  normType?: number;
}
const stepKeys: OptionKeys<StepOptions> = { maxGradNorm: true, normType: true };

export interface StepResult {
  /** The loss, realized. */
  loss: Var;
  /** The gradient norm before clipping (realized; of the rank-averaged gradient under data parallelism), when maxGradNorm was given. */
  gradNorm: Var | null;
}

export interface ApplyOptions {
  /** Further Vars to compute in the same realize() as the update, e.g. the loss or metrics. */
  realizeWith?: readonly Var[];
}
const applyKeys: OptionKeys<ApplyOptions> = { realizeWith: true };

/** Builds the lazy update of one parameter; collects `[target, newValue]` assignments. */
export interface UpdateContext {
  /**
   * A 0-d leaf holding `value` in `dtype`. One Var per (role, value) within a group and step, so the
   * graph has the same shape every step even when two roles happen to share a value.
   */
  scalar(role: string, value: number, dtype: DType): Var;
  /** Records that `target` (a parameter or a state Var) becomes `value` after the step. */
  assign(target: Var, value: Var): void;
}

export abstract class Optimizer<H extends object> {
  readonly defaults: Readonly<H>;
  readonly paramGroups: ParamGroup<H>[];
  protected readonly state = new Map<Var, ParamState>();

  constructor(params: ParamsInput<H>, defaults: H) {
    this.defaults = defaults;
    const name = this.constructor.name;
    if (params.length === 0) throw new ArgumentError('got an empty parameter list', name);
    const groups = (params as readonly unknown[]).every((p) => p !== null && typeof p === 'object' && 'params' in p)
      ? (params as readonly ({ params: readonly Var[] } & Partial<H>)[])
      : [{ params: params as readonly Var[] } as { params: readonly Var[] } & Partial<H>];
    const seen = new Set<Var>();
    // A group takes `params` and overrides of the defaults, nothing else.
    const groupKeys = Object.fromEntries(['params', ...Object.keys(defaults)].map((k) => [k, true])) as OptionKeys<{ params: unknown }>;
    this.paramGroups = groups.map((g) => {
      checkOptions(g, groupKeys, `${name} parameter group`);
      for (const p of g.params) {
        if (!isFloat(p.dtype)) throw new ArgumentError(`can only optimize float Vars, got ${p.describe()}`, name);
        if (seen.has(p)) throw new ArgumentError('a parameter appears in more than one group (or twice in one)', name);
        if (!p.isRealized || p.node !== null) {
          throw new ArgumentError(
            `parameters must be realized leaf Vars (like a Module's parameters), got ${p.toString()}; mark your own with nn.Parameter(x)`,
            name,
          );
        }
        seen.add(p);
      }
      return { ...defaults, ...g, params: [...g.params] } as ParamGroup<H>;
    });
    // Data parallel: every rank starts from rank 0's parameters.
    parallelHooks(name)?.broadcastParameters(this.parameters());
  }

  /** Every parameter, group by group: the order `applyGradients` expects its gradients in. */
  parameters(): Var[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /**
   * One training step: differentiates `loss` with respect to every parameter, optionally clips the
   * gradients, and applies the update. The loss, the update and any pending BatchNorm statistics
   * are computed in one realize() call; afterwards the parameters hold their new values.
   */
  step(loss: Var, options: StepOptions = {}): StepResult {
    checkOptions(options, stepKeys, `${this.constructor.name}.step`);
    const clip = options.maxGradNorm === undefined ? undefined : { maxNorm: options.maxGradNorm, normType: options.normType ?? 2 };
    const gradNorm = this.update(grad(loss, this.parameters()), [loss], clip);
    return { loss, gradNorm };
  }

  /**
   * Applies gradients given in `parameters()` order (null skips a parameter: no update, no state
   * change, as PyTorch does for a parameter whose .grad is None). Realizes everything at once.
   */
  applyGradients(grads: readonly (Var | null)[], options: ApplyOptions = {}): void {
    checkOptions(options, applyKeys, `${this.constructor.name}.applyGradients`);
    this.update(grads, options.realizeWith ?? []);
  }

  /**
   * The step shared by step() and applyGradients(): under data parallelism the gradients are first
   * averaged over the ranks, and only then clipped (PyTorch DDP's order: clip_grad_norm_ after
   * backward, whose hooks all-reduced), so every rank clips the same global gradient by the same
   * factor. Returns the norm before clipping when `clip` is given.
   */
  private update(grads: readonly (Var | null)[], realizeWith: readonly Var[], clip?: { maxNorm: number; normType: number }): Var | null {
    const params = this.parameters();
    const name = this.constructor.name;
    if (grads.length !== params.length) {
      throw new ArgumentError(`got ${grads.length} gradients for ${params.length} parameters; pass one per parameter (null to skip)`, name);
    }
    grads.forEach((g, i) => {
      if (g && !shapesEqual(g.shape, params[i].shape)) {
        throw new ArgumentError(`gradient ${i} has shape ${formatShape(g.shape)} but its parameter is ${formatShape(params[i].shape)}`, name);
      }
    });
    // Data parallel: the gradients become the mean over every rank (the loss is realized on the way).
    const parallel = parallelHooks(name);
    if (parallel) {
      let first = true;
      grads = parallel.reduceGradients(params, grads, (vars) => {
        if (first) realizeWithPending([...realizeWith, ...vars]);
        else realize(vars);
        first = false;
      });
    }
    let gradNorm: Var | null = null;
    if (clip) {
      const present = grads.filter((g): g is Var => g !== null);
      const clipped = clipGradNorm(present, clip.maxNorm, clip.normType);
      let k = 0;
      grads = grads.map((g) => (g === null ? null : clipped.grads[k++]));
      gradNorm = clipped.totalNorm;
    }
    const assignments: [Var, Var][] = [];
    const scalars = new Map<string, Var>();
    let groupIndex = 0;
    const ctx: UpdateContext = {
      scalar(role, value, dtype) {
        const key = `${groupIndex}:${role}:${dtype}:${numberKey(value)}`;
        let v = scalars.get(key);
        if (!v) {
          v = tensor(value, [], dtype);
          scalars.set(key, v);
        }
        return v;
      },
      assign(target, value) {
        assignments.push([target, value]);
      },
    };
    noGrad(() => {
      let k = 0;
      for (const [gi, group] of this.paramGroups.entries()) {
        groupIndex = gi;
        for (const p of group.params) {
          const g = grads[k++];
          if (g === null) continue;
          let state = this.state.get(p);
          if (!state) {
            state = {};
            this.state.set(p, state);
          }
          this.updateParameter(p, g.dtype === p.dtype ? g : g.cast(p.dtype), group, state, ctx);
        }
      }
    });
    try {
      const extra = gradNorm ? [gradNorm] : [];
      realizeWithPending(parallel ? extra : [...realizeWith, ...extra], assignments);
    } finally {
      // The 0-d hyper-parameter leaves are this step's own: free them now rather than leave them
      // to the GC backstop, whose callbacks never run while a synchronous training loop holds the thread.
      for (const v of scalars.values()) v.dispose();
    }
    return gradNorm;
  }

  /** Builds the new value of `param` (and of its state) from its gradient, through ctx.assign. */
  protected abstract updateParameter(param: Var, grad: Var, group: ParamGroup<H>, state: ParamState, ctx: UpdateContext): void;

  /** A realized zero leaf shaped like `param`, for new state. */
  protected zerosLike(param: Var): Var {
    return noGrad(() => tensor(param.dtype === 'float64' ? new Float64Array(param.numel) : new Float32Array(param.numel), param.shape, param.dtype));
  }

  /** Hyper-parameters and state by parameter position; tensors are the optimizer's own Vars. */
  stateDict(): OptimizerStateDict {
    const index = new Map(this.parameters().map((p, i) => [p, i]));
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) state[index.get(p) as number] = { ...s };
    let k = 0;
    const paramGroups = this.paramGroups.map((g) => {
      const { params, ...hyper } = g;
      return { ...(hyper as Record<string, HyperValue>), params: params.map(() => k++) };
    });
    return { state, paramGroups };
  }

  /** Throws an ArgumentError if `dict` does not fit this optimizer's groups and parameters. */
  checkStateDict(dict: OptimizerStateDict): void {
    const name = this.constructor.name;
    if (dict.paramGroups.length !== this.paramGroups.length) {
      throw new ArgumentError(`the saved state has ${dict.paramGroups.length} parameter groups, this optimizer has ${this.paramGroups.length}`, name);
    }
    dict.paramGroups.forEach((g, i) => {
      if (g.params.length !== this.paramGroups[i].params.length) {
        throw new ArgumentError(`saved group ${i} has ${g.params.length} parameters, this optimizer's has ${this.paramGroups[i].params.length}`, name);
      }
    });
    const params = this.parameters();
    for (const [i, s] of Object.entries(dict.state)) {
      const p = params[Number(i)];
      if (!p) throw new ArgumentError(`saved state for parameter ${i}, but there are only ${params.length}`, name);
      for (const [key, v] of Object.entries(s)) {
        if (typeof v !== 'number' && !shapesEqual(v.shape, p.shape)) {
          throw new ArgumentError(`saved ${key} of parameter ${i} has shape ${formatShape(v.shape)}, the parameter is ${formatShape(p.shape)}`, name);
        }
      }
    }
  }

  /** Restores hyper-parameters and state saved by stateDict() (copies of its tensors); checks first, so a bad dict changes nothing. */
  loadStateDict(dict: OptimizerStateDict): void {
    this.checkStateDict(dict);
    const params = this.parameters();
    this.state.clear();
    for (const [i, s] of Object.entries(dict.state)) {
      const p = params[Number(i)];
      const copy: ParamState = {};
      for (const [key, v] of Object.entries(s)) {
        copy[key] = typeof v === 'number' ? v : noGrad(() => this.zerosLike(p).assign(v.cast(p.dtype)));
      }
      this.state.set(p, copy);
    }
    dict.paramGroups.forEach((g, i) => {
      const { params: _params, ...hyper } = g;
      Object.assign(this.paramGroups[i], hyper);
    });
  }
}
