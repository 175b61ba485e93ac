// Both vector widths of the register tiles (8 and 16 floats; GCC splits 16-float vectors on CPUs
// without AVX-512, so both run anywhere): results match the float64 reference, and with 16 the
// tile pass falls back to 8-float vectors where 16 would leave a scalar tail (56-wide rows) or
// where no axis holds 16 (a 14-wide input gradient).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const program = fileURLToPath(new URL('./fixtures/vector-widths.mjs', import.meta.url));
const distReady = existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)));

interface Case {
  relL2: number;
  notes: string[];
}

function run(lanes: '8' | '16'): Record<'conv56' | 'matmul128' | 'matmulOdd' | 'convGrad14' | 'convGradBatch', Case> {
  const r = spawnSync(process.execPath, [program], { env: { ...process.env, METAOP_BACKEND: undefined, METAOP_VECTOR_LANES: lanes }, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string);
}

describe.skipIf(!distReady)('register tile vector widths (needs `pnpm build`)', () => {
  it.each(['8', '16'] as const)('METAOP_VECTOR_LANES=%s matches the reference', { timeout: 120_000 }, (lanes) => {
    const result = run(lanes);
    for (const [name, c] of Object.entries(result)) {
      expect(c.relL2, name).toBeLessThan(1e-5);
      expect(c.notes.some((n) => n.startsWith('register tile')), `${name} is register-tiled`).toBe(true);
    }
    const narrowed = (c: Case) => c.notes.some((n) => n.startsWith('vectors of 8 floats'));
    expect(narrowed(result.conv56)).toBe(lanes === '16');
    // No axis holds 16 floats, so 16 lanes fall back to 8 (before: no register tile at all).
    expect(narrowed(result.convGrad14)).toBe(lanes === '16');
    // With 16 lanes the weight is packed for the channel axis (before: the batch axis was picked,
    // which no copy makes contiguous, so nothing was packed and nothing tiled).
    if (lanes === '16') {
      expect(result.convGradBatch.notes).toContain('2 inputs restaged (padded or packed) in scratch buffers');
      expect(result.convGradBatch.notes.some((n) => /register tile \d+x16 \(reuse axis i\d+, vector axis i1\)/.test(n))).toBe(true);
    }
    expect(narrowed(result.matmul128)).toBe(false);
  });

  it('rejects a width other than 8 or 16', () => {
    const r = spawnSync(process.execPath, [program], { env: { ...process.env, METAOP_BACKEND: undefined, METAOP_VECTOR_LANES: '12' }, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('METAOP_VECTOR_LANES must be 8 or 16');
  });
});
