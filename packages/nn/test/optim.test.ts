// Optimizers and schedulers against PyTorch parameter trajectories, and the properties the
// compiler relies on: one realize() per step, and the same graph structure every step.
import { beforeAll, describe, expect, it } from 'vitest';
import { createReferenceBackend, crossEntropy, tensor, withBackend, type Var } from '@metaop/ops';
import { hostMemory, memory, opAttrsKey, registerBackend, type Backend, type Graph } from '@metaop/core';
import * as nn from '@metaop/nn';
import { expectClose, fixture, toVar, useTestBackend, type ArrayJson } from './helpers.js';

interface OptimCase {
  name: string;
  ts: {
    opt: 'SGD' | 'Adam' | 'AdamW';
    options: Record<string, unknown>;
    groups?: ({ params: string[] } & Record<string, unknown>)[];
    sched?: { cls: 'StepLR' | 'CosineAnnealingLR'; args: number[] };
    clip?: [number, number | 'inf'];
  };
  x: ArrayJson;
  y: ArrayJson;
  init: Record<string, ArrayJson>;
  trace: { loss: number; gradNorm: number | null; lr: number[]; params: Record<string, ArrayJson> }[];
}

const tinyModel = () => new nn.Sequential(new nn.Linear(4, 8), new nn.Tanh(), new nn.Linear(8, 3));

type AnyOptimizer = nn.SGD | nn.Adam | nn.AdamW;

function makeOptimizer(model: nn.Sequential, ts: OptimCase['ts']): AnyOptimizer {
  const named = Object.fromEntries(model.namedParameters());
  const params = ts.groups ? ts.groups.map(({ params: names, ...rest }) => ({ params: names.map((n) => named[n]), ...rest })) : model.parameters();
  const Cls = { SGD: nn.SGD, Adam: nn.Adam, AdamW: nn.AdamW }[ts.opt] as new (p: unknown, o: unknown) => AnyOptimizer;
  return new Cls(params, ts.options);
}

function makeScheduler(opt: AnyOptimizer, sched: OptimCase['ts']['sched']): nn.LRScheduler | undefined {
  if (!sched) return undefined;
  const o = opt as unknown as nn.LrOptimizer;
  return sched.cls === 'StepLR' ? new nn.StepLR(o, sched.args[0], sched.args[1]) : new nn.CosineAnnealingLR(o, sched.args[0], sched.args[1]);
}

const cases = fixture<{ cases: OptimCase[] }>('optim.json').cases;

describe('optimizers follow PyTorch trajectories', () => {
  beforeAll(useTestBackend);
  for (const c of cases) {
    it(c.name, () => {
      const model = tinyModel();
      model.loadStateDict(Object.fromEntries(Object.entries(c.init).map(([k, v]) => [k, toVar(v)])));
      const opt = makeOptimizer(model, c.ts);
      const sched = makeScheduler(opt, c.ts.sched);
      const x = toVar(c.x);
      const y = toVar(c.y);
      const params = model.parameters();
      c.trace.forEach((t, s) => {
        expect(opt.paramGroups.map((g) => g.lr), `step ${s} learning rates`).toEqual(t.lr.map((lr) => expect.closeTo(lr, 12)));
        const loss = crossEntropy(model.forward(x), y);
        const clip = c.ts.clip;
        const result = opt.step(loss, clip ? { maxGradNorm: clip[0], normType: clip[1] === 'inf' ? Infinity : clip[1] } : {});
        expect(result.loss.isRealized).toBe(true);
        expect(result.loss.item()).toBeCloseTo(t.loss, 5);
        if (t.gradNorm !== null) expect(result.gradNorm?.item()).toBeCloseTo(t.gradNorm, 5);
        for (const [name, p] of model.namedParameters()) expectClose(p, t.params[name], `${c.name} step ${s} ${name}`, 2e-5, 2e-6);
        sched?.step();
      });
      // Parameters were updated in place: same Vars, still leaves.
      expect(model.parameters()).toEqual(params);
      expect(params.every((p) => p.node === null && p.isRealized)).toBe(true);
    });
  }
});

/** A reference backend that records the structure of every graph it is asked to plan. */
function recordingBackend(): { backend: Backend; plans: string[] } {
  const inner = createReferenceBackend();
  const plans: string[] = [];
  const backend: Backend = {
    name: 'recording',
    label: 'recording (reference)',
    ...hostMemory(() => backend),
    plan(graph: Graph) {
      plans.push(structure(graph));
      return inner.plan(graph);
    },
  };
  return { backend, plans };
}

