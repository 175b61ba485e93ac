// Chainable methods (x.add(y).relu()) give the same values as the functions they stand for.
import { beforeAll, describe, expect, it } from 'vitest';
import * as M from '@metaop/ops';
import type { Var } from '@metaop/ops';

beforeAll(() => {
  M.setBackend('reference');
});

const x = () => M.tensor([[0.5, -1.5, 2], [-0.25, 1, 3]]);
const y = () => M.tensor([1.5, -2, 0.75]);
const idx = () => M.tensor([[2, 0], [1, 1]], undefined, 'int32');

/** [method, call through the method, call through the function]. */
const pairs: [string, (v: Var) => Var | Var[], (v: Var) => Var | Var[]][] = [
  ['add', (v) => v.add(y()), (v) => M.add(v, y())],
  ['sub', (v) => v.sub(2), (v) => M.sub(v, 2)],
  ['mul', (v) => v.mul(y()), (v) => M.mul(v, y())],
  ['div', (v) => v.div(y()), (v) => M.div(v, y())],
  ['pow', (v) => v.abs().pow(1.5), (v) => M.pow(M.abs(v), 1.5)],
  ['remainder', (v) => v.remainder(0.7), (v) => M.remainder(v, 0.7)],
  ['maximum', (v) => v.maximum(y()), (v) => M.maximum(v, y())],
  ['minimum', (v) => v.minimum(0), (v) => M.minimum(v, 0)],
  ['comparisons', (v) => [v.lt(0), v.le(1), v.gt(0), v.ge(1), v.eq(1), v.ne(1)], (v) => [M.lt(v, 0), M.le(v, 1), M.gt(v, 0), M.ge(v, 1), M.eq(v, 1), M.ne(v, 1)]],
  ['logical', (v) => [v.gt(0).logicalAnd(v.lt(2)), v.gt(0).logicalOr(v.lt(-1)), v.gt(0).logicalNot()], (v) => [M.logicalAnd(M.gt(v, 0), M.lt(v, 2)), M.logicalOr(M.gt(v, 0), M.lt(v, -1)), M.logicalNot(M.gt(v, 0))]],
  ['unary', (v) => [v.neg(), v.abs(), v.exp(), v.abs().log(), v.abs().sqrt(), v.abs().rsqrt(), v.sin(), v.cos(), v.tanh(), v.sigmoid(), v.erf(), v.floor(), v.ceil(), v.round(), v.square(), v.reciprocal(), v.sign()],
    (v) => [M.neg(v), M.abs(v), M.exp(v), M.log(M.abs(v)), M.sqrt(M.abs(v)), M.rsqrt(M.abs(v)), M.sin(v), M.cos(v), M.tanh(v), M.sigmoid(v), M.erf(v), M.floor(v), M.ceil(v), M.round(v), M.square(v), M.reciprocal(v), M.sign(v)]],
  ['clamp', (v) => v.clamp(-1, 1), (v) => M.clamp(v, -1, 1)],
  ['reductions', (v) => [v.sum(), v.mean(1), v.max(0), v.min(), v.prod(1, true), v.argmax(), v.argmin(1), v.var(1), v.std(), v.logsumexp(1), v.softmax(), v.logSoftmax(0)],
    (v) => [M.sum(v), M.mean(v, 1), M.max(v, 0), M.min(v), M.prod(v, 1, true), M.argmax(v), M.argmin(v, 1), M.var(v, 1), M.std(v), M.logsumexp(v, 1), M.softmax(v), M.logSoftmax(v, 0)]],
  ['shape', (v) => [v.reshape([3, 2]), v.flatten(), v.unsqueeze(0).squeeze(), v.permute(1, 0), v.transpose(), v.reshape([2, 1, 3]).expand([2, 4, 3]), v.reshape([1, 2, 3]).broadcastTo([2, 2, 3]), v.detach(), v.cast('int32')],
    (v) => [M.reshape(v, [3, 2]), M.flatten(v), M.squeeze(M.unsqueeze(v, 0)), M.permute(v, [1, 0]), M.transpose(v), M.expand(M.reshape(v, [2, 1, 3]), [2, 4, 3]), M.broadcast(M.reshape(v, [1, 2, 3]), [2, 2, 3]), M.detach(v), M.cast(v, 'int32')]],
  ['slicing', (v) => [v.at(1, '::-1'), v.narrow(1, 1, 2), v.flip(0), v.repeat(2, 1), v.roll(1, 1), ...v.split(1), ...v.chunk(2, 1)],
    (v) => [M.at(v, 1, '::-1'), M.narrow(v, 1, 1, 2), M.flip(v, 0), M.repeat(v, [2, 1]), M.roll(v, 1, 1), ...M.split(v, 1), ...M.chunk(v, 2, 1)]],
  ['indexing', (v) => [v.gather(1, idx()), v.indexSelect(1, M.tensor([2, 0], undefined, 'int32')), v.scatterAdd(1, idx(), M.ones([2, 2]))],
    (v) => [M.gather(v, 1, idx()), M.indexSelect(v, 1, M.tensor([2, 0], undefined, 'int32')), M.scatterAdd(v, 1, idx(), M.ones([2, 2]))]],
  ['matmul', (v) => v.matmul(M.transpose(v)), (v) => M.matmul(v, M.transpose(v))],
  ['activations', (v) => [v.relu(), v.gelu(), v.gelu('tanh'), v.silu(), v.leakyRelu(0.1), v.elu(0.5), v.softplus(2), v.dropout(0.5, { seed: 1 })],
    (v) => [M.relu(v), M.gelu(v), M.gelu(v, 'tanh'), M.silu(v), M.leakyRelu(v, 0.1), M.elu(v, 0.5), M.softplus(v, 2), M.dropout(v, 0.5, { seed: 1 })]],
];

describe('chainable methods', () => {
  it.each(pairs)('%s', (_name, method, fn) => {
    const a = [method(x())].flat();
    const b = [fn(x())].flat();
    expect(a.length).toBe(b.length);
    a.forEach((v, k) => {
      expect(v.shape).toEqual(b[k].shape);
      expect(v.dtype).toBe(b[k].dtype);
      expect(Array.from(v.dataSync())).toEqual(Array.from(b[k].dataSync()));
    });
  });

  it('chains', () => {
    expect(x().add(1).relu().sum().item()).toBeCloseTo(1.5 + 0 + 3 + 0.75 + 2 + 4, 6);
  });
});
