// Two worker_threads training on the c backend at once, both on an empty kernel cache, give bitwise
// the main thread's losses and weights (threads share a pid: per-process temporary names collide).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { detectToolchain } from '@metaop/backend-c';

const program = fileURLToPath(new URL('./fixtures/workers.mjs', import.meta.url));
const distReady = existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)));

describe.skipIf(!distReady)('worker_threads (needs `pnpm build`)', () => {
  it('two workers at once give bitwise the single-thread result', { timeout: 300_000 }, () => {
    const r = spawnSync(process.execPath, [program, '2'], { env: { ...process.env, METAOP_BACKEND: undefined }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { bytes: number; same: boolean[] };
    expect(result.bytes).toBeGreaterThan(20_000);
    expect(result.same).toEqual([true, true]);
  });
});

describe('toolchain probe', () => {
  it('uses a folder of its own: a probe folder of another thread with this pid is left alone', () => {
    // Worker threads share the pid (so do processes in other pid namespaces sharing /tmp): a folder
    // named by pid is another prober's, which may delete it at any moment, or not be a folder at all.
    const clash = join(tmpdir(), `metaop-probe-${process.pid}`);
    const cacheDir = mkdtempSync(join(tmpdir(), 'metaop-toolchain-'));
    writeFileSync(clash, 'not a folder');
    try {
      const t = detectToolchain(cacheDir);
      expect(t.flags.length).toBeGreaterThan(0);
      expect(readFileSync(clash, 'utf8')).toBe('not a folder');
    } finally {
      rmSync(clash, { force: true });
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});
