// Battery cases for at(), narrow, pad modes, concat, stack, split, chunk, flip, repeat and roll.
import * as M from '../../index.js';
import { F, I, type OpCase } from '../case.js';

export const slicingCases: OpCase[] = [
  { name: 'at/index-and-range', covers: ['at'], inputs: [F([3, 4, 5])], build: (x) => M.at(x, 1, '1:3') },
  { name: 'at/negative-steps', covers: ['at'], inputs: [F([4, 6])], build: (x) => M.at(x, '::-1', '-2:0:-2') },
  { name: 'at/objects-and-null', covers: ['at'], inputs: [F([3, 4, 5])], build: (x) => M.at(x, null, { start: 3, step: -1 }, -1) },
  { name: 'at/open-ended-strings', covers: ['at'], inputs: [F([5, 6])], build: (x) => M.at(x, '1:', ':-1:2') },
  { name: 'at/empty-range', covers: ['at'], inputs: [F([4, 3])], build: (x) => M.at(x, '3:1') },
  { name: 'at/1023-negative-step', covers: ['at'], inputs: [F([1023])], build: (x) => M.at(x, '1000:3:-7'), large: true },
  { name: 'narrow', covers: ['narrow'], inputs: [F([3, 6])], build: (x) => M.narrow(x, 1, 2, 3) },
  { name: 'narrow/negative-start', covers: ['narrow'], inputs: [F([5, 2])], build: (x) => M.narrow(x, 0, -3, 2) },
  { name: 'pad/constant', covers: ['pad'], inputs: [F([2, 3])], build: (x) => M.pad(x, [1, 2, 0, 1], 'constant', -1) },
  { name: 'pad/crop', covers: ['pad'], inputs: [F([3, 5])], build: (x) => M.pad(x, [-1, 2, 1, -1]) },
  { name: 'pad/reflect', covers: ['pad'], inputs: [F([1, 2, 4, 5])], build: (x) => M.pad(x, [2, 3, 3, 1], 'reflect') },
  { name: 'pad/replicate', covers: ['pad'], inputs: [F([1, 2, 3, 4])], build: (x) => M.pad(x, [2, 5, 1, 3], 'replicate') },
  { name: 'pad/circular', covers: ['pad'], inputs: [F([1, 2, 3, 4])], build: (x) => M.pad(x, [4, 2, 1, 3], 'circular') },
  { name: 'pad/reflect-1d', covers: ['pad'], inputs: [F([2, 3, 6])], build: (x) => M.pad(x, [5, 4], 'reflect') },
  { name: 'concat/dim0', covers: ['concat'], inputs: [F([2, 3]), F([1, 3]), F([3, 3])], build: (a, b, c) => M.concat([a, b, c]) },
  { name: 'concat/last-dim-with-empty', covers: ['concat'], inputs: [F([2, 2]), F([2, 0]), F([2, 3])], build: (a, b, c) => M.concat([a, b, c], -1) },
  { name: 'concat/mixed-dtypes', covers: ['concat'], inputs: [I([2, 2], -5, 5), F([2, 1])], build: (a, b) => M.concat([a, b], 1) },
  { name: 'stack/new-dim', covers: ['stack'], inputs: [F([2, 3]), F([2, 3])], build: (a, b) => M.stack([a, b], 1) },
  { name: 'split/sizes', covers: ['split'], inputs: [F([6, 2])], build: (x) => M.split(x, [1, 3, 2]) },
  { name: 'split/size', covers: ['split'], inputs: [F([2, 7])], build: (x) => M.split(x, 3, 1) },
  { name: 'chunk', covers: ['chunk'], inputs: [F([7, 2])], build: (x) => M.chunk(x, 3) },
  { name: 'flip/one-dim', covers: ['flip'], inputs: [F([3, 4])], build: (x) => M.flip(x, 1) },
  { name: 'flip/dims', covers: ['flip'], inputs: [F([2, 3, 4])], build: (x) => M.flip(x, [0, -1]) },
  { name: 'flip/1023', covers: ['flip'], inputs: [F([1023])], build: (x) => M.flip(x, 0), large: true },
  { name: 'repeat/tiles', covers: ['repeat'], inputs: [F([2, 3])], build: (x) => M.repeat(x, [2, 3]) },
  { name: 'repeat/leading', covers: ['repeat'], inputs: [F([1, 3])], build: (x) => M.repeat(x, [2, 3, 1]) },
  { name: 'roll/positive', covers: ['roll'], inputs: [F([3, 5])], build: (x) => M.roll(x, 2, 1) },
  { name: 'roll/negative-large', covers: ['roll'], inputs: [F([4, 3])], build: (x) => M.roll(x, -9, 0) },
];