/** The graph with leaf identities and values left out: what a kernel cache would key on. */
function structure(graph: Graph): string {
  const ids = new Map<Var, string>();
  graph.leaves.forEach((v, i) => ids.set(v, `L${i}:${v.dtype}[${v.shape.join(',')}]`));
  graph.nodes.forEach((v, i) => ids.set(v, `N${i}`));
  const nodes = graph.nodes.map((v) => {
    const node = v.node as NonNullable<Var['node']>;
    return `${node.op}{${opAttrsKey(node)}}(${node.inputs.map((u) => ids.get(u)).join(',')})->${v.dtype}[${v.shape.join(',')}]`;
  });
  return `${nodes.join(';')}|${graph.outputs.map((o) => ids.get(o)).join(',')}`;
}

describe('one update graph per step', () => {
  const recorder = recordingBackend();
  registerBackend({ name: 'recording', priority: -1, available: () => true, create: () => recorder.backend });

  const train = (makeOpt: (m: nn.Module) => AnyOptimizer, steps: number, withSched = false) =>
    withBackend('recording', () => {
      const model = new nn.Sequential(new nn.Linear(4, 6), new nn.BatchNorm1d(6), new nn.ReLU(), new nn.Linear(6, 3));
      const opt = makeOpt(model);
      const sched = withSched ? new nn.CosineAnnealingLR(opt as unknown as nn.LrOptimizer, 4) : undefined;
      const x = tensor(Array.from({ length: 20 }, (_, i) => Math.cos(i)), [5, 4]);
      const y = tensor([0, 1, 2, 1, 0], [5], 'int32');
      recorder.plans.length = 0;
      for (let s = 0; s < steps; s++) {
        opt.step(crossEntropy(model.forward(x), y), { maxGradNorm: 1 });
        sched?.step();
      }
      return [...recorder.plans];
    });

  it('SGD with momentum: one realize per step and an identical graph from the first step on', () => {
    const plans = train((m) => new nn.SGD(m.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-4 }), 4, true);
    expect(plans.length).toBe(4);
    expect(new Set(plans).size).toBe(1);
  });

  it('Adam with a cosine schedule: bias corrections and learning rate change, the graph does not', () => {
    const plans = train((m) => new nn.Adam(m.parameters(), { lr: 0.01, amsgrad: true }), 4, true);
    expect(plans.length).toBe(4);
    expect(new Set(plans).size).toBe(1);
  });

  it('the step realizes BatchNorm running statistics together with the update', () => {
    withBackend('recording', () => {
      const bn = new nn.BatchNorm1d(2);
      const lin = new nn.Linear(3, 2);
      const model = new nn.Sequential(lin, bn);
      const opt = new nn.SGD(model.parameters(), { lr: 0.1 });
      recorder.plans.length = 0;
      const x = tensor([1, 2, 3, 4, 5, 7], [2, 3]);
      opt.step(model.forward(x).square().mean());
      expect(recorder.plans.length).toBe(1);
      const rm = bn.runningMean as Var;
      expect(recorder.plans.length).toBe(1); // reading the buffer needs no further realize
      expect(rm.dataSync().some((v) => v !== 0)).toBe(true);
      expect(bn.numBatchesTracked?.item()).toBe(1);
    });
  });
});

