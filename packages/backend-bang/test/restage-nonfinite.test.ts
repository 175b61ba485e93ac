// Restaged convolutions with Inf and NaN on BANG (issue #10): both bodies of a kernel with a
// non-finite variant are queued as launches, every task of each launch scans the weight and the
// launches of the body it does not pick return at once; results match the oracle. Compensated
// (Kahan) sums stay Inf when a term is Inf.
import { describe, expect, it } from 'vitest';
import * as M from '@metaop/ops';
import { explain } from '@metaop/compiler';
import { checkNonFiniteFlag, differential } from '@metaop/compiler/testing';
import { nonFiniteCases } from '@metaop/ops/testing';
import '@metaop/backend-bang';

describe('bang backend: restaged operands with Inf and NaN', () => {
  it('the kernel picks its body from the data it scans: the fast one for finite values', () => {
    expect(checkNonFiniteFlag('bang')).toBeNull();
  });

  for (const c of nonFiniteCases) {
    it(`${c.name}: outputs and gradients match the oracle, NaN and Inf in the same places`, () => {
      expect(differential('bang', c)).toBeNull();
    });
  }

  it('queues the launches of both bodies, each guarded by the flag its tasks compute', () => {
    const x = M.randn([2, 8, 16, 16]).realize();
    const w = M.randn([16, 8, 3, 3]).realize();
    const [gx] = M.grad(M.conv2d(x, w, { padding: 1 }).square().sum(), [x]);
    const k = explain(gx, { backend: 'bang' }).kernels.find((e) => e.notes.some((n) => n.includes('non-finite variant')));
    expect(k, 'a kernel with a non-finite variant').toBeDefined();
    const source = (k as NonNullable<typeof k>).source;
    const launches = source.split('__mlu_global__ void').slice(1);
    // The zero-bordered copy, then the nest, for each body.
    expect(launches).toHaveLength(4);
    expect(launches.slice(0, 2).every((l) => l.includes('if (nonfinite) return;'))).toBe(true);
    expect(launches.slice(2).every((l) => l.includes('if (!nonfinite) return;'))).toBe(true);
    for (const l of launches) expect(l).toContain(`nonfinite |= (b1[j] - b1[j] != 0);`);
    expect(source.match(/bang_emu_launch\(/g)).toHaveLength(4);
    for (const v of [x, w, gx]) v.dispose();
  });
});
