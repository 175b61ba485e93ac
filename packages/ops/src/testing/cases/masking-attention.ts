// Battery cases for tril, triu, maskedFill and scaledDotProductAttention (issue #13): diagonals
// above and below, batches, integer and bool inputs, broadcast masks, causal and padded attention,
// float masks, broadcast batch dims and seeded dropout.
import * as M from '../../index.js';
import { B, C, F, type OpCase } from '../case.js';

/** A bool [rows, cols] mask with at least one true per row (a fully masked row is NaN in torch too). */
const rowsWithKeys = (rows: number, cols: number) => ({
  shape: [rows, cols],
  dtype: 'bool' as const,
  values: Array.from({ length: rows * cols }, (_, k) => (k % cols === (k / cols | 0) % cols || (k * 7) % 3 === 0 ? 1 : 0)),
});

export const maskingAttentionCases: OpCase[] = [
  { name: 'tril/default', covers: ['tril'], inputs: [F([3, 4])], build: (x) => M.tril(x) },
  { name: 'tril/diag-neg1-batch', covers: ['tril'], inputs: [F([2, 3, 4])], build: (x) => M.tril(x, -1) },
  { name: 'tril/diag2-tall', covers: ['tril'], inputs: [F([5, 3])], build: (x) => M.tril(x, 2) },
  { name: 'tril/int32', covers: ['tril'], inputs: [{ shape: [3, 3], dtype: 'int32', min: -9, max: 9 }], build: (x) => M.tril(x) },
  { name: 'tril/bool', covers: ['tril'], inputs: [B([3, 4])], build: (x) => M.tril(x, 1) },
  { name: 'tril/empty', covers: ['tril'], inputs: [F([2, 0, 3])], build: (x) => M.tril(x) },
  { name: 'triu/default', covers: ['triu'], inputs: [F([3, 4])], build: (x) => M.triu(x) },
  { name: 'triu/diag-neg1-batch', covers: ['triu'], inputs: [F([2, 4, 3])], build: (x) => M.triu(x, -1) },
  { name: 'triu/diag3-wide', covers: ['triu'], inputs: [F([2, 7])], build: (x) => M.triu(x, 3) },
  { name: 'triu/method-then-sum', covers: ['triu'], inputs: [F([4, 4])], build: (x) => x.triu(1).sum(1) },
  { name: 'maskedFill/same-shape', covers: ['maskedFill'], inputs: [F([3, 4]), B([3, 4])], build: (x, m) => M.maskedFill(x, m, -1.5) },
  { name: 'maskedFill/broadcast-mask', covers: ['maskedFill'], inputs: [F([2, 3, 4]), B([3, 1])], build: (x, m) => M.maskedFill(x, m, 2) },
  { name: 'maskedFill/broadcast-both', covers: ['maskedFill'], inputs: [F([4]), B([3, 1])], build: (x, m) => M.maskedFill(x, m, 0.5) },
  {
    name: 'maskedFill/neg-inf-softmax',
    covers: ['maskedFill'],
    inputs: [F([3, 5]), rowsWithKeys(3, 5)],
    build: (x, m) => M.softmax(M.maskedFill(x, M.logicalNot(m), -Infinity), -1),
  },
  { name: 'maskedFill/int32-truncates', covers: ['maskedFill'], inputs: [{ shape: [2, 3], dtype: 'int32', min: -9, max: 9 }, B([2, 3])], build: (x, m) => M.maskedFill(x, m, 2.7) },
  {
    name: 'scaledDotProductAttention/basic',
    covers: ['scaledDotProductAttention'],
    inputs: [F([2, 3, 4]), F([2, 5, 4]), F([2, 5, 6])],
    build: (q, k, v) => M.scaledDotProductAttention(q, k, v),
  },
  {
    name: 'scaledDotProductAttention/causal-heads',
    covers: ['scaledDotProductAttention'],
    inputs: [F([1, 2, 4, 3]), F([1, 2, 4, 3]), F([1, 2, 4, 3])],
    build: (q, k, v) => M.scaledDotProductAttention(q, k, v, { isCausal: true }),
  },
  {
    name: 'scaledDotProductAttention/causal-2d-short-query',
    covers: ['scaledDotProductAttention'],
    inputs: [F([3, 4]), F([5, 4]), F([5, 2])],
    build: (q, k, v) => M.scaledDotProductAttention(q, k, v, { isCausal: true }),
  },
  {
    name: 'scaledDotProductAttention/bool-mask-broadcast',
    covers: ['scaledDotProductAttention'],
    inputs: [F([2, 3, 4]), F([2, 5, 4]), F([2, 5, 3]), rowsWithKeys(3, 5)],
    build: (q, k, v, m) => M.scaledDotProductAttention(q, k, v, { attnMask: m }),
  },
  {
    name: 'scaledDotProductAttention/float-mask-scale',
    covers: ['scaledDotProductAttention'],
    inputs: [F([2, 3, 4]), F([2, 5, 4]), F([2, 5, 3]), C([2, 1, 5])],
    build: (q, k, v, m) => M.scaledDotProductAttention(q, k, v, { attnMask: m, scale: 0.3 }),
  },
  {
    name: 'scaledDotProductAttention/broadcast-batch',
    covers: ['scaledDotProductAttention'],
    inputs: [F([2, 1, 3, 4]), F([1, 2, 5, 4]), F([1, 2, 5, 4])],
    build: (q, k, v) => M.scaledDotProductAttention(q, k, v),
  },
  {
    name: 'scaledDotProductAttention/size-1',
    covers: ['scaledDotProductAttention'],
    inputs: [F([1, 1, 1]), F([1, 1, 1]), F([1, 1, 1])],
    build: (q, k, v) => M.scaledDotProductAttention(q, k, v, { isCausal: true }),
  },
  {
    name: 'scaledDotProductAttention/dropout-seeded',
    covers: ['scaledDotProductAttention'],
    inputs: [F([2, 3, 4]), F([2, 5, 4]), F([2, 5, 3])],
    build: (q, k, v) => M.scaledDotProductAttention(q, k, v, { dropoutP: 0.25, seed: 3 }),
  },
  {
    name: 'scaledDotProductAttention/large-causal',
    covers: ['scaledDotProductAttention'],
    inputs: [F([2, 2, 37, 8]), F([2, 2, 37, 8]), F([2, 2, 37, 8])],
    build: (q, k, v) => M.scaledDotProductAttention(q, k, v, { isCausal: true }),
    large: true,
  },
];
