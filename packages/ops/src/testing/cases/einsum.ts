// Battery cases for einsum (issue #13): matmul, batches, diagonals and traces, transposes, outer
// products, ellipsis broadcasting, three operands, implicit outputs and full sums.
import * as M from '../../index.js';
import { F, I, type OpCase } from '../case.js';

const e = (name: string, equation: string, shapes: number[][]): OpCase => ({
  name: `einsum/${name}`,
  covers: ['einsum'],
  inputs: shapes.map((s) => F(s)),
  build: (...xs) => M.einsum(equation, ...xs),
});

export const einsumCases: OpCase[] = [
  e('matmul', 'ij,jk->ik', [[3, 4], [4, 5]]),
  e('batch-matmul', 'bij,bjk->bik', [[2, 3, 4], [2, 4, 2]]),
  e('diagonal', 'ii->i', [[4, 4]]),
  e('trace-implicit', 'ii', [[3, 3]]),
  e('transpose', 'ij->ji', [[2, 5]]),
  e('outer', 'i,j->ij', [[3], [4]]),
  e('ellipsis-broadcast', '...ij,...jk->...ik', [[2, 1, 3, 4], [5, 4, 2]]),
  e('three-operands', 'ij,ij,ij->i', [[3, 4], [3, 4], [3, 4]]),
  e('attention-scores', 'bhld,bhsd->bhls', [[1, 2, 3, 4], [1, 2, 5, 4]]),
  e('implicit-matmul', 'ij,jk', [[2, 3], [3, 4]]),
  e('sum-all', 'ij->', [[3, 4]]),
  e('size-1-broadcast', 'ij,ij->ij', [[3, 1], [3, 4]]),
  { name: 'einsum/int32', covers: ['einsum'], inputs: [I([2, 3], -5, 5), I([3], -5, 5)], build: (a, b) => M.einsum('ij,j->i', a, b) },
];
