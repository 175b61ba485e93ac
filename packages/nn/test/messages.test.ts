// Error messages a new user meets: a missing weights file names the function and the path.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as nn from '@metaop/nn';

const missing = join(mkdtempSync(join(tmpdir(), 'metaop-missing-')), 'weights.safetensors');

describe('a missing safetensors file', () => {
  it('is a SafetensorsError naming loadSafetensors and the path, not a bare ENOENT', async () => {
    const want = `loadSafetensors: cannot open '${missing}': no such file (ENOENT)`;
    expect(() => nn.loadSafetensorsSync(missing)).toThrow(nn.SafetensorsError);
    expect(() => nn.loadSafetensorsSync(missing)).toThrow(want);
    await expect(nn.loadSafetensors(missing)).rejects.toThrow(want);
    expect(() => nn.readSafetensorsHeader(missing)).toThrow(`readSafetensorsHeader: cannot open '${missing}'`);
    expect(() => nn.loadCheckpoint(missing, { model: new nn.Linear(1, 1) })).toThrow(nn.SafetensorsError);
  });

  it('keeps the system error as the cause', () => {
    try {
      nn.loadSafetensorsSync(missing);
    } catch (e) {
      expect(((e as Error).cause as { code?: string }).code).toBe('ENOENT');
    }
    expect.assertions(1);
  });
});
