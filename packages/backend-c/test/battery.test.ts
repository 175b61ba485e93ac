// The full op battery on the 'c' backend against the float64 oracle: every meta-op and derived
// op, forward and gradients, plus random compositions of element-wise, reindex and reduce ops.
import { describe, expect, it } from 'vitest';
import '@metaop/backend-c';
import { compositionSeeds, opCases, randomComposition } from '@metaop/ops/testing';
import { differential } from '@metaop/compiler/testing';

const backend = process.env.METAOP_TEST_BACKEND ?? 'c';

describe(`op battery on ${backend}`, () => {
  for (const c of opCases) {
    it(c.name, () => {
      expect(differential(backend, c)).toBeNull();
    });
  }
});

describe(`random compositions on ${backend}`, () => {
  // METAOP_COMPOSITION_RUNS / METAOP_COMPOSITION_SEED choose the seeds (long runs); the default is 1..100.
  for (const seed of compositionSeeds()) {
    const c = randomComposition(seed);
    it(c.name, () => {
      expect(differential(backend, c)).toBeNull();
    });
  }
});
