// The full op battery on 'bang' (emulated, strict mode unless METAOP_BANG_STRICT=0) against the
// float64 oracle: every meta-op and derived op, forward and gradients, plus random compositions of
// element-wise, reindex and reduce ops. All their kernels are compiled ahead in one batch.
import { beforeAll, describe, expect, it } from 'vitest';
import '@metaop/backend-bang';
import { compositionSeeds, opCases, randomComposition } from '@metaop/ops/testing';
import { compileAhead, differential } from '@metaop/compiler/testing';

const backend = process.env.METAOP_TEST_BACKEND ?? 'bang';
// METAOP_COMPOSITION_RUNS / METAOP_COMPOSITION_SEED choose the seeds (long runs); the default is 1..100.
const compositions = compositionSeeds().map((seed) => randomComposition(seed));

beforeAll(() => {
  compileAhead([...opCases, ...compositions], backend);
}, 1_800_000);

describe(`op battery on ${backend}`, () => {
  for (const c of opCases) {
    it(c.name, () => {
      expect(differential(backend, c)).toBeNull();
    });
  }
});

describe(`random compositions on ${backend}`, () => {
  for (const c of compositions) {
    it(c.name, () => {
      expect(differential(backend, c)).toBeNull();
    });
  }
});
