// Battery cases with Inf and NaN among ordinary values. Sums with an Inf among finite terms stay
// Inf on backends that keep a compensation term (Kahan) beside the sum.
import * as M from '../../index.js';
import { F, type OpCase } from '../case.js';

export const nonFiniteCases: OpCase[] = [
  { name: 'sum/nonfinite-inf', covers: ['sum'], inputs: [F([8], { values: [1, 2, Infinity, 3, 4, 5, 6, 7] })], build: (a) => M.sum(a), grad: false },
  {
    name: 'sum/nonfinite-inf-and-neg-inf',
    covers: ['sum'],
    inputs: [F([2, 4], { values: [1, -Infinity, 2, Infinity, 5, -Infinity, 6, 7] })],
    build: (a) => M.sum(a, 1),
    grad: false,
  },
  {
    // Long rows: backends sum them in vector lanes and tiles before the compensated total.
    name: 'sum/nonfinite-long',
    covers: ['sum'],
    inputs: [F([3, 5000], { special: [[7, Infinity], [5000 + 4999, -Infinity], [10007, NaN]] })],
    build: (a) => M.sum(a, 1),
    grad: false,
  },
];
