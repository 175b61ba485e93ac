// float32 sums on 'js' (sums, means, fused producers, inner axes, an inner product of 4096 terms):
// every output within sumBound (1e-7) relative of the exact sum of its float32 inputs, on inputs
// where a naive float32 loop is not (passes/accumulate.ts chooses how each sum is kept).
import { describe, expect, it } from 'vitest';
import '@metaop/backend-js';
import { naiveRelativeError, sumBound, sumCases, sumRelativeError } from '@metaop/ops/testing';

const backend = process.env.METAOP_TEST_BACKEND ?? 'js';

describe(`accurate float32 sums on ${backend}`, () => {
  it.each(sumCases)('$name', (c) => {
    expect(naiveRelativeError(c), 'the inputs expose a naive float32 loop').toBeGreaterThan(sumBound);
    expect(sumRelativeError(backend, c)).toBeLessThanOrEqual(sumBound);
  });
});
