// Second derivatives: grad of grad against finite differences of the first gradient, for named
// cases (x^3, sum(tanh(x)*y), a small strided conv) and for every small case of the battery.
import { describe, expect, it } from 'vitest';
import * as M from '@metaop/ops';
import { checkSecondOrder, describeMismatches, floatInput as F, gradInputs, opCases, type OpCase } from '@metaop/ops/testing';

const named: OpCase[] = [
  { name: 'x^3', covers: [], inputs: [F([5])], build: (x) => M.pow(x, 3) },
  { name: 'sum(tanh(x)*y)', covers: [], inputs: [F([2, 3]), F([2, 3])], build: (x, y) => M.sum(M.mul(M.tanh(x), y)) },
  {
    name: 'conv2d stride 2, padding 1, dilation 2, groups 2 (input, weight, bias)',
    covers: [],
    inputs: [F([1, 4, 6, 6]), F([4, 2, 2, 2]), F([4])],
    build: (x, w, b) => M.tanh(M.conv2d(x, w, { stride: 2, padding: 1, dilation: 2, groups: 2, bias: b })),
  },
  { name: 'softmax cross entropy', covers: [], inputs: [F([3, 4]), { shape: [3], dtype: 'int32', values: [0, 3, 1] }], build: (x, t) => M.crossEntropy(x, t) },
];

describe('second derivatives against finite differences of the gradient', () => {
  it('x^3 has second derivative 6x', () => {
    M.setBackend('reference');
    const x = M.tensor([-1.5, 0.5, 2], [3], 'float64');
    const g2 = M.grad(M.grad(M.sum(M.pow(x, 3)), x), x);
    expect(Array.from(g2.dataSync())).toEqual([-9, 3, 12]);
  });

  it('grad of grad of sum(tanh(x)*y) w.r.t. y is 1 - tanh(x)^2 summed into x', () => {
    M.setBackend('reference');
    const x = M.tensor([0.3, -0.7], [2], 'float64');
    const y = M.tensor([1.5, 2], [2], 'float64');
    const gx = M.grad(M.sum(M.mul(M.tanh(x), y)), x);
    const [gxx, gxy] = M.grad(M.sum(gx), [x, y]);
    const t = [Math.tanh(0.3), Math.tanh(-0.7)];
    Array.from(gxy.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(1 - t[i] ** 2, 12));
    Array.from(gxx.dataSync()).forEach((v, i) => expect(v).toBeCloseTo([1.5, 2][i] * -2 * t[i] * (1 - t[i] ** 2), 12));
  });

  it.each(named.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = checkSecondOrder(c, 2);
    expect(r.analytic.length).toBe(gradInputs(c).length);
    expect(r.mismatches.length === 0 ? null : describeMismatches(c, r)).toBeNull();
  });

  const small = opCases.filter((c) => !c.large && gradInputs(c).length > 0);
  it.each(small.map((c) => [c.name, c] as const))('battery: %s', (_name, c) => {
    const r = checkSecondOrder(c, 1);
    expect(r.mismatches.length === 0 ? null : describeMismatches(c, r)).toBeNull();
  });
});
