// Restaged convolutions with Inf and NaN on the c backend (issue #10): the input gradient's fast
// register-tile nest runs for finite weights, and the kernel switches on the device to the variant
// that keeps the border test when the weight holds an Inf or a NaN, matching the oracle.
import { describe, expect, it } from 'vitest';
import '@metaop/backend-c';
import * as M from '@metaop/ops';
import { checkNonFiniteFlag, differential } from '@metaop/compiler/testing';
import { nonFiniteCases } from '@metaop/ops/testing';
import type { CompiledBackend } from '@metaop/compiler';

describe('c backend: restaged operands with Inf and NaN', () => {
  it('the kernel picks its body from the data it scans: the fast one for finite values', () => {
    expect(checkNonFiniteFlag('c')).toBeNull();
  });

  for (const c of nonFiniteCases) {
    it(`${c.name}: outputs and gradients match the oracle, NaN and Inf in the same places`, () => {
      expect(differential('c', c)).toBeNull();
    });
  }

  it('the input gradient of a padded conv is restaged, with its finite path on vector registers', () => {
    const backend = M.setBackend('c') as CompiledBackend;
    const x = M.randn([2, 8, 16, 16]).realize();
    const w = M.randn([16, 8, 3, 3]).realize();
    const [gx] = M.grad(M.conv2d(x, w, { padding: 1 }).square().sum(), [x]);
    const k = backend.kernelsFor([gx]).find((p) => p.kernel.nonFinite !== undefined);
    expect(k, 'a kernel with a non-finite variant').toBeDefined();
    const { kernel, source } = k as NonNullable<typeof k>;
    expect(kernel.notes.join('\n')).toMatch(/restaged/);
    const lanes = source.includes('mo_vf16 acc') ? 16 : 8;
    const [, fast] = source.split('} else {');
    expect(fast).toContain(`mo_loadv${lanes}(`);
    expect(fast).not.toMatch(/\? \(b\d+\[[^\n]*\* b\d+\[[^\n]*\) : 0\.0f\)/);
    for (const v of [x, w, gx]) v.dispose();
  });
});
