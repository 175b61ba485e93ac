// Exact keys: two numbers share a key exactly when a backend cannot tell them apart.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { numberKey, opAttrsKey, type OpNode } from '@metaop/core';

const sameForBackends = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

describe('numberKey', () => {
  it('tells apart exactly the doubles a backend can tell apart (any bits, NaN payloads included)', () => {
    const bits = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((b) => new Float64Array(new BigUint64Array([b]).buffer)[0]);
    const special = fc.constantFrom(0, -0, Infinity, -Infinity, NaN, 5e-324, -5e-324, Number.MAX_VALUE, 1.401298464324817e-45);
    const value = fc.oneof(bits, special, fc.double());
    fc.assert(
      fc.property(value, value, (a, b) => (numberKey(a) === numberKey(b)) === sameForBackends(a, b)),
      { numRuns: 2000, seed: 3 },
    );
  });

  it('parses back to the same double', () => {
    fc.assert(fc.property(fc.double({ noNaN: true }), (a) => Object.is(Number(numberKey(a)), a)), { numRuns: 2000, seed: 4 });
  });
});

describe('opAttrsKey', () => {
  it('keys pad values -Infinity, Infinity, NaN, -0 and 0 apart (JSON.stringify made the first three null)', () => {
    const x = {} as never;
    const keys = [-Infinity, Infinity, NaN, -0, 0].map((value) =>
      opAttrsKey({ op: 'pad', before: [1], after: [1], value, inputs: [x] } as OpNode),
    );
    expect(new Set(keys).size).toBe(5);
  });
});
