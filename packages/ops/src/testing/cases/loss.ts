// Battery cases for the losses: nllLoss, crossEntropy, mse, binaryCrossEntropyWithLogits, l1Loss,
// smoothL1Loss, with PyTorch's reductions, class weights, ignoreIndex and label smoothing.
import * as M from '../../index.js';
import { C, F, I, type OpCase } from '../case.js';

/** Class targets in [0, 4) with one ignored entry (-100) at position 2. */
const targetsWithIgnored = (n: number) => ({ shape: [n], dtype: 'int32' as const, values: Array.from({ length: n }, (_, i) => (i === 2 ? -100 : (i * 3) % 4)) });

export const lossCases: OpCase[] = [
  { name: 'nllLoss/mean', covers: ['nllLoss'], inputs: [F([5, 4]), I([5], 0, 4)], build: (lp, t) => M.nllLoss(lp, t) },
  { name: 'nllLoss/sum', covers: ['nllLoss'], inputs: [F([5, 4]), I([5], 0, 4)], build: (lp, t) => M.nllLoss(lp, t, { reduction: 'sum' }) },
  { name: 'nllLoss/none-spatial', covers: ['nllLoss'], inputs: [F([2, 3, 2, 2]), I([2, 2, 2], 0, 3)], build: (lp, t) => M.nllLoss(lp, t, { reduction: 'none' }) },
  {
    name: 'nllLoss/weight-ignore',
    covers: ['nllLoss'],
    inputs: [F([5, 4]), targetsWithIgnored(5), C([4], { min: 0.2, max: 2 })],
    build: (lp, t, w) => M.nllLoss(lp, t, { weight: w }),
  },
  { name: 'crossEntropy/indices', covers: ['crossEntropy'], inputs: [F([4, 5]), I([4], 0, 5)], build: (x, t) => M.crossEntropy(x, t) },
  { name: 'crossEntropy/indices-1d-logits', covers: ['crossEntropy'], inputs: [F([5]), { shape: [], dtype: 'int32', values: [3] }], build: (x, t) => M.crossEntropy(x, t) },
  {
    name: 'crossEntropy/indices-spatial-sum',
    covers: ['crossEntropy'],
    inputs: [F([2, 3, 2]), I([2, 2], 0, 3)],
    build: (x, t) => M.crossEntropy(x, t, { reduction: 'sum' }),
  },
  {
    name: 'crossEntropy/probabilities',
    covers: ['crossEntropy'],
    inputs: [F([3, 4]), F([3, 4], { min: 0, max: 1 })],
    build: (x, p) => M.crossEntropy(x, p),
  },
  {
    name: 'crossEntropy/probabilities-smoothing-weight',
    covers: ['crossEntropy'],
    inputs: [F([3, 4]), F([3, 4], { min: 0, max: 1 }), C([4], { min: 0.5, max: 1.5 })],
    build: (x, p, w) => M.crossEntropy(x, p, { labelSmoothing: 0.2, weight: w, reduction: 'sum' }),
  },
  {
    name: 'crossEntropy/label-smoothing',
    covers: ['crossEntropy'],
    inputs: [F([4, 5]), I([4], 0, 5)],
    build: (x, t) => M.crossEntropy(x, t, { labelSmoothing: 0.1 }),
  },
  {
    name: 'crossEntropy/weight-ignore',
    covers: ['crossEntropy'],
    inputs: [F([5, 4]), targetsWithIgnored(5), C([4], { min: 0.2, max: 2 })],
    build: (x, t, w) => M.crossEntropy(x, t, { weight: w }),
  },
  {
    name: 'crossEntropy/weight-ignore-smoothing',
    covers: ['crossEntropy'],
    inputs: [F([5, 4]), targetsWithIgnored(5), C([4], { min: 0.2, max: 2 })],
    build: (x, t, w) => M.crossEntropy(x, t, { weight: w, labelSmoothing: 0.3 }),
  },
  {
    name: 'crossEntropy/smoothing-none',
    covers: ['crossEntropy'],
    inputs: [F([5, 4]), targetsWithIgnored(5)],
    build: (x, t) => M.crossEntropy(x, t, { labelSmoothing: 0.25, reduction: 'none' }),
  },
  { name: 'mse/mean', covers: ['mse'], inputs: [F([3, 4]), F([3, 4])], build: (a, b) => M.mse(a, b) },
  { name: 'mse/sum', covers: ['mse'], inputs: [F([5]), F([5])], build: (a, b) => M.mse(a, b, 'sum') },
  { name: 'mse/none', covers: ['mse'], inputs: [F([2, 3]), F([2, 3])], build: (a, b) => M.mse(a, b, 'none') },
  {
    name: 'binaryCrossEntropyWithLogits/mean',
    covers: ['binaryCrossEntropyWithLogits'],
    inputs: [F([3, 4], { min: -4, max: 4, avoid: [0] }), F([3, 4], { min: 0, max: 1 })],
    build: (x, y) => M.binaryCrossEntropyWithLogits(x, y),
  },
  {
    name: 'binaryCrossEntropyWithLogits/posWeight',
    covers: ['binaryCrossEntropyWithLogits'],
    inputs: [F([3, 4], { min: -4, max: 4, avoid: [0] }), F([3, 4], { min: 0, max: 1 }), C([4], { min: 0.5, max: 3 })],
    build: (x, y, pw) => M.binaryCrossEntropyWithLogits(x, y, { posWeight: pw, reduction: 'sum' }),
  },
  {
    name: 'binaryCrossEntropyWithLogits/weight-none',
    covers: ['binaryCrossEntropyWithLogits'],
    inputs: [F([2, 3], { min: -4, max: 4, avoid: [0] }), F([2, 3], { min: 0, max: 1 }), C([2, 3], { min: 0.5, max: 2 })],
    build: (x, y, w) => M.binaryCrossEntropyWithLogits(x, y, { weight: w, reduction: 'none' }),
  },
  { name: 'l1Loss/mean', covers: ['l1Loss'], inputs: [F([3, 4]), F([3, 4])], build: (a, b) => M.l1Loss(a, b) },
  { name: 'l1Loss/sum', covers: ['l1Loss'], inputs: [F([5]), F([5])], build: (a, b) => M.l1Loss(a, b, 'sum') },
  { name: 'smoothL1Loss/mean', covers: ['smoothL1Loss'], inputs: [F([3, 4]), F([3, 4])], build: (a, b) => M.smoothL1Loss(a, b) },
  { name: 'smoothL1Loss/beta-none', covers: ['smoothL1Loss'], inputs: [F([2, 4]), F([2, 4])], build: (a, b) => M.smoothL1Loss(a, b, 0.5, 'none') },
  { name: 'smoothL1Loss/beta0-sum', covers: ['smoothL1Loss'], inputs: [F([6]), F([6])], build: (a, b) => M.smoothL1Loss(a, b, 0, 'sum') },
  { name: 'binaryCrossEntropy/mean', covers: ['binaryCrossEntropy'], inputs: [F([3, 4], { min: 0.05, max: 0.95 }), C([3, 4], { min: 0, max: 1 })], build: (p, y) => M.binaryCrossEntropy(p, y) },
  {
    name: 'binaryCrossEntropy/weight-sum',
    covers: ['binaryCrossEntropy'],
    inputs: [F([2, 3], { min: 0.05, max: 0.95 }), C([2, 3], { min: 0, max: 1 }), C([3], { min: 0.5, max: 2 })],
    build: (p, y, w) => M.binaryCrossEntropy(p, y, { weight: w, reduction: 'sum' }),
  },
  {
    name: 'binaryCrossEntropy/clamped-log-none',
    covers: ['binaryCrossEntropy'],
    inputs: [{ shape: [4], values: [0, 1, 0.3, 1], noGrad: true }, { shape: [4], values: [1, 0, 0.5, 1], noGrad: true }, F([4], { min: 0.1, max: 0.9 })],
    build: (p, y, q) => M.add(M.binaryCrossEntropy(p, y, { reduction: 'none' }), M.binaryCrossEntropy(q, y, { reduction: 'none' })),
  },
];
