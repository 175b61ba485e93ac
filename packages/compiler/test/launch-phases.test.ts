// launchPhases: a statement that touches a buffer an earlier statement of the launch wrote starts a
// new launch; independent statements share one.
import { describe, expect, it } from 'vitest';
import { launchPhases, type Expr, type Stmt } from '@metaop/compiler';

const at0 = { kind: 'const', value: 0 } as const;
const load = (buf: number): Expr => ({ op: 'load', buf, index: at0, dynamic: [], valid: { kind: 'bool', value: true }, fill: 0, dtype: 'float32' });
const store = (buf: number, value: Expr): Stmt => ({ s: 'store', buf, index: at0, value });

describe('launchPhases', () => {
  it('keeps independent stores in one launch', () => {
    const body = [store(2, load(0)), store(3, load(1))];
    expect(launchPhases(body)).toEqual([body]);
  });

  it('splits a read of a buffer written earlier in the launch (restaged copy before its use)', () => {
    const copy = store(2, load(0));
    const use = store(3, load(2));
    expect(launchPhases([copy, use])).toEqual([[copy], [use]]);
  });

  it('splits a write after a write of the same buffer (a scatter after its init)', () => {
    const init = store(2, { op: 'const', value: 0, dtype: 'float32' });
    const again = store(2, load(0));
    const other = store(3, load(1));
    expect(launchPhases([init, other, again])).toEqual([[init, other], [again]]);
  });
});
