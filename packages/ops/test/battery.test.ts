// Runs the whole op battery on the reference backend: float32 against float64 forward values, and
// every gradient against central finite differences in float64.
import { describe, expect, it } from 'vitest';
import { memory } from '@metaop/core';
import { checkGradients, compareArrays, describeMismatches, float32Tolerance, opCase, opCases, runOnBackend } from '@metaop/ops/testing';

const SEED = 1;

describe('battery: forward on reference', () => {
  it('has unique case names', () => {
    const names = opCases.map((c) => c.name);
    expect(names.length).toBeGreaterThan(250);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(opCases.map((c) => [c.name, c] as const))('%s: float32 matches float64', (_name, c) => {
    const r32 = runOnBackend('reference', c, SEED, { grads: false });
    const r64 = runOnBackend('reference', c, SEED, { floatDType: 'float64', grads: false });
    expect(r32.shapes).toEqual(r64.shapes);
    r32.outputs.forEach((o, k) => {
      expect(compareArrays(o, r64.outputs[k], float32Tolerance, `${c.name} output ${k}`)).toBeNull();
    });
  });

  it('runOnBackend leaves no live memory behind', () => {
    const before = memory().liveBytes;
    for (const c of opCases.filter((k) => !k.large).slice(0, 60)) runOnBackend('reference', c, SEED);
    expect(memory().liveBytes).toBe(before);
  });

  it('is deterministic', () => {
    for (const c of opCases.slice(0, 40)) {
      const a = runOnBackend('reference', c, 3);
      const b = runOnBackend('reference', c, 3);
      expect(a).toEqual(b);
    }
  });
});

describe('battery: gradients by finite differences (float64)', () => {
  it('conv2d: input, weight and bias gradients with stride 2, padding 1, dilation 2, groups 2', () => {
    const c = opCase('conv2d/stride2-pad1-dil2-groups2-bias');
    for (const seed of [1, 2, 3]) {
      const r = checkGradients(c, seed);
      expect(r.inputs).toEqual([0, 1, 2]);
      expect(r.numeric.map((g) => g.length)).toEqual([196, 72, 4]);
      expect(r.numeric.every((g) => g.some((v) => Math.abs(v) > 1e-3))).toBe(true);
      expect(r.mismatches.length === 0 ? null : describeMismatches(c, r)).toBeNull();
    }
  });

  it('detects a wrong gradient (detach makes grad differ from finite differences)', () => {
    const c = { ...opCase('detach/forward'), grad: true };
    expect(checkGradients(c, SEED).mismatches.length).toBe(6);
  });

  const small = opCases.filter((c) => !c.large);
  it.each(small.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = checkGradients(c, SEED);
    expect(r.mismatches.length === 0 ? null : describeMismatches(c, r)).toBeNull();
  });
});
