// Typed errors carry the user's own call site in their stack, even when thrown deep inside a chain
// of framework calls (V8 keeps 10 frames by default, which a chained op's checks can fill).
import { describe, expect, it } from 'vitest';
import { DisposedError, MetaOpError } from '@metaop/core';
import { setBackend, tensor } from '@metaop/ops';

const thisFile = 'error-stacks.test.ts';

function caught(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('error stacks', () => {
  it('a DisposedError from chained ops includes the line of the user that made the call', () => {
    setBackend('reference');
    const x = tensor([1, 2]);
    x.dispose();
    const e = caught(() => x.add(1).relu());
    expect(e).toBeInstanceOf(DisposedError);
    expect(e.stack).toContain(thisFile);
  });

  it('so does one found when a dependent is realized', () => {
    const a = tensor([1, 2]);
    const y = a.add(1);
    a.dispose();
    const e = caught(() => y.mul(2).relu().dataSync());
    expect(e).toBeInstanceOf(DisposedError);
    expect(e.stack).toContain(thisFile);
  });

  it('the global stack limit is left as it was', () => {
    const before = Error.stackTraceLimit;
    caught(() => {
      throw new MetaOpError('x', 'op');
    });
    expect(Error.stackTraceLimit).toBe(before);
  });
});
