// Checkpoints: saving mid-run and resuming in fresh objects continues training exactly as an
// uninterrupted run does (model, BatchNorm buffers, optimizer moments, step counts, schedule).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy, manualSeed, rand, randomState, tensor, type Var } from '@metaop/ops';
import * as nn from '@metaop/nn';
import { useTestBackend } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'metaop-checkpoint-'));
beforeAll(useTestBackend);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const model = () => new nn.Sequential(new nn.Linear(3, 5), new nn.BatchNorm1d(5), new nn.ReLU(), new nn.Linear(5, 2));
const x = () => tensor(Array.from({ length: 24 }, (_, i) => Math.sin(i * 1.7)), [8, 3]);
const y = () => tensor([0, 1, 1, 0, 1, 0, 0, 1], [8], 'int32');

interface Run {
  net: nn.Sequential;
  opt: nn.SGD | nn.Adam;
  sched: nn.LRScheduler;
}

function setup(seed: number, kind: 'sgd' | 'adam'): Run {
  manualSeed(seed);
  const net = model();
  const opt = kind === 'sgd' ? new nn.SGD(net.parameters(), { lr: 0.1, momentum: 0.9, weightDecay: 1e-3 }) : new nn.Adam(net.parameters(), { lr: 0.05, amsgrad: true });
  const sched = kind === 'sgd' ? new nn.StepLR(opt, 2, 0.5) : new nn.CosineAnnealingLR(opt, 5);
  return { net, opt, sched };
}

function train(run: Run, steps: number): void {
  for (let s = 0; s < steps; s++) {
    run.opt.step(crossEntropy(run.net.forward(x()), y()));
    run.sched.step();
  }
}

const snapshot = (net: nn.Module) => Object.fromEntries(Object.entries(net.stateDict()).map(([k, v]: [string, Var]) => [k, Array.from(v.dataSync())]));

describe('checkpoints', () => {
  for (const kind of ['sgd', 'adam'] as const) {
    it(`resuming ${kind} from a checkpoint matches an uninterrupted run exactly`, () => {
      const straight = setup(1, kind);
      train(straight, 6);

      const first = setup(1, kind);
      train(first, 3);
      const path = join(dir, `${kind}.ckpt.safetensors`);
      nn.saveCheckpoint(path, { model: first.net, optimizer: first.opt, scheduler: first.sched, step: 3, epoch: 1, metadata: { note: 'halfway', losses: [1, 2] } });

      const resumed = setup(99, kind); // different initial weights, fresh optimizer state
      const info = nn.loadCheckpoint(path, { model: resumed.net, optimizer: resumed.opt, scheduler: resumed.sched });
      expect(info).toEqual({ step: 3, epoch: 1, metadata: { note: 'halfway', losses: [1, 2] } });
      expect(resumed.opt.paramGroups[0].lr).toBe(first.opt.paramGroups[0].lr);
      train(resumed, 3);

      expect(snapshot(resumed.net)).toEqual(snapshot(straight.net));
      expect(resumed.opt.paramGroups[0].lr).toBe(straight.opt.paramGroups[0].lr);
      expect(resumed.sched.lastEpoch).toBe(straight.sched.lastEpoch);
    });
  }

  it('restores the global random stream, so dropout masks after a resume match an uninterrupted run', () => {
    const run = setup(1, 'sgd');
    manualSeed(5);
    rand([10]);
    const path = join(dir, 'random.ckpt.safetensors');
    nn.saveCheckpoint(path, { model: run.net });
    const expected = Array.from(rand([6]).dataSync());
    manualSeed(123); // a fresh process would start elsewhere
    nn.loadCheckpoint(path, { model: run.net });
    expect(Array.from(rand([6]).dataSync())).toEqual(expected);
    expect(randomState()).toEqual({ seed: 5, offset: 16 });
  });

  it('refuses a mismatched optimizer or a plain safetensors file without changing the model', () => {
    const run = setup(1, 'sgd');
    train(run, 1);
    const path = join(dir, 'sgd-only.safetensors');
    nn.saveCheckpoint(path, { model: run.net, optimizer: run.opt });
    const other = setup(2, 'adam');
    const before = snapshot(other.net);
    expect(() => nn.loadCheckpoint(path, { model: other.net, optimizer: other.opt })).toThrow(/holds SGD state, not Adam state/);
    expect(() => nn.loadCheckpoint(path, { model: other.net, scheduler: other.sched })).toThrow(/no scheduler state/);
    expect(snapshot(other.net)).toEqual(before);
    const plain = join(dir, 'plain.safetensors');
    nn.saveSafetensorsSync(plain, run.net.stateDict());
    expect(() => nn.loadCheckpoint(plain, { model: other.net })).toThrow(/not a MetaOp checkpoint/);
    const info = nn.loadCheckpoint(path, { model: other.net });
    expect(info.step).toBe(0);
    expect(snapshot(other.net)).toEqual(snapshot(run.net));
  });
});
