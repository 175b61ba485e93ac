// Initialisation: PyTorch's default formulas and bounds, reproducibility under manualSeed, and
// the statistics of every init helper.
import { beforeAll, describe, expect, it } from 'vitest';
import { manualSeed, tensor } from '@metaop/ops';
import * as nn from '@metaop/nn';
import { useTestBackend } from './helpers.js';

beforeAll(useTestBackend);

function stats(values: ArrayLike<number>): { mean: number; std: number; min: number; max: number } {
  const a = Array.from(values);
  const mean = a.reduce((s, v) => s + v, 0) / a.length;
  const std = Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length);
  return { mean, std, min: Math.min(...a), max: Math.max(...a) };
}

const zeros = (...shape: number[]) => tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);

describe('init', () => {
  it('is reproducible under manualSeed and differs between seeds', () => {
    manualSeed(3);
    const a = new nn.Linear(20, 30).weight.dataSync();
    manualSeed(3);
    const b = new nn.Linear(20, 30).weight.dataSync();
    manualSeed(4);
    const c = new nn.Linear(20, 30).weight.dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('Linear and Conv2d use kaiming_uniform_(a=√5) weights and U(±1/√fan_in) biases', () => {
    manualSeed(0);
    const lin = new nn.Linear(50, 40);
    const w = stats(lin.weight.dataSync());
    const bound = 1 / Math.sqrt(50);
    expect(w.min).toBeGreaterThanOrEqual(-bound);
    expect(w.max).toBeLessThan(bound);
    expect(w.max).toBeGreaterThan(0.95 * bound);
    expect(w.std).toBeCloseTo(bound / Math.sqrt(3), 2);
    expect(stats(lin.bias?.dataSync() ?? []).max).toBeLessThan(bound);
    const conv = new nn.Conv2d(6, 16, 5);
    const cb = 1 / Math.sqrt(6 * 25);
    const cw = stats(conv.weight.dataSync());
    expect(cw.max).toBeLessThan(cb);
    expect(cw.max).toBeGreaterThan(0.95 * cb);
    const tconv = new nn.ConvTranspose2d(8, 4, 3);
    expect(stats(tconv.weight.dataSync()).max).toBeGreaterThan(0.9 / Math.sqrt(4 * 9));
    expect(stats(tconv.weight.dataSync()).max).toBeLessThan(1 / Math.sqrt(4 * 9));
  });

  it('norm layers start at weight 1, bias 0, running variance 1; Embedding at N(0,1) with a zero padding row', () => {
    const bn = new nn.BatchNorm2d(3);
    expect(Array.from(bn.weight?.dataSync() ?? [])).toEqual([1, 1, 1]);
    expect(Array.from(bn.bias?.dataSync() ?? [])).toEqual([0, 0, 0]);
    expect(Array.from(bn.runningVar?.dataSync() ?? [])).toEqual([1, 1, 1]);
    expect(bn.numBatchesTracked?.item()).toBe(0);
    expect(Array.from(new nn.GroupNorm(2, 4).weight?.dataSync() ?? [])).toEqual([1, 1, 1, 1]);
    expect(Array.from(new nn.LayerNorm(3).bias?.dataSync() ?? [])).toEqual([0, 0, 0]);
    manualSeed(9);
    const emb = new nn.Embedding(400, 20, { paddingIdx: -1 });
    expect(emb.paddingIdx).toBe(399);
    const rows = emb.weight.arraySync() as number[][];
    expect(rows[399].every((v) => v === 0)).toBe(true);
    const s = stats(rows.slice(0, 399).flat());
    expect(Math.abs(s.mean)).toBeLessThan(0.03);
    expect(s.std).toBeGreaterThan(0.97);
    expect(s.std).toBeLessThan(1.03);
  });

  it('helpers follow torch.nn.init formulas', () => {
    manualSeed(1);
    const fans = nn.init.computeFans(zeros(64, 32, 3, 3));
    expect(fans).toEqual({ fanIn: 288, fanOut: 576 });
    expect(() => nn.init.computeFans(zeros(5))).toThrow(/at least 2 dims/);
    expect(nn.init.calculateGain('relu')).toBeCloseTo(Math.SQRT2);
    expect(nn.init.calculateGain('leaky_relu', Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3));
    expect(nn.init.calculateGain('tanh')).toBeCloseTo(5 / 3);

    const kn = stats(nn.init.kaimingNormal_(zeros(256, 128), { nonlinearity: 'relu' }).dataSync());
    expect(kn.std).toBeCloseTo(Math.sqrt(2 / 128), 2);
    const knOut = stats(nn.init.kaimingNormal_(zeros(256, 128), { mode: 'fan_out', nonlinearity: 'relu' }).dataSync());
    expect(knOut.std).toBeCloseTo(Math.sqrt(2 / 256), 2);
    const ku = stats(nn.init.kaimingUniform_(zeros(200, 100)).dataSync());
    expect(ku.max).toBeLessThan(Math.sqrt(6 / 100));
    expect(ku.max).toBeGreaterThan(0.97 * Math.sqrt(6 / 100));
    const xu = stats(nn.init.xavierUniform_(zeros(100, 300), 2).dataSync());
    expect(xu.max).toBeLessThan(2 * Math.sqrt(6 / 400));
    expect(xu.max).toBeGreaterThan(0.97 * 2 * Math.sqrt(6 / 400));
    expect(stats(nn.init.xavierNormal_(zeros(200, 200)).dataSync()).std).toBeCloseTo(Math.sqrt(2 / 400), 2);
    const n = stats(nn.init.normal_(zeros(20000), 3, 0.5).dataSync());
    expect(n.mean).toBeCloseTo(3, 1);
    expect(n.std).toBeCloseTo(0.5, 1);
    const u = stats(nn.init.uniform_(zeros(20000), -2, 5).dataSync());
    expect(u.min).toBeGreaterThanOrEqual(-2);
    expect(u.max).toBeLessThan(5);
    expect(u.mean).toBeCloseTo(1.5, 1);
    expect(Array.from(nn.init.constant_(zeros(3), 0.25).dataSync())).toEqual([0.25, 0.25, 0.25]);
    expect(Array.from(nn.init.ones_(zeros(2)).dataSync())).toEqual([1, 1]);
    expect(Array.from(nn.init.zeros_(tensor([4, 5])).dataSync())).toEqual([0, 0]);
  });

  it('fills in place: the Var keeps its identity and stays a leaf', () => {
    const w = zeros(4, 4);
    const same = nn.init.xavierUniform_(w);
    expect(same).toBe(w);
    expect(w.node).toBeNull();
    expect(w.isRealized).toBe(true);
  });
});
