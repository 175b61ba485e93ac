// Battery cases for multinomial (issue #13): seeded draws with and without replacement, a zero
// weight, 1-D and batched; the gathered probabilities give a float output to differentiate.
import * as M from '../../index.js';
import { F, type OpCase } from '../case.js';

export const multinomialCases: OpCase[] = [
  {
    name: 'multinomial/replacement',
    covers: ['multinomial'],
    inputs: [F([2, 4], { min: 0.1, max: 1 })],
    build: (p) => {
      const s = M.multinomial(p, 6, { replacement: true, seed: 5 });
      return [s, M.gather(p, 1, s)];
    },
  },
  {
    name: 'multinomial/without-replacement',
    covers: ['multinomial'],
    inputs: [F([3, 5], { min: 0.1, max: 1 })],
    build: (p) => {
      const s = M.multinomial(p, 3, { seed: 2 });
      return [s, M.gather(p, 1, s)];
    },
  },
  {
    name: 'multinomial/1d-zero-weight',
    covers: ['multinomial'],
    inputs: [{ shape: [4], values: [0.2, 0, 0.5, 0.3], noGrad: true }],
    build: (p) => [M.multinomial(p, 3, { seed: 9 }), M.multinomial(p, 5, { seed: 9, replacement: true })],
  },
];
