// broadcastShapes against a direct statement of numpy's rule, on random shapes (fast-check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { broadcastShapes, ShapeError } from '../src/index.js';

/** numpy's rule, written independently: align right; per dim every size is 1 or the one common size. */
function reference(shapes: number[][]): number[] | null {
  const ndim = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let k = 0; k < ndim; k++) {
    const sizes = shapes.map((s) => (k < ndim - s.length ? 1 : s[k - (ndim - s.length)]));
    const other = sizes.filter((d) => d !== 1);
    if (other.some((d) => d !== other[0])) return null;
    out.push(other.length > 0 ? other[0] : 1);
  }
  return out;
}

const dim = fc.constantFrom(0, 1, 1, 2, 3, 5);
const anyShapes = fc.array(fc.array(dim, { maxLength: 4 }), { minLength: 1, maxLength: 4 });
/** Shapes derived from one target: leading dims dropped, some dims set to 1, so they broadcast. */
const compatibleShapes = fc
  .array(dim, { maxLength: 5 })
  .chain((target) =>
    fc.array(
      fc.tuple(fc.nat(target.length), fc.array(fc.boolean(), { minLength: target.length, maxLength: target.length })).map(([drop, ones]) =>
        target.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)),
      ),
      { minLength: 1, maxLength: 4 },
    ),
  );

describe('broadcastShapes', () => {
  it('agrees with the reference rule on broadcastable shapes', () => {
    fc.assert(
      fc.property(compatibleShapes, (shapes) => {
        expect(reference(shapes)).not.toBeNull();
        expect(broadcastShapes('test', ...shapes)).toEqual(reference(shapes));
      }),
      { numRuns: 500 },
    );
  });

  it('agrees on arbitrary shapes, and names the op and every shape when they do not broadcast', () => {
    fc.assert(
      fc.property(anyShapes, (shapes) => {
        const want = reference(shapes);
        if (want !== null) {
          expect(broadcastShapes('test', ...shapes)).toEqual(want);
          return;
        }
        let err: unknown;
        try {
          broadcastShapes('myop', ...shapes);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(ShapeError);
        const message = (err as Error).message;
        expect(message.startsWith('myop: ')).toBe(true);
        for (const s of shapes) expect(message).toContain(`[${s.join(', ')}]`);
      }),
      { numRuns: 500 },
    );
  });

  it('handles scalars, empty dims and the identity', () => {
    expect(broadcastShapes('t')).toEqual([]);
    expect(broadcastShapes('t', [], [3])).toEqual([3]);
    expect(broadcastShapes('t', [0, 1], [1, 4])).toEqual([0, 4]);
    expect(() => broadcastShapes('t', [0], [2])).toThrow(ShapeError);
  });
});
