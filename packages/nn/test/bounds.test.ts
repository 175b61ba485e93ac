// nn.Embedding and the losses raise IndexError for ids and targets outside their range, on every
// backend; an optimizer step with a bad target updates nothing; the guards' checks keep the plan
// cache hit in a training loop. (That guards free their checks is asserted in ops/test/bounds.test.ts;
// live bytes are not compared here because the optimizers' per-step scalars wait for the GC.)
import { describe, expect, it } from 'vitest';
import { IndexError, type Var } from '@metaop/core';
import { crossEntropy, getBackend, manualSeed, tensor, withBackend } from '@metaop/ops';
import * as nn from '@metaop/nn';

const int = (values: number[], shape = [values.length]) => tensor(values, shape, 'int32');

interface PlanStats {
  kernelsCompiled: number;
  planHits: number;
}

class Model extends nn.Module {
  readonly emb = this.registerModule('emb', new nn.Embedding(10, 4));
  readonly fc = this.registerModule('fc', new nn.Linear(4, 5));
  forward(ids: Var): Var {
    return this.fc.forward(this.emb.forward(ids));
  }
}

const snapshot = (m: nn.Module) => m.parameters().map((p) => Array.from(p.dataSync()));

for (const backend of ['reference', 'js', 'c', 'bang']) {
  const on = <T>(fn: () => T) => withBackend(backend, fn);

  describe(`nn index bounds on ${backend}`, () => {
    it('Embedding: an id outside the table raises naming the value, dim and size', () =>
      on(() => {
        const e = new nn.Embedding(10, 4);
        expect(e.forward(int([1, 9])).shape).toEqual([2, 4]);
        expect(() => e.forward(int([1, 12])).dataSync()).toThrow(IndexError);
        expect(() => e.forward(int([1, 12])).dataSync()).toThrow(/embedding: index 12 is out of bounds for dim 0 with size 10/);
        expect(() => e.forward(int([-1, 0], [1, 2])).dataSync()).toThrow(/index -1 is out of bounds for dim 0 with size 10/);
        const padded = new nn.Embedding(10, 4, { paddingIdx: 0 });
        expect(Array.from(padded.forward(int([0])).dataSync())).toEqual([0, 0, 0, 0]);
        expect(() => padded.forward(int([10])).dataSync()).toThrow(IndexError);
      }));

    it('CrossEntropyLoss and NLLLoss modules: bad targets raise, ignoreIndex targets are skipped', () =>
      on(() => {
        const logits = tensor(Array.from({ length: 8 }, (_, k) => k / 4), [2, 4]);
        expect(() => new nn.CrossEntropyLoss().forward(logits, int([0, 4])).item()).toThrow(/crossEntropy: target 4 is out of bounds for dim 1 with size 4/);
        expect(() => new nn.NLLLoss().forward(logits, int([-1, 0])).item()).toThrow(/nllLoss: target -1 is out of bounds/);
        const skipped = new nn.CrossEntropyLoss({ ignoreIndex: 7 }).forward(logits, int([7, 2])).item();
        const alone = new nn.CrossEntropyLoss().forward(logits.at(1), int([2], [])).item();
        expect(skipped).toBeCloseTo(alone, 6);
      }));

    it('an optimizer step with a bad target raises and updates no parameter', () =>
      on(() => {
        manualSeed(3);
        const model = new Model();
        const opt = new nn.SGD(model.parameters(), { lr: 0.5 });
        const before = snapshot(model);
        expect(() => opt.step(crossEntropy(model.forward(int([1, 2, 3])), int([0, 5, 1])))).toThrow(IndexError);
        expect(() => opt.step(crossEntropy(model.forward(int([1, 20, 3])), int([0, 4, 1])))).toThrow(IndexError);
        expect(snapshot(model)).toEqual(before);
        opt.step(crossEntropy(model.forward(int([1, 2, 3])), int([0, 4, 1])));
        expect(snapshot(model)).not.toEqual(before);
      }));
  });
}

for (const backend of ['js', 'c', 'bang']) {
  describe(`guards in a training loop on ${backend}`, () => {
    it('compile nothing after the first step and hit the plan cache every step', () =>
      withBackend(backend, () => {
        manualSeed(1);
        const model = new Model();
        const opt = new nn.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
        const stats = () => (getBackend() as unknown as { stats(): PlanStats }).stats();
        const step = (k: number) => {
          const ids = int([k % 10, (k + 3) % 10, (k + 7) % 10, 9]);
          const target = int([k % 5, 4, -100, (k + 1) % 5]);
          const { loss } = opt.step(crossEntropy(model.forward(ids), target));
          const value = loss.item();
          for (const v of [loss, ids, target]) v.dispose();
          return value;
        };
        step(0);
        const first = stats();
        const losses = Array.from({ length: 6 }, (_, k) => step(k + 1));
        const after = stats();
        expect(losses.every(Number.isFinite)).toBe(true);
        expect(after.kernelsCompiled).toBe(first.kernelsCompiled);
        // One plan per step (loss, update and guard checks in one realize), every one a hit.
        expect(after.planHits - first.planHits).toBe(6);
      }));
  });
}
