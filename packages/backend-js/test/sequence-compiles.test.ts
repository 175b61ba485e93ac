// Issue #13's ops compile once: repeated calls with new data, new dropout masks from the global
// random stream and new multinomial draws reuse the kernels of the first call (no data-dependent
// constants in the graphs).
import { describe, expect, it } from 'vitest';
import * as M from '@metaop/ops';
import type { CompiledBackend } from '@metaop/compiler';
import '@metaop/backend-js';

describe('no recompiles across calls (js)', () => {
  it('attention with dropout and its gradient, sort, topk, cumsum, einsum, interpolate, layerNorm, multinomial', () => {
    M.setBackend('js');
    const backend = M.getBackend() as unknown as CompiledBackend;
    const step = (seed: number) => {
      const q = M.randn([2, 2, 5, 4], { seed });
      const k = M.randn([2, 2, 6, 4], { seed: seed + 100 });
      const v = M.randn([2, 2, 6, 3], { seed: seed + 200 });
      const out = M.scaledDotProductAttention(q, k, v, { dropoutP: 0.2, isCausal: true });
      const [gq] = M.grad(out.sum(), [q]);
      const x = M.randn([3, 9], { seed: seed + 300 });
      const [sv] = M.sort(x, -1, { descending: true });
      const [tv, ti] = M.topk(x, 2);
      const rest = [
        M.cumsum(x, 1),
        M.einsum('ij,kj->ik', x, x),
        M.interpolate(M.reshape(x, [1, 1, 3, 9]), { size: [5, 4], mode: 'bilinear' }),
        M.layerNorm(x, 9),
        M.multinomial(M.softmax(x, -1), 2),
      ];
      M.realize([out, gq, sv, tv, ti, ...rest]);
      return [out, gq, ...rest].map((t) => Array.from(t.dataSync()));
    };
    const first = step(1);
    const compiled = backend.stats().kernelsCompiled;
    expect(compiled).toBeGreaterThan(20);
    const second = step(2);
    step(3);
    expect(backend.stats().kernelsCompiled).toBe(compiled);
    expect(second[0]).not.toEqual(first[0]);
  });
});
