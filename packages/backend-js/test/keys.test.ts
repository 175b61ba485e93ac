// Exact constant keys and moving windows on 'js' against the oracle (compiler/src/testing/key-checks.ts),
// plus random (site, constant, constant) runs: the second constant reuses the first's plan where keys allow.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import '@metaop/backend-js';
import { checkConstantSite, constantSites, keyChecks, specialConstants } from '@metaop/compiler/testing';

const backend = process.env.METAOP_TEST_BACKEND ?? 'js';
const value = fc.oneof(fc.constantFrom(...specialConstants), fc.double(), fc.integer());

describe(`exact keys and moving windows on ${backend}`, () => {
  for (const c of keyChecks(backend)) it(c.name, () => expect(c.run()).toBeNull());
  it('random sites and pairs of constants (fast-check)', () => {
    fc.assert(fc.property(fc.constantFrom(...constantSites), value, value, (site, a, b) => checkConstantSite(backend, site, [a, b]) === null), { numRuns: 60, seed: 10 });
  });
});
