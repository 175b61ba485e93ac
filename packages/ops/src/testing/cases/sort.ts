// Battery cases for sort, argsort and topk (issue #13): power-of-two and padded lengths, inner
// dims, descending, ties (stable order), NaN placement, integers and bools, k of 0 and of the size.
import * as M from '../../index.js';
import { B, F, I, type OpCase } from '../case.js';

// Ties: finite differences would reorder them, so these are forward-only.
const ties = { shape: [2, 6], values: [3, 1, 3, 2, 1, 3, -1, 0, -1, 0, 5, -1], noGrad: true };

export const sortCases: OpCase[] = [
  { name: 'sort/last-8', covers: ['sort'], inputs: [F([3, 8], { distinct: true })], build: (x) => M.sort(x) },
  { name: 'sort/padded-7', covers: ['sort'], inputs: [F([2, 7], { distinct: true })], build: (x) => M.sort(x, 1) },
  { name: 'sort/dim0-descending', covers: ['sort'], inputs: [F([5, 3], { distinct: true })], build: (x) => M.sort(x, 0, { descending: true }) },
  { name: 'sort/ties-stable', covers: ['sort'], inputs: [ties], build: (x) => M.sort(x, -1, { stable: true }) },
  { name: 'sort/ties-descending', covers: ['sort'], inputs: [ties], build: (x) => M.sort(x, -1, { descending: true }) },
  {
    name: 'sort/nan-and-inf',
    covers: ['sort'],
    inputs: [{ shape: [6], values: [1, NaN, -Infinity, 0.5, Infinity, NaN], noGrad: true }],
    build: (x) => [...M.sort(x), ...M.sort(x, 0, { descending: true })],
  },
  { name: 'sort/int32', covers: ['sort'], inputs: [I([2, 5], -4, 4)], build: (x) => M.sort(x) },
  { name: 'sort/bool', covers: ['sort'], inputs: [B([9])], build: (x) => M.sort(x) },
  { name: 'sort/size-1', covers: ['sort'], inputs: [F([3, 1])], build: (x) => M.sort(x) },
  { name: 'sort/long-100', covers: ['sort'], inputs: [F([100], { distinct: true })], build: (x) => M.sort(x, 0, { descending: true }) },
  { name: 'sort/wide-1023', covers: ['sort'], inputs: [F([2, 1023])], build: (x) => M.sort(x), large: true },
  { name: 'argsort/last', covers: ['argsort'], inputs: [F([3, 6], { distinct: true })], build: (x) => M.argsort(x) },
  { name: 'argsort/dim0-descending-ties', covers: ['argsort'], inputs: [I([6, 2], 0, 3)], build: (x) => M.argsort(x, 0, { descending: true }) },
  { name: 'argsort/values-by-gather', covers: ['argsort'], inputs: [F([2, 5], { distinct: true })], build: (x) => M.gather(x, 1, M.argsort(x)) },
  { name: 'topk/largest', covers: ['topk'], inputs: [F([3, 7], { distinct: true })], build: (x) => M.topk(x, 3) },
  { name: 'topk/smallest-dim0', covers: ['topk'], inputs: [F([6, 2], { distinct: true })], build: (x) => M.topk(x, 2, 0, { largest: false }) },
  { name: 'topk/k-all', covers: ['topk'], inputs: [F([5], { distinct: true })], build: (x) => M.topk(x, 5, 0, { sorted: true }) },
  { name: 'topk/k-0', covers: ['topk'], inputs: [F([2, 4])], build: (x) => M.topk(x, 0) },
];
