// Battery cases for the functional norms: layerNorm, groupNorm and batchNorm (issue #13).
import * as M from '../../index.js';
import { C, F, type OpCase } from '../case.js';

export const normCases: OpCase[] = [
  { name: 'layerNorm/last-dim', covers: ['layerNorm'], inputs: [F([3, 5])], build: (x) => M.layerNorm(x, 5) },
  {
    name: 'layerNorm/two-dims-affine',
    covers: ['layerNorm'],
    inputs: [F([2, 3, 4]), F([3, 4]), F([3, 4])],
    build: (x, w, b) => M.layerNorm(x, [3, 4], w, b, 1e-3),
  },
  { name: 'layerNorm/weight-only', covers: ['layerNorm'], inputs: [F([4, 6]), F([6])], build: (x, w) => M.layerNorm(x, [6], w) },
  { name: 'groupNorm/2-groups', covers: ['groupNorm'], inputs: [F([2, 4, 3])], build: (x) => M.groupNorm(x, 2) },
  {
    name: 'groupNorm/spatial-affine',
    covers: ['groupNorm'],
    inputs: [F([2, 6, 2, 3]), F([6]), F([6])],
    build: (x, w, b) => M.groupNorm(x, 3, w, b),
  },
  { name: 'groupNorm/one-group-2d', covers: ['groupNorm'], inputs: [F([3, 4])], build: (x) => M.groupNorm(x, 1) },
  {
    name: 'batchNorm/training-affine',
    covers: ['batchNorm'],
    inputs: [F([4, 3, 2]), F([3]), F([3])],
    build: (x, w, b) => M.batchNorm(x, null, null, { weight: w, bias: b, training: true }),
  },
  {
    name: 'batchNorm/eval-running-stats',
    covers: ['batchNorm'],
    inputs: [F([2, 3, 2, 2]), C([3]), C([3], { min: 0.5, max: 2 }), F([3])],
    build: (x, rm, rv, w) => M.batchNorm(x, rm, rv, { weight: w, eps: 1e-3 }),
  },
  { name: 'batchNorm/training-2d', covers: ['batchNorm'], inputs: [F([5, 2])], build: (x) => M.batchNorm(x, null, null, { training: true }) },
];
