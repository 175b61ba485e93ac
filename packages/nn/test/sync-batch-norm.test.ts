// nn.SyncBatchNorm in one process: without data-parallel hooks it is BatchNorm (training, running
// statistics, eval); with hooks that simulate two ranks holding the same batch it equals BatchNorm
// on that batch twice over (so the statistics and their gradients really go through the hooks);
// convertSyncBatchnorm converts in place, keeping parameters, buffers and options.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { grad, mul, realize, sum, tanh, tensor, type Var } from '@metaop/ops';
import * as nn from '@metaop/nn';
import { useTestBackend } from './helpers.js';

beforeAll(useTestBackend);
afterEach(() => nn.setParallelHooks(null));

const C = 3;
const values = (n: number, k: number) => Array.from({ length: n * C * 4 }, (_, i) => Math.sin(1.3 * i + k) * (1 + (Math.floor(i / 4) % C)) + 0.2 * k);
const arr = (v: Var | null) => Array.from((v as Var).dataSync());

/** Two training steps on `n` samples; what a user would read back. */
function train(bn: nn.BatchNorm2d | nn.SyncBatchNorm, n: number, copies = 1) {
  bn.weight?.assign(tensor([1.2, 0.7, 1], [C]));
  bn.bias?.assign(tensor([0.1, -0.3, 0.25], [C]));
  return [0, 1].map((k) => {
    const one = values(n, k);
    const x = tensor(Array.from({ length: copies }, () => one).flat(), [n * copies, C, 2, 2]);
    const coef = tensor(Array.from({ length: copies }, () => one.map((_, i) => Math.cos(0.7 * i))).flat(), x.shape);
    const y = bn.forward(x);
    const [gx, gw, gb] = grad(sum(mul(tanh(y), coef)), [x, bn.weight as Var, bn.bias as Var]);
    realize([y, gx, gw, gb]);
    return { y: arr(y), gx: arr(gx), gw: arr(gw), gb: arr(gb), runningMean: arr(bn.runningMean), runningVar: arr(bn.runningVar) };
  });
}

/** Hooks of a world of two ranks in which the other rank has exactly this rank's values. */
function twinRanks(calls: { count: number }): nn.ParallelHooks {
  return {
    rank: 0,
    worldSize: 2,
    broadcastParameters() {},
    reduceGradients: (_p, grads) => [...grads],
    sumOverRanks(vars) {
      calls.count++;
      realize(vars);
      return vars.map((v) => tensor(arr(v).map((x) => 2 * x), v.shape, v.dtype));
    },
  };
}

function expectNear(a: number[], b: number[], tol: number): void {
  expect(a.length).toBe(b.length);
  a.forEach((x, i) => expect(Math.abs(x - b[i]), `element ${i}: ${x} vs ${b[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b[i]))));
}

describe('SyncBatchNorm', () => {
  it('in one process is BatchNorm2d: outputs, gradients, running statistics and eval', () => {
    const sync = new nn.SyncBatchNorm(C);
    const plain = new nn.BatchNorm2d(C);
    expect(train(sync, 4)).toEqual(train(plain, 4));
    const x = tensor(values(2, 5), [2, C, 2, 2]);
    expect(arr(sync.eval().forward(x))).toEqual(arr(plain.eval().forward(x)));
    expect(() => new nn.SyncBatchNorm(C).forward(tensor([1, 2, 3], [1, C]))).toThrow(/more than 1 value per channel/);
  });

  it('sums its statistics and their gradients over the ranks (two ranks with the same batch = BatchNorm on it twice)', () => {
    const calls = { count: 0 };
    nn.setParallelHooks(twinRanks(calls));
    const sync = train(new nn.SyncBatchNorm(C), 3);
    // Per step: sum and count, squared deviations, and in the backward the gradients of both.
    expect(calls.count).toBe(2 * 4);
    nn.setParallelHooks(null);
    const both = train(new nn.BatchNorm2d(C), 3, 2);
    const tol = 1e-5; // float32 on the compiled backends; far below the differences a missed hook makes
    sync.forEach((s, k) => {
      const b = both[k];
      const half = b.y.length / 2;
      expectNear(s.y, b.y.slice(0, half), tol);
      expectNear(s.gx, b.gx.slice(0, half), tol);
      // This rank's own weight gradient is half of the twice-over batch's.
      expectNear(s.gw.map((g) => 2 * g), b.gw, tol);
      expectNear(s.gb.map((g) => 2 * g), b.gb, tol);
      // The unbiased variance divides by the global count minus 1 (24 - 1), not this rank's (12 - 1).
      expectNear(s.runningMean, b.runningMean, tol);
      expectNear(s.runningVar, b.runningVar, tol);
    });
    // Eval mode without running statistics normalises with this rank's batch, as torch does.
    nn.setParallelHooks(twinRanks(calls));
    const x = tensor(values(2, 3), [2, C, 2, 2]);
    const evalSync = arr(new nn.SyncBatchNorm(C, { trackRunningStats: false }).eval().forward(x));
    expect(calls.count).toBe(8);
    nn.setParallelHooks(null);
    expect(evalSync).toEqual(arr(new nn.BatchNorm2d(C, { trackRunningStats: false }).eval().forward(x)));
    // A BatchNorm on the single copy has another running variance (n-1 differs): the check can fail.
    const alone = train(new nn.BatchNorm2d(C), 3);
    expect(Math.max(...alone[1].runningVar.map((v, i) => Math.abs(v - both[1].runningVar[i])))).toBeGreaterThan(1e-3);
  });

  it('convertSyncBatchnorm turns BatchNorm layers into SyncBatchNorm in place, keeping their state', () => {
    const inner = new nn.BatchNorm1d(4, { momentum: 0.3, eps: 1e-3 });
    const bn = new nn.BatchNorm2d(C);
    const net = new nn.Sequential(bn, new nn.ReLU(), new nn.Sequential(new nn.Flatten(), new nn.Linear(C * 4, 4), inner));
    net.forward(tensor(values(2, 0), [2, C, 2, 2]));
    const before = net.stateDict();
    const params = net.parameters();
    const x = tensor(values(2, 1), [2, C, 2, 2]);
    const evalBefore = arr(net.eval().forward(x));
    expect(nn.SyncBatchNorm.convertSyncBatchnorm(net)).toBe(net);
    expect(bn).toBeInstanceOf(nn.SyncBatchNorm);
    expect(inner).toBeInstanceOf(nn.SyncBatchNorm);
    expect(net.at(0)).toBe(bn);
    expect([inner.momentum, inner.eps]).toEqual([0.3, 1e-3]);
    expect(net.parameters()).toEqual(params);
    params.forEach((p, i) => expect(p).toBe(net.parameters()[i]));
    const after = net.stateDict();
    expect(Object.keys(after)).toEqual(Object.keys(before));
    for (const [k, v] of Object.entries(before)) expect(arr(after[k]), k).toEqual(arr(v));
    expect(arr(net.forward(x))).toEqual(evalBefore);
    // A BatchNorm module itself is converted too; a SyncBatchNorm stays as it is.
    const root = new nn.BatchNorm1d(2);
    expect(nn.SyncBatchNorm.convertSyncBatchnorm(root)).toBeInstanceOf(nn.SyncBatchNorm);
  });
});
