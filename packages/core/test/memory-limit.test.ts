// Huge tensors and flags.memoryLimit: a size that overflows 2^53 bytes, or that would pass the
// limit, fails before planning or allocating, with an OutOfMemoryError naming the tensor.
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { checkShape, flagScope, itemSize, memory, OutOfMemoryError, ShapeError, Var, type DType } from '../src/index.js';
import { add, constant, data, useTestBackend, type TestBackend } from './helpers.js';
import { fuzzRuns } from './fuzz-runs.js';

let backend: TestBackend;
beforeEach(() => {
  backend = useTestBackend();
});

const dims = fc.oneof(
  fc.integer({ min: 0, max: 6 }),
  fc.constantFrom(2 ** 10, 2 ** 16, 2 ** 20, 2 ** 26, 2 ** 31, 2 ** 32, 2 ** 40, 2 ** 53 - 1),
);
const shapes = fc.array(dims, { minLength: 0, maxLength: 4 });
const dtypes = fc.constantFrom<DType>('float32', 'float64', 'int32', 'uint8', 'bool');
const LIMIT = 1 << 20;

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('huge shapes and the memory limit', () => {
  it('realize fails before planning or allocating when the bytes overflow or pass the limit', () => {
    let refused = 0;
    let realized = 0;
    fc.assert(
      fc.property(shapes, dtypes, fc.boolean(), (shape, dtype, limited) => {
        const n = shape.reduce((a, b) => a * b, 1);
        const bytes = n * itemSize(dtype);
        const v = constant(1, shape, dtype);
        const before = { ...memory(), plans: backend.stats.plans, allocs: backend.stats.allocs };
        const fits = Number.isSafeInteger(bytes) && (!limited || memory().liveBytes + bytes <= LIMIT);
        // Only sizes that fit a test machine are computed at all.
        if (fits && bytes > 4 << 20) return;
        const e = thrown(() => flagScope({ memoryLimit: limited ? LIMIT : undefined }, () => v.realize()));
        if (fits) {
          expect(e).toBeUndefined();
          expect(memory().liveBytes).toBe(before.liveBytes + bytes);
          v.dispose();
          realized++;
          return;
        }
        refused++;
        expect(e).toBeInstanceOf(OutOfMemoryError);
        const msg = (e as Error).message;
        expect(msg).toMatch(/^realize: the constant result /);
        expect(msg).toContain(`${dtype}[${shape.join(', ')}]`);
        if (Number.isSafeInteger(bytes)) {
          expect(msg).toContain(`needs ${bytes} bytes, but`);
          expect(msg).toContain(`is ${LIMIT} bytes`);
        } else expect(msg).toContain(`needs about ${bytes.toPrecision(3)} bytes, more than 2^53`);
        expect(backend.stats.plans).toBe(before.plans);
        expect(backend.stats.allocs).toBe(before.allocs);
        expect(memory().liveBytes).toBe(before.liveBytes);
      }),
      { numRuns: fuzzRuns(300) },
    );
    expect(refused).toBeGreaterThan(0);
    expect(realized).toBeGreaterThan(0);
  });

  it('temporaries that would pass the limit fail at their allocation and free what was allocated', () => {
    // Each constant is its own step on the test backend: 3 * 400 KiB live at once passes 1 MiB.
    const shape = [100 << 10];
    const v = add(add(constant(1, shape), constant(2, shape)), constant(3, shape));
    const before = memory().liveBytes;
    const e = thrown(() => flagScope({ memoryLimit: LIMIT }, () => v.realize()));
    expect(e).toBeInstanceOf(OutOfMemoryError);
    expect((e as Error).message).toMatch(/float32\[102400\] needs 409600 bytes, but \d+ bytes are live/);
    expect(memory().liveBytes).toBe(before);
    expect(v.isRealized).toBe(false);
    expect(Array.from(flagScope({ memoryLimit: 4 * LIMIT }, () => v.dataSync()).slice(0, 2))).toEqual([6, 6]);
    v.dispose();
  });

  it('data leaves count against the limit and name their op', () => {
    const held = data([1, 2, 3, 4]);
    const live = memory().liveBytes;
    const e = thrown(() => flagScope({ memoryLimit: live + 8 }, () => data([1, 2, 3], [3])));
    expect(e).toBeInstanceOf(OutOfMemoryError);
    expect((e as Error).message).toContain('tensor: the data result float32[3] needs 12 bytes');
    flagScope({ memoryLimit: live + 12 }, () => data([1, 2, 3], [3])).dispose();
    held.dispose();
  });

  it('checkShape refuses element counts beyond 2^53', () => {
    expect(() => checkShape([2 ** 31, 2 ** 31], 'zeros')).toThrow(ShapeError);
    expect(() => checkShape([2 ** 31, 2 ** 31], 'zeros')).toThrow(/zeros: shape \[2147483648, 2147483648\] has about 4.61e\+18 elements, more than 2\^53/);
    expect(() => checkShape([2 ** 31, 2 ** 31, 0], 'zeros')).not.toThrow();
    expect(() => Var.fromArray(new Float32Array(0), [2 ** 40, 2 ** 40, 0], 'float32')).not.toThrow();
  });
});
