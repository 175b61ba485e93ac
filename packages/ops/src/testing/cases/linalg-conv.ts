// Battery cases for matmul, conv1d, conv2d and convTranspose2d.
import * as M from '../../index.js';
import { F, type OpCase } from '../case.js';

export const linalgConvCases: OpCase[] = [
  { name: 'matmul/2d', covers: ['matmul'], inputs: [F([2, 3]), F([3, 4])], build: M.matmul },
  { name: 'matmul/vector-matrix', covers: ['matmul'], inputs: [F([3]), F([3, 2])], build: M.matmul },
  { name: 'matmul/matrix-vector', covers: ['matmul'], inputs: [F([2, 3]), F([3])], build: M.matmul },
  { name: 'matmul/dot', covers: ['matmul'], inputs: [F([4]), F([4])], build: M.matmul },
  { name: 'matmul/batched-broadcast', covers: ['matmul'], inputs: [F([2, 1, 2, 3]), F([3, 3, 2])], build: M.matmul },
  { name: 'matmul/vector-batched', covers: ['matmul'], inputs: [F([3]), F([2, 3, 2])], build: M.matmul },
  { name: 'matmul/empty', covers: ['matmul'], inputs: [F([0, 3]), F([3, 2])], build: M.matmul },
  { name: 'matmul/1023-inner', covers: ['matmul'], inputs: [F([7, 1023]), F([1023, 3])], build: M.matmul, large: true },
  { name: 'conv2d/plain', covers: ['conv2d'], inputs: [F([1, 2, 4, 4]), F([3, 2, 2, 2])], build: (x, w) => M.conv2d(x, w) },
  {
    name: 'conv2d/stride2-pad1',
    covers: ['conv2d'],
    inputs: [F([2, 2, 5, 5]), F([2, 2, 3, 3])],
    build: (x, w) => M.conv2d(x, w, { stride: 2, padding: 1 }),
  },
  {
    name: 'conv2d/dilation2',
    covers: ['conv2d'],
    inputs: [F([1, 1, 6, 6]), F([2, 1, 2, 3])],
    build: (x, w) => M.conv2d(x, w, { dilation: 2 }),
  },
  {
    name: 'conv2d/groups2-bias',
    covers: ['conv2d'],
    inputs: [F([1, 4, 4, 4]), F([4, 2, 2, 2]), F([4])],
    build: (x, w, b) => M.conv2d(x, w, { groups: 2, bias: b }),
  },
  {
    name: 'conv2d/stride2-pad1-dil2-groups2-bias',
    covers: ['conv2d'],
    inputs: [F([1, 4, 7, 7]), F([4, 2, 3, 3]), F([4])],
    build: (x, w, b) => M.conv2d(x, w, { stride: 2, padding: 1, dilation: 2, groups: 2, bias: b }),
  },
  {
    name: 'conv2d/rect-stride-pad',
    covers: ['conv2d'],
    inputs: [F([1, 1, 5, 6]), F([1, 1, 3, 2])],
    build: (x, w) => M.conv2d(x, w, { stride: [2, 1], padding: [1, 0] }),
  },
  { name: 'conv2d/same', covers: ['conv2d'], inputs: [F([1, 1, 5, 5]), F([2, 1, 3, 3])], build: (x, w) => M.conv2d(x, w, { padding: 'same' }) },
  {
    name: 'conv2d/large',
    covers: ['conv2d'],
    inputs: [F([2, 3, 16, 16]), F([8, 3, 3, 3])],
    build: (x, w) => M.conv2d(x, w, { padding: 1 }),
    large: true,
  },
  {
    name: 'conv1d/stride2-pad1-dil2-groups2-bias',
    covers: ['conv1d'],
    inputs: [F([2, 4, 9]), F([4, 2, 3]), F([4])],
    build: (x, w, b) => M.conv1d(x, w, { stride: 2, padding: 1, dilation: 2, groups: 2, bias: b }),
  },
  { name: 'conv1d/plain', covers: ['conv1d'], inputs: [F([1, 2, 7]), F([3, 2, 3])], build: (x, w) => M.conv1d(x, w) },
  {
    name: 'convTranspose2d/plain',
    covers: ['convTranspose2d'],
    inputs: [F([1, 2, 3, 3]), F([2, 3, 2, 2])],
    build: (x, w) => M.convTranspose2d(x, w),
  },
  {
    name: 'convTranspose2d/stride2-pad1-outpad1',
    covers: ['convTranspose2d'],
    inputs: [F([1, 2, 3, 3]), F([2, 2, 3, 3]), F([2])],
    build: (x, w, b) => M.convTranspose2d(x, w, { stride: 2, padding: 1, outputPadding: 1, bias: b }),
  },
  {
    name: 'convTranspose2d/groups2-stride2',
    covers: ['convTranspose2d'],
    inputs: [F([1, 4, 2, 3]), F([4, 1, 3, 2])],
    build: (x, w) => M.convTranspose2d(x, w, { stride: [2, 3], padding: [1, 0], groups: 2 }),
  },
  {
    name: 'convTranspose2d/dilation2',
    covers: ['convTranspose2d'],
    inputs: [F([1, 1, 3, 3]), F([1, 2, 2, 2])],
    build: (x, w) => M.convTranspose2d(x, w, { dilation: 2, stride: 2, outputPadding: 1 }),
  },
];
