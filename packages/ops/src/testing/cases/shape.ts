// Battery cases for the shape ops: flatten, squeeze, unsqueeze, transpose, expand, detach.
import * as M from '../../index.js';
import { F, type OpCase } from '../case.js';

export const shapeCases: OpCase[] = [
  { name: 'flatten/all', covers: ['flatten'], inputs: [F([2, 3, 2])], build: (x) => M.mul(M.flatten(x), M.arange(12, undefined, 1, x.dtype)) },
  { name: 'flatten/middle', covers: ['flatten'], inputs: [F([2, 3, 2, 2])], build: (x) => M.flatten(x, 1, 2) },
  { name: 'flatten/scalar', covers: ['flatten'], inputs: [F([])], build: (x) => M.flatten(x) },
  { name: 'squeeze/all', covers: ['squeeze'], inputs: [F([1, 3, 1, 2])], build: (x) => M.squeeze(x) },
  { name: 'squeeze/listed', covers: ['squeeze'], inputs: [F([1, 3, 1])], build: (x) => M.squeeze(x, -1) },
  { name: 'unsqueeze/middle', covers: ['unsqueeze'], inputs: [F([2, 3])], build: (x) => M.mul(M.unsqueeze(x, 1), M.unsqueeze(x, 0)) },
  { name: 'unsqueeze/negative', covers: ['unsqueeze'], inputs: [F([3])], build: (x) => M.unsqueeze(x, -1) },
  { name: 'transpose/default', covers: ['transpose'], inputs: [F([2, 3, 4])], build: (x) => M.transpose(x) },
  { name: 'transpose/dims', covers: ['transpose'], inputs: [F([2, 3, 4])], build: (x) => M.transpose(x, 0, 2) },
  { name: 'expand/keep-and-grow', covers: ['expand'], inputs: [F([3, 1])], build: (x) => M.expand(x, [2, -1, 4]) },
  {
    name: 'detach/forward',
    covers: ['detach'],
    inputs: [F([2, 3])],
    // The gradient deliberately differs from finite differences: detach stops it.
    build: (x) => M.mul(M.detach(x), x),
    grad: false,
  },
];
