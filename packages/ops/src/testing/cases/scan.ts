// Battery cases for cumsum and cumprod (issue #13): last and inner dims, negative dims, one block
// and several (the blocked scan switches at 64 elements), integers, bools and zeros in products.
import * as M from '../../index.js';
import { B, F, I, type OpCase } from '../case.js';

export const scanCases: OpCase[] = [
  { name: 'cumsum/last', covers: ['cumsum'], inputs: [F([3, 5])], build: (x) => M.cumsum(x, -1) },
  { name: 'cumsum/dim0', covers: ['cumsum'], inputs: [F([4, 3])], build: (x) => M.cumsum(x, 0) },
  { name: 'cumsum/middle-dim', covers: ['cumsum'], inputs: [F([2, 3, 4])], build: (x) => M.cumsum(x, 1) },
  { name: 'cumsum/blocks-150', covers: ['cumsum'], inputs: [F([2, 150])], build: (x) => M.cumsum(x, 1) },
  { name: 'cumsum/two-levels-4200', covers: ['cumsum'], inputs: [F([4200])], build: (x) => M.cumsum(x, 0), large: true },
  { name: 'cumsum/size-1', covers: ['cumsum'], inputs: [F([1])], build: (x) => M.cumsum(x, 0) },
  { name: 'cumsum/scalar', covers: ['cumsum'], inputs: [F([])], build: (x) => M.cumsum(x, 0) },
  { name: 'cumsum/empty', covers: ['cumsum'], inputs: [F([0, 3])], build: (x) => M.cumsum(x, 0) },
  { name: 'cumsum/int32', covers: ['cumsum'], inputs: [I([7], -9, 9)], build: (x) => M.cumsum(x, 0) },
  { name: 'cumsum/bool', covers: ['cumsum'], inputs: [B([2, 5])], build: (x) => M.cumsum(x, 1) },
  { name: 'cumprod/last', covers: ['cumprod'], inputs: [F([3, 5], { min: 0.5, max: 1.5 })], build: (x) => M.cumprod(x, -1) },
  { name: 'cumprod/dim0-signs', covers: ['cumprod'], inputs: [F([5, 2])], build: (x) => M.cumprod(x, 0) },
  {
    name: 'cumprod/with-zero',
    covers: ['cumprod'],
    inputs: [{ shape: [6], values: [1.5, -0.5, 0, 2, 0.7, 1.1] }],
    build: (x) => M.cumprod(x, 0),
  },
  { name: 'cumprod/blocks-100', covers: ['cumprod'], inputs: [F([100], { min: 0.9, max: 1.1 })], build: (x) => M.cumprod(x, 0) },
  { name: 'cumprod/int32', covers: ['cumprod'], inputs: [I([2, 4], -3, 4)], build: (x) => M.cumprod(x, 1) },
];
