// registerGradHook: the hook sees the summed gradient of its Var once, and what it returns is what
// flows on to the Var's inputs (checked against the chain rule worked out by hand, in float64).
import { describe, expect, it } from 'vitest';
import * as M from '@metaop/ops';

describe('registerGradHook', () => {
  it('replaces the gradient of an intermediate before it reaches the inputs', () => {
    M.setBackend('reference');
    const xs = [0.5, -1.25, 2];
    const x = M.tensor(xs, [3], 'float64');
    const s = M.mul(x, x); // used twice below, so its gradient has two contributions
    const seen: number[][] = [];
    M.registerGradHook(s, (g) => {
      seen.push(Array.from(g.dataSync()));
      return M.mul(g, 3);
    });
    const y = M.sum(M.add(M.mul(s, 2), M.sin(s)));
    const gx = M.grad(y, x);
    // dy/ds = 2 + cos(x^2), summed over both uses before the hook; the hook triples it; ds/dx = 2x.
    const dyds = xs.map((v) => 2 + Math.cos(v * v));
    expect(seen).toHaveLength(1);
    seen[0].forEach((v, i) => expect(v).toBeCloseTo(dyds[i], 12));
    Array.from(gx.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(3 * dyds[i] * 2 * xs[i], 12));
    // Without the hook the same graph gives the plain chain rule (so the hook is what changed it).
    const x2 = M.tensor(xs, [3], 'float64');
    const s2 = M.mul(x2, x2);
    const g2 = M.grad(M.sum(M.add(M.mul(s2, 2), M.sin(s2))), x2);
    Array.from(g2.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(dyds[i] * 2 * xs[i], 12));
  });

  it('applies to a target leaf and rejects a hook that changes the shape', () => {
    M.setBackend('reference');
    const x = M.tensor([1, 2], [2], 'float64');
    M.registerGradHook(x, (g) => M.neg(g));
    expect(Array.from(M.grad(M.sum(M.mul(x, x)), x).dataSync())).toEqual([-2, -4]);
    const z = M.tensor([1, 2], [2], 'float64');
    const w = M.exp(z);
    M.registerGradHook(w, (g) => M.sum(g));
    expect(() => M.grad(M.sum(w), z)).toThrow(/a gradient hook returned .* it must keep the shape and dtype/);
  });
});
