// Composition seed 185 on c: the gather-form gradient of relu(flip(x)) read its reversed operand
// forwards where GCC 12 vectorised `(z[j] > 0) ? r[3 - j] : 0` with masked loads (GCC PR 114375).
// Select arms now read before the select (c-renderer.ts); float64 keeps the masked-load form that
// float32's float64 running sums happen to avoid.
import { describe, expect, it } from 'vitest';
import '@metaop/backend-c';
import { randomComposition } from '@metaop/ops/testing';
import { differential } from '@metaop/compiler/testing';

describe('select arms on c', () => {
  const c = randomComposition(185);
  it.each(['float32', 'float64'] as const)('composition/185 in %s matches the reference', (dtype) => {
    const inputs = c.inputs.map((s) => ({ ...s, dtype }));
    expect(differential('c', { ...c, name: `${c.name}-${dtype}`, inputs })).toBeNull();
  });
});
