// Weights packed once per plan on the c backend (issue #11): see @metaop/compiler/testing's pack-once.ts.
import { describe, expect, it } from 'vitest';
import '@metaop/backend-c';
import { packOnceChecks } from '@metaop/compiler/testing';

describe('c backend: weights packed once per plan', () => {
  for (const c of packOnceChecks('c')) it(c.name, () => expect(c.run()).toBeNull());
});
