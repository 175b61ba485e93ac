// Dropout1d/2d/3d drop whole channels; AlphaDropout and FeatureAlphaDropout keep SELU statistics
// (PyTorch's formula: kept units a·x + α·a·p, dropped ones α·a·(p - 1), a = 1/√((α²p + 1)(1 - p))).
// All are the identity in eval mode.
import { beforeAll, describe, expect, it } from 'vitest';
import { ShapeError } from '@metaop/core';
import { manualSeed, randn } from '@metaop/ops';
import * as nn from '@metaop/nn';
import { useTestBackend } from './helpers.js';

beforeAll(useTestBackend);

const ALPHA = 1.7580993408473766;

describe('channel dropout', () => {
  it.each([
    ['Dropout1d', () => new nn.Dropout1d(0.4), [8, 16, 5]],
    ['Dropout2d', () => new nn.Dropout2d(0.4), [8, 16, 3, 2]],
    ['Dropout3d', () => new nn.Dropout3d(0.4), [4, 16, 2, 2, 2]],
    ['Dropout2d unbatched', () => new nn.Dropout2d(0.4), [64, 3, 2]],
  ] as const)('%s zeroes whole channels with probability p and scales the rest by 1/(1-p)', (_, make, shape) => {
    manualSeed(11);
    const m = make();
    const x = randn([...shape]);
    const xs = Array.from(x.dataSync());
    const ys = Array.from(m.forward(x).dataSync());
    const per = shape.slice(shape.length === 3 && _.includes('unbatched') ? 1 : 2).reduce((a, b) => a * b, 1);
    let dropped = 0;
    const channels = xs.length / per;
    for (let c = 0; c < channels; c++) {
      const ratios = new Set<string>();
      for (let i = c * per; i < (c + 1) * per; i++) ratios.add(ys[i] === 0 ? '0' : (ys[i] / xs[i]).toFixed(4));
      expect(ratios.size, `channel ${c} is dropped or kept as a whole`).toBe(1);
      const [r] = ratios;
      if (r === '0') dropped++;
      else expect(Number(r)).toBeCloseTo(1 / 0.6, 3);
    }
    expect(dropped / channels).toBeGreaterThan(0.2);
    expect(dropped / channels).toBeLessThan(0.6);
    m.eval();
    expect(m.forward(x)).toBe(x);
  });

  it('rejects input of the wrong rank, as PyTorch', () => {
    expect(() => new nn.Dropout2d().forward(randn([2, 3]))).toThrow(ShapeError);
    expect(() => new nn.Dropout1d().forward(randn([2, 3, 4, 5]))).toThrow(/Dropout1d: expected \[N, C, L\] or unbatched \[C, L\] input, got \[2, 3, 4, 5\]/);
    expect(() => new nn.Dropout3d(1.5)).toThrow(/Dropout3d: dropout probability has to be between 0 and 1, but got 1.5/);
  });
});

describe('alpha dropout', () => {
  it('AlphaDropout keeps mean 0 and variance 1 of standard normal input', () => {
    manualSeed(5);
    const p = 0.3;
    const a = 1 / Math.sqrt((ALPHA * ALPHA * p + 1) * (1 - p));
    const x = randn([200_000]);
    const xs = x.dataSync();
    const ys = new nn.AlphaDropout(p).forward(x).dataSync();
    let dropped = 0;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < ys.length; i++) {
      const droppedValue = ALPHA * a * (p - 1);
      if (Math.abs(ys[i] - droppedValue) < 1e-5) dropped++;
      else expect(Math.abs(ys[i] - (a * xs[i] + ALPHA * a * p))).toBeLessThan(1e-4);
      s += ys[i];
      s2 += ys[i] * ys[i];
    }
    const mean = s / ys.length;
    expect(dropped / ys.length).toBeCloseTo(p, 2);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(s2 / ys.length - mean * mean).toBeCloseTo(1, 1);
  });

  it('FeatureAlphaDropout drops whole channels; both are the identity in eval mode', () => {
    manualSeed(6);
    const x = randn([4, 32, 3]);
    const m = new nn.FeatureAlphaDropout(0.5);
    const xs = x.dataSync();
    const ys = m.forward(x).dataSync();
    const a = 1 / Math.sqrt((ALPHA * ALPHA * 0.5 + 1) * 0.5);
    for (let c = 0; c < 4 * 32; c++) {
      const kinds = new Set<string>();
      for (let i = c * 3; i < c * 3 + 3; i++) {
        if (Math.abs(ys[i] - ALPHA * a * -0.5) < 1e-5) kinds.add('dropped');
        else {
          kinds.add('kept');
          expect(ys[i]).toBeCloseTo(a * xs[i] + ALPHA * a * 0.5, 4);
        }
      }
      expect(kinds.size, `channel ${c} is dropped or kept as a whole`).toBe(1);
    }
    m.eval();
    expect(m.forward(x)).toBe(x);
    expect(new nn.AlphaDropout(0.2).eval().forward(x)).toBe(x);
  });
});
