// Anomaly mode (flags.checkNan): the first op that produced NaN or ±Inf is named, with the line of
// this file that built it, on every backend (c, js, bang and the reference oracle); fused kernels
// are re-run op by op to find it. Off, nothing is checked and no construction stack is recorded.
import { beforeAll, describe, expect, it } from 'vitest';
import { AnomalyError, flagScope, flags, userFrame, type Var } from '@metaop/core';
import * as M from '@metaop/ops';
import type { CompiledBackend } from '@metaop/compiler';
import '@metaop/backend-c';

const backends = ['c', 'js', 'bang', 'reference'] as const;
const thisFile = 'anomaly.test.ts';

beforeAll(async () => {
  // Not dependencies of backend-c: loaded by name, as the other packages' tests do.
  for (const name of ['js', 'bang']) await import(/* @vite-ignore */ `@metaop/backend-${name}`);
});

/** Runs fn with anomaly mode on (graph built inside, so construction sites are recorded) and returns its error. */
function anomalyOf(fn: () => Var): AnomalyError {
  let caught: unknown;
  flagScope({ checkNan: true }, () => {
    try {
      fn().realize();
    } catch (e) {
      caught = e;
    }
  });
  expect(caught).toBeInstanceOf(AnomalyError);
  return caught as AnomalyError;
}

/** The line in this file of the call that contains `marker`. */
function lineOf(marker: string): number {
  const source = (globalThis as { __anomalySource?: string }).__anomalySource as string;
  return source.split('\n').findIndex((l) => l.includes(marker)) + 1;
}

beforeAll(async () => {
  const { readFileSync } = await import('node:fs');
  (globalThis as { __anomalySource?: string }).__anomalySource = readFileSync(new URL(import.meta.url), 'utf8');
});

describe.each(backends)('anomaly mode on %s', (backend) => {
  beforeAll(() => {
    M.setBackend(backend);
  });

  it('names log, inside a fused chain, and the line that built it', () => {
    const x = M.tensor([1, -2, 3, 4]);
    const err = anomalyOf(() => {
      const y = x.mul(2).add(1);
      const z = y.log(); // MARK:log
      return z.mul(3).exp().sum();
    });
    expect(err.details.op).toBe('log');
    expect(Number.isNaN(err.details.value)).toBe(true);
    expect(err.details.index).toBe(1);
    expect(err.details.shape).toEqual([4]);
    expect(err.details.userFrame).toContain(`${thisFile}:${lineOf('MARK:log')}:`);
    expect(err.message).toMatch(/^log: \(unary\) produced NaN at element 1 of its float32\[4\] output/);
    expect(err.message).toContain(`${thisFile}:${lineOf('MARK:log')}`);
  });

  it('names div for 1/0 = Infinity, in a kernel after a reduction', () => {
    const x = M.tensor([[1, -1], [2, 3]]);
    const err = anomalyOf(() => {
      const s = x.sum(1);
      return M.div(1, s).add(1); // MARK:div
    });
    expect(err.details.op).toBe('div');
    expect(err.details.value).toBe(Infinity);
    expect(err.details.index).toBe(0);
    expect(err.details.userFrame).toContain(`${thisFile}:${lineOf('MARK:div')}:`);
  });

  it('names the op of a gradient graph (sqrt at 0: its derivative is Infinity)', () => {
    const w = M.tensor([0, 4]);
    const err = anomalyOf(() => {
      const [g] = M.grad(M.sqrt(w).sum(), [w]); // MARK:grad
      return g;
    });
    expect(err.details.op).toBe('div');
    expect(err.details.userFrame).toContain(`${thisFile}:${lineOf('MARK:grad')}:`);
  });

  it('leaves intentional infinities alone: -Infinity padding of max pooling, a -Infinity mask', () => {
    const x = M.tensor([[[[1, -2, 3], [4, 5, -6], [7, 8, 9]]]]);
    flagScope({ checkNan: true }, () => {
      expect(M.maxPool2d(x, 2, { padding: 1 }).dataSync().every(Number.isFinite)).toBe(true);
      const masked = M.where(M.tensor([true, false, true], [3], 'bool'), M.tensor([1, 2, 3]), -Infinity);
      expect(M.softmax(masked, 0).dataSync().every(Number.isFinite)).toBe(true);
    });
  });

  it('is off by default: NaN passes silently and no construction stack is recorded', () => {
    expect(flags.checkNan).toBe(false);
    const y = M.tensor([-1, 2]).log().mul(2).sum();
    expect(userFrame(y)).toBeUndefined();
    const compiled = M.getBackend() as Partial<CompiledBackend>;
    const kernels = compiled.kernelsFor?.([y]).length ?? 0;
    const before = compiled.stats?.().launches ?? 0;
    expect(Number.isNaN(y.item())).toBe(true);
    // No op-by-op re-run: exactly the planned kernels were launched.
    expect((compiled.stats?.().launches ?? 0) - before).toBe(kernels);
  });
});
