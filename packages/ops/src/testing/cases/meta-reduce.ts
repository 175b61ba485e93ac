// Battery cases for the reindex-reduce meta-ops: reduce, reindexReduce, scatter, argReduce.
import type { ReduceFn } from '@metaop/core';
import * as M from '../../index.js';
import { F, I, type OpCase } from '../case.js';

const reduceFnCases: OpCase[] = (['add', 'mul', 'max', 'min'] as ReduceFn[]).flatMap((fn) => [
  {
    name: `reduce(${fn})/dim1`,
    covers: ['reduce'],
    inputs: [F([3, 4], { distinct: true, min: 0.5, max: 1.5 })],
    build: (x) => M.reduce(x, fn, [1]),
  },
  {
    name: `reduce(${fn})/dims-0-2-keepdim`,
    covers: ['reduce'],
    inputs: [F([2, 3, 2], { distinct: true, min: -1.5, max: 1.5 })],
    build: (x) => M.reduce(x, fn, [0, -1], true),
  },
]);

/** Indices into 3 rows that reach every output cell (cells nothing reaches hold -inf for max). */
const coveringIndex = { shape: [4, 3], dtype: 'int32' as const, values: [0, 1, 2, 2, 0, 1, 1, 2, 0, 0, 0, 2] };

export const metaReduceCases: OpCase[] = [
  ...reduceFnCases,
  { name: 'reduce(add)/all-1023', covers: ['reduce'], inputs: [F([1023])], build: (x) => M.reduce(x, 'add', [0]), large: true },
  { name: 'reduce(add)/empty-dim', covers: ['reduce'], inputs: [F([0, 3])], build: (x) => M.reduce(x, 'add', [0]) },
  { name: 'reduce(mul)/empty-dim', covers: ['reduce'], inputs: [F([3, 0])], build: (x) => M.reduce(x, 'mul', [1]) },
  {
    name: 'reduce(mul)/with-zeros',
    covers: ['reduce'],
    // Row 0 has one zero, row 1 two zeros, row 2 none: the gradient rule handles each exactly.
    inputs: [F([3, 4], { values: [1.5, 0, -2, 0.5, 0, 3, 0, 1.25, 0.5, -1.5, 2, 0.75] })],
    build: (x) => M.reduce(x, 'mul', [1]),
  },
  { name: 'reduce(max)/int32', covers: ['reduce'], inputs: [I([3, 5], -50, 50)], build: (x) => M.reduce(x, 'max', [1]) },
  {
    name: 'reindexReduce(add)/blocks',
    covers: ['reindexReduce'],
    inputs: [F([4, 6])],
    build: (x) => M.reindexReduce(x, 'add', [2, 3], ['i0/2', 'i1/2']),
  },
  {
    name: 'reindexReduce(max)/blocks',
    covers: ['reindexReduce'],
    inputs: [F([4, 6], { distinct: true })],
    build: (x) => M.reindexReduce(x, 'max', [2, 3], ['i0/2', 'i1/2']),
  },
  {
    name: 'reindexReduce(min)/with-condition',
    covers: ['reindexReduce'],
    inputs: [F([4, 6], { distinct: true })],
    build: (x) => M.reindexReduce(x, 'min', [4, 2], ['i0', 'i1/3'], ['i1%3==2']),
  },
  {
    name: 'reindexReduce(mul)/pairs',
    covers: ['reindexReduce'],
    inputs: [F([6], { min: 0.5, max: 1.5 })],
    build: (x) => M.reindexReduce(x, 'mul', [3], ['i0/2']),
  },
  {
    name: 'reindexReduce(mul)/with-zeros',
    covers: ['reindexReduce'],
    // Groups of three: one zero, two zeros, none.
    inputs: [F([9], { values: [0.5, 0, 1.5, 0, 2, 0, -1.25, 0.75, 2] })],
    build: (x) => M.reindexReduce(x, 'mul', [3], ['i0/3']),
  },
  {
    name: 'reindexReduce(add)/drops-outside',
    covers: ['reindexReduce'],
    inputs: [F([5, 3])],
    build: (x) => M.reindexReduce(x, 'add', [3], ['i0-1']),
  },
  {
    name: 'scatter(add)/duplicates',
    covers: ['scatter'],
    inputs: [F([4, 3]), I([4, 3], 0, 3)],
    build: (src, idx) => M.scatter(src, 0, idx, [3, 3], 'add'),
  },
  {
    name: 'scatter(add)/drops-out-of-range',
    covers: ['scatter'],
    inputs: [F([2, 5]), I([2, 5], -1, 5)],
    build: (src, idx) => M.scatter(src, 1, idx, [2, 4], 'add'),
  },
  {
    name: 'scatter(max)/duplicates',
    covers: ['scatter'],
    inputs: [F([4, 3], { distinct: true }), coveringIndex],
    build: (src, idx) => M.scatter(src, 0, idx, [3, 3], 'max'),
  },
  {
    name: 'scatter(min)/duplicates',
    covers: ['scatter'],
    inputs: [F([4, 3], { distinct: true }), coveringIndex],
    build: (src, idx) => M.scatter(src, 0, idx, [3, 3], 'min'),
  },
  {
    name: 'scatter(mul)/duplicates',
    covers: ['scatter'],
    inputs: [F([4, 3], { min: 0.5, max: 1.5 }), I([4, 3], 0, 3)],
    build: (src, idx) => M.scatter(src, 0, idx, [3, 3], 'mul'),
  },
  {
    name: 'scatter(mul)/with-zeros',
    covers: ['scatter'],
    inputs: [F([6], { values: [0, 1.5, 0, -2, 0, 0.5] }), { shape: [6], dtype: 'int32', values: [0, 0, 1, 1, 1, 2] }],
    build: (src, idx) => M.scatter(src, 0, idx, [3], 'mul'),
  },
  { name: 'argReduce(argmax)', covers: ['argReduce'], inputs: [F([3, 5], { distinct: true })], build: (x) => M.argReduce(x, 'argmax', 1) },
  { name: 'argReduce(argmin)/keepdim', covers: ['argReduce'], inputs: [F([4, 3], { distinct: true })], build: (x) => M.argReduce(x, 'argmin', 0, true) },
  {
    name: 'argReduce/as-constant',
    covers: ['argReduce'],
    inputs: [F([3, 4], { distinct: true })],
    // The argmax picks weights: a constant inside the graph, so the gradient is x's weights.
    build: (x) => M.mul(x, M.cast(M.argReduce(x, 'argmax', 1, true), x.dtype)),
  },
  { name: 'argReduce(argmax)/1023', covers: ['argReduce'], inputs: [F([3, 1023])], build: (x) => M.argReduce(x, 'argmax', 1), large: true },
];
