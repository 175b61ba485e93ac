// Bad input throws a typed error whose message names the op, the shapes involved and the fix.
import { beforeAll, describe, expect, it } from 'vitest';
import { DisposedError, DTypeError, IndexExprError, MetaOpError, ShapeError } from '@metaop/core';
import * as M from '@metaop/ops';

/** The error `fn` throws; fails the test when it throws nothing. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, none was thrown');
}

function expectError(fn: () => unknown, cls: new (...args: never[]) => Error, op: string, ...parts: string[]): Error {
  const e = thrown(fn);
  expect(e).toBeInstanceOf(cls);
  expect(e).toBeInstanceOf(MetaOpError);
  expect((e as MetaOpError).op).toBe(op);
  expect(e.message.startsWith(`${op}: `)).toBe(true);
  for (const p of parts) expect(e.message).toContain(p);
  return e;
}

beforeAll(() => {
  M.setBackend('reference');
});

describe('shape errors', () => {
  it('add of [2, 3] and [4] names both shapes and how to fix it', () => {
    expectError(() => M.add(M.zeros([2, 3]), M.zeros([4])), ShapeError, 'add', '[2, 3]', '[4]', 'cannot be broadcast', 'reshape or unsqueeze');
  });

  it('the binary meta-op needs equal shapes', () => {
    expectError(() => M.binary(M.zeros([2, 3]), M.zeros([3]), 'mul'), ShapeError, 'binary(mul)', '[2, 3]', '[3]', 'broadcast');
  });

  it('sum over dim 5 of a 2-D Var names the shape and the valid range', () => {
    expectError(() => M.sum(M.zeros([2, 3]), 5), ShapeError, 'sum', 'dim 5', '[2, 3]', '[-2, 1]');
    expectError(() => M.softmax(M.zeros([4]), -2), ShapeError, 'softmax', 'dim -2', '[4]');
  });

  it('reshape to a wrong size names both sizes', () => {
    expectError(() => M.reshape(M.zeros([2, 3]), [4]), ShapeError, 'reshape', '[2, 3]', '6 elements', '[4]', '4 elements');
    expectError(() => M.reshape(M.zeros([2, 3]), [4, -1]), ShapeError, 'reshape', '[2, 3]', '[4, -1]');
  });

  it('matmul with different inner dims names both operands', () => {
    expectError(() => M.matmul(M.zeros([2, 3]), M.zeros([4, 5])), ShapeError, 'matmul', '[2, 3] @ [4, 5]', '3 vs 4');
  });

  it('conv2d with mismatched channels names input, weight and groups', () => {
    expectError(() => M.conv2d(M.zeros([1, 3, 5, 5]), M.zeros([2, 4, 3, 3])), ShapeError, 'conv2d', '[1, 3, 5, 5]', '[2, 4, 3, 3]', 'groups 1');
    expectError(() => M.conv2d(M.zeros([1, 4, 5, 5]), M.zeros([3, 2, 3, 3]), { groups: 2 }), ShapeError, 'conv2d', 'groups 2', 'output channels 3');
    expectError(() => M.conv2d(M.zeros([1, 1, 2, 2]), M.zeros([1, 1, 3, 3])), ShapeError, 'conv2d', '[1, 1, 2, 2]', 'larger than');
  });

  it('losses and pooling name the shapes they expected', () => {
    expectError(() => M.crossEntropy(M.zeros([4, 5]), M.zeros([3], 'int32')), ShapeError, 'crossEntropy', '[3]', '[4]', '[4, 5]');
    expectError(() => M.maxPool2d(M.zeros([4, 4]), 2), ShapeError, 'maxPool2d', '[4, 4]', '[N, C, H, W]');
  });
});

describe('dtype errors', () => {
  it('exp of int32 through the unary meta-op', () => {
    expectError(() => M.unary(M.zeros([2, 3], 'int32'), 'exp'), DTypeError, 'unary(exp)', 'int32[2, 3]', "cast(x, 'float32')");
  });

  it('binary of float32 and int32 through the meta-op names both operands', () => {
    expectError(() => M.binary(M.zeros([2]), M.zeros([2], 'int32'), 'add'), DTypeError, 'binary(add)', 'float32[2]', 'int32[2]', 'cast()');
  });

  it('the derived ops promote instead of throwing', () => {
    expect(M.add(M.zeros([2]), M.zeros([2], 'int32')).dtype).toBe('float32');
  });

  it('ternary needs a bool condition, gather an int32 index', () => {
    expectError(() => M.ternary(M.zeros([2]), M.zeros([2]), M.zeros([2])), DTypeError, 'ternary', 'float32[2]', 'compare first');
    expectError(() => M.gatherMeta(M.zeros([2]), 0, M.zeros([2])), DTypeError, 'gather', 'int32');
    expectError(() => M.grad(M.sum(M.zeros([2])), M.zeros([2], 'int32')), DTypeError, 'grad', 'int32[2]');
  });
});

describe('index expression errors', () => {
  const x = () => M.zeros([2, 3]);
  const bad = (expr: string, ...parts: string[]) =>
    expectError(() => M.reindex(x(), [2, 3], [expr, 'i1']), IndexExprError, 'reindex', JSON.stringify(expr), 'float32[2, 3]', ...parts);

  it('rejects malformed expressions with the column and the grammar', () => {
    bad('i0+', 'column 4', 'index expressions may use');
    bad('(i0', "expected ')'");
    bad('i0 i1', "unexpected 'i1'");
  });

  it('rejects injected code', () => {
    bad('i0; system("rm -rf /")', 'unexpected character ";"');
    bad('i0) + exit(', "unexpected ')'");
    bad('i0 + process.exit(1)', 'unexpected character "."');
    bad('process + i0', "unknown name 'process'");
    bad('`i0`', 'unexpected character');
  });

  it('rejects unknown names and axes outside the iteration space', () => {
    bad('foo + 1', "unknown name 'foo'");
    bad('i9', 'i9 is out of range', 'iterates over 2 axes (i0..i1)');
  });

  it('rejects division by zero and constants beyond 2^53', () => {
    bad('i0/(2-2)', 'divides by zero');
    bad('i0*9007199254740991*4', 'exceeds 2^53');
  });

  it('rejects conditions where an expression is expected', () => {
    bad('i0<1', 'it is a condition');
    // The reverse is Jittor's integer-valued condition (true where non-zero): see jittor-semantics.test.ts.
    expectError(() => M.reindex(x(), [2, 3], ['i0 && i1', 'i1']), IndexExprError, 'reindex', 'it is a condition');
  });

  it('names the input space of reindexReduce', () => {
    expectError(() => M.reindexReduce(x(), 'add', [2], ['i2']), IndexExprError, 'reindexReduce(add)', "input's i0..i1", 'i2 is out of range');
  });
});

describe('use after dispose', () => {
  it('throws a DisposedError naming the op and the Var', () => {
    const v = M.ones([2, 3]);
    v.dispose();
    expectError(() => M.add(v, 1), DisposedError, 'add', 'float32[2, 3]', 'keep()');
    expectError(() => v.dataSync(), DisposedError, 'realize', 'float32[2, 3]');
    expectError(() => M.exp(v), DisposedError, 'exp');
  });

  it('covers Vars disposed by an enclosing tidy', () => {
    let inner: M.Var | undefined;
    const kept = M.tidy(() => {
      inner = M.mul(M.ones([4]), 2);
      return M.add(inner, 1);
    });
    expect(Array.from(kept.dataSync())).toEqual([3, 3, 3, 3]);
    expectError(() => M.sum(inner as M.Var), DisposedError, 'sum', 'float32[4]', 'tidy');
  });

  it('covers a lazy Var whose data input was disposed before it was realized', () => {
    const a = M.tensor([1, 1]);
    const b = M.add(a, 1);
    a.dispose();
    expectError(() => b.dataSync(), DisposedError, 'realize', 'float32[2]', 'disposed before');
  });
});
