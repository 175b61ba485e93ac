// Battery cases for guarded reads inside guarded reads (pad of pad, reindex of reindex, slices
// with negative or 2 steps under pads) and for reindex/reindexReduce with a constant index, whose
// lowering once dropped the inner guard or the constant output dim.
import type { ReduceFn, Var } from '@metaop/core';
import * as M from '../../index.js';
import { F, type OpCase } from '../case.js';

const nestedGuardCases: OpCase[] = [
  {
    name: 'padMeta/pad-of-pad',
    covers: ['padMeta'],
    inputs: [F([3])],
    build: (x) => M.padMeta(M.padMeta(x, [2], [0], 0), [1], [0], 0),
  },
  {
    name: 'padMeta/pad-of-pad-two-fills',
    covers: ['padMeta'],
    inputs: [F([2, 3])],
    build: (x) => M.padMeta(M.padMeta(x, [1, 2], [2, 1], 5), [2, 1], [1, 2], -2),
  },
  {
    name: 'padMeta/pad-of-pad-of-pad',
    covers: ['padMeta'],
    inputs: [F([2, 2])],
    build: (x) => M.padMeta(M.padMeta(M.padMeta(x, [1, 0], [0, 1], 1), [0, 2], [1, 0], 0), [1, 1], [1, 1], 2),
  },
  {
    name: 'padMeta/sum-of-pad-of-pad',
    covers: ['padMeta', 'sum'],
    inputs: [F([3, 4])],
    build: (x) => M.sum(M.mul(M.padMeta(M.padMeta(x, [1, 1], [0, 2], 3), [2, 0], [1, 1], -1), 0.5), 1),
  },
  {
    name: 'reindex/reindex-of-reindex-overflow',
    covers: ['reindex'],
    inputs: [F([4, 5])],
    // The inner read falls outside x and hits its condition; the outer shifts past the inner.
    build: (x) => M.reindex(M.reindex(x, [5, 6], ['i0-1', 'i1'], -1, ['i1==2']), [6, 4], ['i0-1', 'i1*2-1'], 3),
  },
  {
    name: 'reindex/reindex-of-pad',
    covers: ['reindex', 'padMeta'],
    inputs: [F([3, 3])],
    build: (x) => M.reindex(M.padMeta(x, [1, 0], [1, 2], 4), [6, 6], ['i0-1', 'xshape1-1-i1'], -5),
  },
  {
    name: 'padMeta/pad-of-reindex',
    covers: ['reindex', 'padMeta'],
    inputs: [F([3, 4])],
    build: (x) => M.padMeta(M.reindex(x, [4, 4], ['i0-1', 'i1'], 7, ['i1%2==1']), [1, 2], [2, 0], -3),
  },
  {
    name: 'slice/negative-step-of-pad',
    covers: ['slice', 'padMeta'],
    inputs: [F([4, 5])],
    build: (x) => M.slice(M.padMeta(x, [2, 1], [1, 3], 6), [undefined, -2], [undefined, 0], [-1, -2]),
  },
  {
    name: 'slice/step-2-of-pad-of-pad',
    covers: ['slice', 'padMeta'],
    inputs: [F([5])],
    build: (x) => M.slice(M.padMeta(M.padMeta(x, [3], [1], 1), [1], [2], 0), [1], [undefined], [2]),
  },
  {
    name: 'padMeta/pad-of-negative-step-slice',
    covers: ['slice', 'padMeta'],
    inputs: [F([3, 6])],
    build: (x) => M.padMeta(M.slice(x, [undefined, undefined], [undefined, undefined], [-1, -2]), [1, 2], [2, 1], 0.5),
  },
  {
    name: 'slice/negative-step-of-step-2',
    covers: ['slice'],
    inputs: [F([9, 4])],
    build: (x) => M.slice(M.slice(x, [1, 0], [undefined, 4], [2, 1]), [undefined, 3], [undefined, undefined], [-1, -2]),
  },
  {
    name: 'reindex/windows-of-pad-fill-1',
    covers: ['reindex', 'padMeta', 'sum'],
    inputs: [F([5, 5])],
    // A convolution-like window over a 1-padded input, itself read with zero overflow.
    build: (x) => M.sum(M.reindex(M.padMeta(x, [1, 1], [1, 1], 1), [3, 3, 3, 3], ['i0*2-1+i2', 'i1*2-1+i3']), [2, 3]),
  },
];

/** reindexReduce(fn) with a constant output index: only that cell along the dim is written. */
function constantIndexCases(fn: ReduceFn): OpCase[] {
  // Cells nothing maps to hold ±Infinity for max/min; clamping keeps losses finite for finite differences.
  const finite = (v: Var): Var => (fn === 'max' ? M.maximum(v, -100) : fn === 'min' ? M.minimum(v, 100) : v);
  const range = fn === 'mul' ? { min: 0.5, max: 1.5 } : {};
  const distinct = fn === 'max' || fn === 'min';
  return [
    {
      name: `reindexReduce(${fn})/constant-index`,
      covers: ['reindexReduce'],
      inputs: [F([2, 3], { ...range, distinct })],
      build: (x) => finite(M.reindexReduce(x, fn, [2, 4], ['i0', '2'])),
    },
    {
      name: `reindexReduce(${fn})/constant-first-index`,
      covers: ['reindexReduce'],
      inputs: [F([3, 2], { ...range, distinct })],
      build: (x) => finite(M.reindexReduce(x, fn, [3, 2], ['1', 'i1'])),
    },
    {
      name: `reindexReduce(${fn})/constant-middle-index-3d`,
      covers: ['reindexReduce'],
      inputs: [F([2, 3, 4], { ...range, distinct })],
      build: (x) => finite(M.reindexReduce(x, fn, [2, 2, 4], ['i0', '1', 'i2'])),
    },
    {
      name: `reindexReduce(${fn})/constant-index-outside`,
      covers: ['reindexReduce'],
      inputs: [F([2, 3], { ...range, distinct })],
      // The constant 5 is outside [0, 4): nothing is written, every cell holds the identity.
      build: (x) => finite(M.reindexReduce(x, fn, [2, 4], ['i0', '5'])),
    },
  ];
}

/** reindex with a constant index: its gradient is reindexReduce(add) with that constant. */
const constantReindexCases: OpCase[] = [
  {
    name: 'reindex/constant-index',
    covers: ['reindex'],
    inputs: [F([2, 4])],
    build: (x) => M.reindex(x, [2, 3], ['i0', '2']),
  },
  {
    name: 'reindex/constant-index-broadcast-3d',
    covers: ['reindex'],
    inputs: [F([3, 4])],
    build: (x) => M.reindex(x, [2, 3, 5], ['1', 'i2-1'], -1),
  },
  {
    name: 'reindex/constant-index-times-input',
    covers: ['reindex'],
    inputs: [F([4, 3]), F([4, 5])],
    // Column 1 of a, broadcast along 5 columns, weighting b: the gradient of a sums into one column.
    build: (a, b) => M.mul(M.reindex(a, [4, 5], ['i0', '1']), b),
  },
];

export const guardCases: OpCase[] = [
  ...nestedGuardCases,
  ...(['add', 'mul', 'max', 'min'] as ReduceFn[]).flatMap(constantIndexCases),
  ...constantReindexCases,
];
