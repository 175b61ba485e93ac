// Out-of-range indices raise IndexError at the realize that reads them, on every backend, as
// PyTorch raises; in-range ones give the values they always gave. The checks run inside the plan
// and are read back once, so nothing computed through a bad index stays readable.
import { describe, expect, it } from 'vitest';
import { IndexError, type Var } from '@metaop/core';
import * as M from '@metaop/ops';

const backends = ['reference', 'js', 'c', 'bang'];
const int = (values: number[], shape = [values.length]) => M.tensor(values, shape, 'int32');

/** Runs `fn` expecting an IndexError whose fields and message name op, value, dim and size. */
function expectIndexError(fn: () => unknown, op: string, value: number, dim: number, size: number): IndexError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(IndexError);
  const e = caught as IndexError;
  expect({ op: e.op, value: e.value, dim: e.dim, size: e.size }).toEqual({ op, value, dim, size });
  expect(e.message).toContain(`${op}: `);
  expect(e.message).toContain(` ${value} is out of bounds for dim ${dim} with size ${size}`);
  return e;
}

// PyTorch 2 (F.cross_entropy, float64) on the logits below with targets [1, -100, 9, 3].
const torchCrossEntropy = {
  mean: 2.675102864445579,
  sum: 8.025308593336737,
  weighted: 2.800769741525122,
  smoothing: 2.6546861977789122,
  none: [2.932831473556538, 0, 3.3474578271871023, 1.7450192925930967],
  /** Targets [1, 0, 9, 0] with ignoreIndex 0. */
  ignoreZero: 3.1401446503718202,
};
const logitValues = Array.from({ length: 40 }, (_, k) => ((k * 37) % 17) / 8 - 1);
const classWeights = Array.from({ length: 10 }, (_, j) => 0.5 + 0.1 * j);

