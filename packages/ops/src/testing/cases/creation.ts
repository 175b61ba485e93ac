// Battery cases for creation ops: with no float input they are constants inside a differentiable graph.
import * as M from '../../index.js';
import { F, type OpCase } from '../case.js';

export const creationCases: OpCase[] = [
  {
    name: 'tensor/in-composition',
    covers: ['tensor'],
    inputs: [F([2, 3])],
    build: (x) => M.mul(x, M.tensor([[1, -2, 0.5], [3, 0, -1]], undefined, x.dtype)),
  },
  { name: 'tensor/nested-int32', covers: ['tensor'], inputs: [], build: () => M.tensor([[1, 2], [3, -4]], undefined, 'int32') },
  { name: 'tensor/bool-values', covers: ['tensor'], inputs: [], build: () => M.tensor([true, false, true]) },
  { name: 'scalar/in-composition', covers: ['scalar'], inputs: [F([3])], build: (x) => M.add(x, M.scalar(1.5, x.dtype)) },
  { name: 'full/in-composition', covers: ['full'], inputs: [F([2, 2])], build: (x) => M.mul(x, M.full([2, 2], -0.75, x.dtype)) },
  { name: 'zeros/in-composition', covers: ['zeros'], inputs: [F([2, 2])], build: (x) => M.add(M.mul(x, x), M.zeros([2, 2], x.dtype)) },
  { name: 'ones/in-composition', covers: ['ones'], inputs: [F([3])], build: (x) => M.mul(x, M.add(M.ones([3], x.dtype), 1)) },
  { name: 'zerosLike/in-composition', covers: ['zerosLike'], inputs: [F([2, 3])], build: (x) => M.maximum(x, M.zerosLike(x)) },
  { name: 'onesLike/in-composition', covers: ['onesLike'], inputs: [F([2, 3])], build: (x) => M.sub(M.onesLike(x), M.mul(x, x)) },
  { name: 'arange/int', covers: ['arange'], inputs: [], build: () => M.arange(5) },
  { name: 'arange/negative-step', covers: ['arange'], inputs: [], build: () => M.arange(3, -4, -2) },
  { name: 'arange/fractional', covers: ['arange'], inputs: [], build: () => M.arange(0, 1, 0.25) },
  { name: 'arange/empty', covers: ['arange'], inputs: [], build: () => M.arange(3, 3) },
  {
    name: 'arange/in-composition',
    covers: ['arange'],
    inputs: [F([2, 4])],
    build: (x) => M.mul(x, M.arange(-1.5, 2.5, 1, x.dtype)),
  },
  { name: 'eye/square', covers: ['eye'], inputs: [], build: () => M.eye(3) },
  { name: 'eye/rect-in-composition', covers: ['eye'], inputs: [F([2, 4])], build: (x) => M.mul(x, M.eye(2, 4, x.dtype)) },
  {
    name: 'rand/seeded-in-composition',
    covers: ['rand'],
    inputs: [F([4, 3])],
    build: (x) => M.mul(x, M.rand([4, 3], { seed: 5, dtype: x.dtype })),
  },
  {
    name: 'randn/seeded-in-composition',
    covers: ['randn'],
    inputs: [F([7])],
    build: (x) => M.add(M.mul(x, x), M.randn([7], { seed: 9, dtype: x.dtype })),
  },
  { name: 'rand/1023', covers: ['rand'], inputs: [], build: () => M.rand([1023], { seed: 2 }), large: true },
];