describe('optimizer API', () => {
  beforeAll(useTestBackend);

  it.each([
    ['SGD (momentum, nesterov, weight decay)', (m: nn.Module) => new nn.SGD(m.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-4 })],
    ['Adam (amsgrad)', (m: nn.Module) => new nn.Adam(m.parameters(), { lr: 0.01, amsgrad: true })],
    ['AdamW', (m: nn.Module) => new nn.AdamW(m.parameters(), { lr: 0.01 })],
  ])('%s: a step leaves no storage behind (no GC needed), with clipping and BatchNorm', (_name, makeOpt) => {
    const model = new nn.Sequential(new nn.Linear(4, 6), new nn.BatchNorm1d(6), new nn.ReLU(), new nn.Linear(6, 3));
    const opt = makeOpt(model);
    const step = () => {
      const x = tensor(Array.from({ length: 20 }, (_, i) => Math.cos(i)), [5, 4]);
      const y = tensor([0, 1, 2, 1, 0], [5], 'int32');
      const { loss, gradNorm } = opt.step(crossEntropy(model.forward(x), y), { maxGradNorm: 1 });
      loss.item();
      for (const v of [loss, gradNorm as Var, x, y]) v.dispose();
    };
    step(); // creates the optimizer state
    const after1 = memory();
    for (let i = 0; i < 3; i++) step();
    expect(memory().liveStorages).toBe(after1.liveStorages);
    expect(memory().liveBytes).toBe(after1.liveBytes);
  });

  it('applyGradients skips null gradients without touching state, and checks counts and shapes', () => {
    const a = tensor([1, 2]);
    const b = tensor([3]);
    const opt = new nn.SGD([a, b], { lr: 0.5, momentum: 0.9 });
    opt.applyGradients([tensor([1, 1]), null]);
    expect(Array.from(a.dataSync())).toEqual([0.5, 1.5]);
    expect(Array.from(b.dataSync())).toEqual([3]);
    expect(Object.keys(opt.stateDict().state)).toEqual(['0']);
    expect(() => opt.applyGradients([tensor([1, 1])])).toThrow(/got 1 gradients for 2 parameters/);
    expect(() => opt.applyGradients([tensor([1]), null])).toThrow(/shape \[1\] but its parameter is \[2\]/);
    expect(() => new nn.SGD([], { lr: 1 })).toThrow(/empty parameter list/);
    expect(() => new nn.SGD([a, a], { lr: 1 })).toThrow(/more than one group/);
    expect(() => new nn.SGD([a.add(1)], { lr: 1 })).toThrow(/realized leaf/);
    expect(() => new nn.SGD([a], { lr: 1, nesterov: true })).toThrow(/Nesterov/);
    expect(() => new nn.Adam([a], { betas: [1, 0.9] })).toThrow(/beta parameter at index 0/);
  });

  it('state dicts restore moments, step counts and hyper-parameters', () => {
    const run = (resumeAt?: number) => {
      const w = tensor([0.5, -1.5, 2]);
      let opt = new nn.Adam([w], { lr: 0.1 });
      const values: number[][] = [];
      for (let s = 0; s < 4; s++) {
        if (s === resumeAt) {
          const saved = opt.stateDict();
          opt = new nn.Adam([w], { lr: 0.7 });
          opt.loadStateDict(saved);
        }
        opt.step(w.square().sum());
        values.push(Array.from(w.dataSync()));
      }
      return { values, lr: opt.paramGroups[0].lr, step: opt.stateDict().state[0].step };
    };
    const straight = run();
    const resumed = run(2);
    expect(resumed).toEqual(straight);
    expect(straight.step).toBe(4);
    const opt = new nn.Adam([tensor([1, 2])]);
    expect(() => opt.loadStateDict({ state: {}, paramGroups: [] })).toThrow(/0 parameter groups/);
  });

  it('clipGradNorm scales to the max norm and leaves small gradients alone', () => {
    const g1 = tensor([3, 0]);
    const g2 = tensor([[0, 4]]);
    const clipped = nn.clipGradNorm([g1, g2], 1);
    expect(clipped.totalNorm.item()).toBeCloseTo(5, 6);
    expect(Array.from(clipped.grads[0].dataSync())).toEqual([expect.closeTo(0.6, 6), 0]);
    expect(Array.from(clipped.grads[1].dataSync())).toEqual([0, expect.closeTo(0.8, 6)]);
    const loose = nn.clipGradNorm([g1, g2], 10);
    expect(Array.from(loose.grads[1].dataSync())).toEqual([0, 4]);
    expect(nn.clipGradNorm([g1, g2], 1, Infinity).totalNorm.item()).toBe(4);
    expect(nn.clipGradNorm([g1, g2], 1, 1).totalNorm.item()).toBeCloseTo(7, 5);
  });

  it('StepLR and CosineAnnealingLR produce the documented schedules', () => {
    const opt = new nn.SGD([tensor([1])], { lr: 1 });
    const step = new nn.StepLR(opt, 2, 0.5);
    const lrs: number[] = [];
    for (let i = 0; i < 6; i++) {
      lrs.push(step.getLastLr()[0]);
      step.step();
    }
    expect(lrs).toEqual([1, 1, 0.5, 0.5, 0.25, 0.25]);
    const opt2 = new nn.SGD([tensor([1])], { lr: 2 });
    const cos = new nn.CosineAnnealingLR(opt2, 4, 0);
    const seen: number[] = [];
    for (let i = 0; i <= 8; i++) {
      seen.push(opt2.paramGroups[0].lr);
      cos.step();
    }
    // Closed form 0.5·2·(1 + cos(π t / 4)) for t = 0..8 (the recursive rule rises again after tMax).
    seen.forEach((lr, t) => expect(lr).toBeCloseTo(1 + Math.cos((Math.PI * t) / 4), 9));
  });
});