for (const backend of backends) {
  const on = <T>(fn: () => T) => M.withBackend(backend, fn);

  describe(`index bounds on ${backend}`, () => {
    it('gather: too large and negative indices raise, valid ones read', () =>
      on(() => {
        const x = M.tensor([[1, 2], [3, 4]]);
        expect(M.gather(x, 1, int([0, 1, 1, 0], [2, 2])).arraySync()).toEqual([[1, 2], [4, 3]]);
        expectIndexError(() => M.gather(x, 1, int([0, 9, 1, 0], [2, 2])).dataSync(), 'gather', 9, 1, 2);
        expectIndexError(() => M.gather(x, -1, int([0, 1, -1, 0], [2, 2])).dataSync(), 'gather', -1, 1, 2);
        expectIndexError(() => M.gather(x, 0, int([2, 0], [1, 2])).dataSync(), 'gather', 2, 0, 2);
      }));

    it('indexSelect', () =>
      on(() => {
        const x = M.tensor([[1, 2], [3, 4], [5, 6]]);
        expect(M.indexSelect(x, 0, int([2, 0])).arraySync()).toEqual([[5, 6], [1, 2]]);
        expectIndexError(() => M.indexSelect(x, 0, int([0, 7])).dataSync(), 'indexSelect', 7, 0, 3);
        expectIndexError(() => M.indexSelect(x, 1, int([-3])).dataSync(), 'indexSelect', -3, 1, 2);
        expectIndexError(() => M.indexSelect(x, 1, int([2])).dataSync(), 'indexSelect', 2, 1, 2);
      }));

    it('scatterAdd', () =>
      on(() => {
        const x = M.zeros([3, 2]);
        const src = M.ones([1, 2]);
        expect(M.scatterAdd(x, 0, int([0, 2], [1, 2]), src).arraySync()).toEqual([[1, 0], [0, 0], [0, 1]]);
        expectIndexError(() => M.scatterAdd(x, 0, int([0, 3], [1, 2]), src).dataSync(), 'scatterAdd', 3, 0, 3);
        expectIndexError(() => M.scatterAdd(x, 0, int([-1, 0], [1, 2]), src).dataSync(), 'scatterAdd', -1, 0, 3);
      }));

    it('oneHot: the new last dim', () =>
      on(() => {
        expect(M.oneHot(int([1, 4]), 5).arraySync()).toEqual([[0, 1, 0, 0, 0], [0, 0, 0, 0, 1]]);
        expectIndexError(() => M.oneHot(int([1, 5]), 5).dataSync(), 'oneHot', 5, 1, 5);
        expectIndexError(() => M.oneHot(int([1, -2], [1, 2]), 5).dataSync(), 'oneHot', -2, 2, 5);
      }));

    it('embedding', () =>
      on(() => {
        const w = M.reshape(M.arange(0, 40), [10, 4]);
        expect(M.embedding(int([9, 0]), w).arraySync()).toEqual([[36, 37, 38, 39], [0, 1, 2, 3]]);
        expectIndexError(() => M.embedding(int([1, 12]), w).dataSync(), 'embedding', 12, 0, 10);
        expectIndexError(() => M.embedding(int([-1, 2], [2, 1]), w).dataSync(), 'embedding', -1, 0, 10);
      }));

    it('crossEntropy and nllLoss: out-of-range targets raise, ignoreIndex targets are skipped as PyTorch does', () =>
      on(() => {
        const logits = M.tensor(logitValues, [4, 10]);
        expectIndexError(() => M.crossEntropy(logits, int([1, 2, 10, 3])).item(), 'crossEntropy', 10, 1, 10);
        const e = expectIndexError(() => M.crossEntropy(logits, int([1, 2, -1, 3])).item(), 'crossEntropy', -1, 1, 10);
        expect(e.message).toContain('target -1');
        expect(e.message).toContain('ignoreIndex -100');
        expectIndexError(() => M.nllLoss(M.logSoftmax(logits, 1), int([1, 2, 3, 11])).item(), 'nllLoss', 11, 1, 10);
        // -100 is only skipped while it is the ignoreIndex.
        expectIndexError(() => M.crossEntropy(logits, int([1, -100, 9, 3]), { ignoreIndex: 0 }).item(), 'crossEntropy', -100, 1, 10);
        expectIndexError(() => M.crossEntropy(logits, int([1, 2, 3, 10]), { labelSmoothing: 0.1 }).item(), 'crossEntropy', 10, 1, 10);

        const t = int([1, -100, 9, 3]);
        const close = (v: Var, want: number) => expect(v.item()).toBeCloseTo(want, 5);
        close(M.crossEntropy(logits, t), torchCrossEntropy.mean);
        close(M.crossEntropy(logits, t, { reduction: 'sum' }), torchCrossEntropy.sum);
        close(M.crossEntropy(logits, t, { weight: M.tensor(classWeights) }), torchCrossEntropy.weighted);
        close(M.crossEntropy(logits, t, { labelSmoothing: 0.1 }), torchCrossEntropy.smoothing);
        close(M.nllLoss(M.logSoftmax(logits, 1), t), torchCrossEntropy.mean);
        close(M.crossEntropy(logits, int([1, 0, 9, 0]), { ignoreIndex: 0 }), torchCrossEntropy.ignoreZero);
        const none = Array.from(M.crossEntropy(logits, t, { reduction: 'none' }).dataSync());
        none.forEach((v, k) => expect(v).toBeCloseTo(torchCrossEntropy.none[k], 5));
        // Every target ignored: 0/0, as PyTorch.
        expect(M.crossEntropy(logits, int([-100, -100, -100, -100])).item()).toBeNaN();
      }));

    it('reports the int32 extremes exactly, passes empty indices, and checks several guards in one plan', () =>
      on(() => {
        const x = M.tensor([[1, 2], [3, 4], [5, 6]]);
        expectIndexError(() => M.indexSelect(x, 0, int([0, 2147483647])).dataSync(), 'indexSelect', 2147483647, 0, 3);
        expectIndexError(() => M.indexSelect(x, 0, int([-2147483648, 1])).dataSync(), 'indexSelect', -2147483648, 0, 3);
        // Too large and negative in one tensor: the too-large value is named, as before.
        expectIndexError(() => M.indexSelect(x, 0, int([-5, 9])).dataSync(), 'indexSelect', 9, 0, 3);
        expect(M.indexSelect(x, 0, int([])).shape).toEqual([0, 2]);
        expect(Array.from(M.indexSelect(x, 0, int([])).dataSync())).toEqual([]);
        // Two guarded reads in one plan: each check is named by its own op and size.
        const two = (a: number[], b: number[]) => M.add(M.sum(M.indexSelect(x, 0, int(a))), M.sum(M.gather(x, 1, int(b, [1, b.length]))));
        expect(two([2, 0], [1, 0]).item()).toBe(5 + 6 + 1 + 2 + 2 + 1);
        expectIndexError(() => two([2, 0], [1, 4]).item(), 'gather', 4, 1, 2);
        expectIndexError(() => two([3, 0], [1, 0]).item(), 'indexSelect', 3, 0, 3);
        expectIndexError(() => two([0, 0], [-2, 0]).item(), 'gather', -2, 1, 2);
      }));

    it('guards the backward graph: the gradient of gather is a scatter through the same index', () =>
      on(() => {
        const x = M.tensor([[1, 2], [3, 4]]);
        const y = M.gather(x, 1, int([0, 5, 1, 0], [2, 2]));
        const [gx] = M.grad(M.sum(y), [x]);
        expectIndexError(() => gx.dataSync(), 'gather', 5, 1, 2);
        const logits = M.tensor(logitValues, [4, 10]);
        const [gl] = M.grad(M.crossEntropy(logits, int([1, 2, 3, 10])), [logits]);
        expectIndexError(() => gl.dataSync(), 'crossEntropy', 10, 1, 10);
        const [ok] = M.grad(M.sum(M.gather(x, 1, int([1, 1, 0, 0], [2, 2]))), [x]);
        expect(ok.arraySync()).toEqual([[0, 2], [2, 0]]);
      }));

    it('a tidy whose lazy result fails its check frees everything it made and rethrows', () =>
      on(() => {
        const x = M.tensor([[1, 2], [3, 4], [5, 6]]);
        const before = M.memory();
        let made: Var[] = [];
        expect(() =>
          M.tidy(() => {
            const scaled = M.mul(x, 2).realize();
            const idx = int([0, 7]);
            made = [scaled, idx];
            return M.indexSelect(scaled, 0, idx);
          }),
        ).toThrow(IndexError);
        for (const v of made) expect(v.isDisposed).toBe(true);
        expect(M.memory().liveBytes).toBe(before.liveBytes);
        expect(M.memory().liveStorages).toBe(before.liveStorages);
      }));

    it('leaves nothing computed readable after the error, and nothing allocated', () =>
      on(() => {
        const x = M.tensor([[1, 2], [3, 4], [5, 6]]);
        const idx = int([0, 7]);
        const before = M.memory();
        const fine = M.mul(x, 2);
        const bad = M.indexSelect(x, 0, idx);
        const alsoBad = M.add(bad, 1);
        expect(() => M.realize([fine, bad, alsoBad])).toThrow(IndexError);
        for (const v of [fine, bad, alsoBad]) expect(v.isRealized).toBe(false);
        expect(M.memory().liveBytes).toBe(before.liveBytes);
        expect(M.memory().liveStorages).toBe(before.liveStorages);
        // Reading again recomputes and raises again, never returning the fill values.
        expect(() => alsoBad.dataSync()).toThrow(IndexError);
        expect(fine.arraySync()).toEqual([[2, 4], [6, 8], [10, 12]]);
        fine.dispose();
        // Valid guarded realizes free their checks too.
        for (let k = 0; k < 5; k++) {
          const i = int([k % 3]);
          const v = M.indexSelect(x, 0, i).realize();
          v.dispose();
          i.dispose();
        }
        expect(M.memory().liveBytes).toBe(before.liveBytes);
      }));

    it('checks every guard of a plan in one realize, reporting the failing one', () =>
      on(() => {
        const x = M.tensor([[1, 2], [3, 4], [5, 6]]);
        const a = M.indexSelect(x, 0, int([0, 2]));
        const b = M.gather(x, 1, int([0, 1, 1, 0, 4, 0], [3, 2]));
        const c = M.oneHot(int([0, 1]), 3);
        expectIndexError(() => M.realize([a, b, c]), 'gather', 4, 1, 2);
        expect(M.add(M.sum(a), M.sum(M.cast(c, 'float32'))).item()).toBe(16);
      }));

    it('raises at construction in eager mode', () =>
      on(() => {
        const saved = M.flags.eager;
        M.flags.eager = true;
        try {
          const x = M.tensor([[1, 2], [3, 4], [5, 6]]);
          expect(M.indexSelect(x, 0, int([1])).arraySync()).toEqual([[3, 4]]);
          expectIndexError(() => M.indexSelect(x, 0, int([3])), 'indexSelect', 3, 0, 3);
        } finally {
          M.flags.eager = saved;
        }
      }));

    it('keeps the meta-ops fill semantics for users who ask for them', () =>
      on(() => {
        const x = M.tensor([[1, 2], [3, 4]]);
        expect(M.gatherMeta(x, 1, int([0, 9, 1, 0], [2, 2])).arraySync()).toEqual([[1, 0], [4, 3]]);
        expect(M.scatter(M.ones([1, 2]), 0, int([0, 5], [1, 2]), [2, 2], 'add').arraySync()).toEqual([[1, 0], [0, 0]]);
      }));
  });
}
