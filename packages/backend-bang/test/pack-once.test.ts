// Weights packed once per plan on the bang backend (issue #11): see @metaop/compiler/testing's pack-once.ts.
import { describe, expect, it } from 'vitest';
import '@metaop/backend-bang';
import { packOnceChecks } from '@metaop/compiler/testing';

describe('bang backend: weights packed once per plan', () => {
  for (const c of packOnceChecks('bang')) it(c.name, () => expect(c.run()).toBeNull());
});
