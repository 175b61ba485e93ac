// Battery cases for the index-tensor ops: gather, scatterAdd, indexSelect, oneHot, embedding.
import * as M from '../../index.js';
import { F, I, type OpCase } from '../case.js';

export const indexingCases: OpCase[] = [
  { name: 'gather/dim1', covers: ['gather'], inputs: [F([3, 4]), I([3, 2], 0, 4)], build: (x, i) => M.gather(x, 1, i) },
  { name: 'gather/dim0-3d', covers: ['gather'], inputs: [F([3, 2, 2]), I([4, 2, 2], 0, 3)], build: (x, i) => M.gather(x, 0, i) },
  {
    name: 'scatterAdd/dim0',
    covers: ['scatterAdd'],
    inputs: [F([3, 4]), I([2, 4], 0, 3), F([2, 4])],
    build: (x, i, src) => M.scatterAdd(x, 0, i, src),
  },
  {
    name: 'scatterAdd/dim1-duplicates',
    covers: ['scatterAdd'],
    inputs: [F([2, 3]), I([2, 5], 0, 3), F([2, 5])],
    build: (x, i, src) => M.scatterAdd(x, 1, i, src),
  },
  { name: 'indexSelect/dim0', covers: ['indexSelect'], inputs: [F([4, 3]), I([5], 0, 4)], build: (x, i) => M.indexSelect(x, 0, i) },
  { name: 'indexSelect/dim1', covers: ['indexSelect'], inputs: [F([2, 4, 2]), I([3], 0, 4)], build: (x, i) => M.indexSelect(x, 1, i) },
  { name: 'embedding/2d-ids', covers: ['embedding'], inputs: [I([2, 3], 0, 6), F([6, 4])], build: (ids, w) => M.embedding(ids, w) },
  { name: 'embedding/scalar-id', covers: ['embedding'], inputs: [{ shape: [], dtype: 'int32', values: [4] }, F([5, 3])], build: (id, w) => M.embedding(id, w) },
  { name: 'oneHot', covers: ['oneHot'], inputs: [I([2, 3], 0, 5)], build: (i) => M.oneHot(i, 5) },
  {
    name: 'oneHot/in-composition',
    covers: ['oneHot'],
    inputs: [F([4, 3]), I([4], 0, 3)],
    build: (x, i) => M.mul(x, M.oneHot(i, 3, x.dtype)),
  },
];
