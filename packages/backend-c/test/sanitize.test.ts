// Sanitizer mode of the c backend (METAOP_SANITIZE=1): it reports an out-of-bounds read that the
// normal build silently reads from pool slack, it refuses to start without the ASan runtime, and
// the battery plus a time-bounded run of random compositions pass under ASan + UBSan
// (scripts/sanitize.mjs, the script behind `pnpm sanitize` for long runs).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { childEnv, distReady, temps } from './cache-child.js';

const { tempDir, removeTemps } = temps();
afterAll(removeTemps);

const oob = fileURLToPath(new URL('./fixtures/out-of-bounds.mjs', import.meta.url));
const script = fileURLToPath(new URL('../../../scripts/sanitize.mjs', import.meta.url));
const asan = (() => {
  try {
    const p = execFileSync('gcc', ['-print-file-name=libasan.so'], { encoding: 'utf8' }).trim();
    return p.startsWith('/') && existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
})();
const sanitized = (extra: Record<string, string>) =>
  childEnv({ LD_PRELOAD: asan, ASAN_OPTIONS: 'detect_leaks=0', METAOP_SANITIZE: '1', ...extra });

function readAt(index: number, env: Record<string, string | undefined>) {
  const r = spawnSync(process.execPath, [oob], { env: { ...env, INDEX: String(index) }, encoding: 'utf8' });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return { status: r.status, stderr: r.stderr, value: last.startsWith('{') ? (JSON.parse(last) as { value: number }).value : undefined };
}

describe.skipIf(!distReady || !asan)('c backend sanitizer mode (needs `pnpm build` and libasan)', () => {
  it('reports a kernel reading one element past a tensor, which the normal build reads silently', () => {
    const cache = tempDir();
    // The normal build: the 4-float tensor sits in a pooled 64-byte buffer, so x[4] "works".
    const plain = readAt(4, childEnv({ METAOP_CACHE_DIR: cache }));
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.value).toBeDefined();
    const inBounds = readAt(3, sanitized({ METAOP_CACHE_DIR: cache }));
    expect(inBounds.status, inBounds.stderr).toBe(0);
    expect(inBounds.value).toBe(4);
    const outOfBounds = readAt(4, sanitized({ METAOP_CACHE_DIR: cache }));
    expect(outOfBounds.status).not.toBe(0);
    expect(outOfBounds.stderr).toMatch(/ERROR: AddressSanitizer: heap-buffer-overflow/);
    expect(outOfBounds.stderr).toMatch(/READ of size 4 .*\n\s+#0 .* in oob_read/);
    expect(outOfBounds.stderr).toMatch(/0 bytes to the right of 16-byte region/);
  });

  it('refuses to start without the ASan runtime preloaded, saying how to run', () => {
    const r = readAt(3, childEnv({ METAOP_SANITIZE: '1', METAOP_CACHE_DIR: tempDir() }));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/METAOP_SANITIZE=1 needs the AddressSanitizer runtime preloaded into node: run LD_PRELOAD=/);
  });

  // CI's budget: 5 minutes of compositions after the battery, so the whole suite stays well inside
  // CI's 90 minutes. Long runs: METAOP_SANITIZE_CI_SECONDS=N here, or `pnpm sanitize --seconds N`.
  const seconds = process.env.METAOP_SANITIZE_CI_SECONDS ?? '300';
  it('passes the battery and a time-bounded run of random compositions under ASan + UBSan', { timeout: (Number(seconds) + 900) * 1000 }, () => {
    const report = join(tempDir(), 'report.json');
    const r = spawnSync(process.execPath, [script, '--seconds', seconds, '--compositions', '3000', '--report', report], {
      env: childEnv({ METAOP_QUIET: '1' }),
      encoding: 'utf8',
    });
    expect(r.status, `${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`).toBe(0);
    const summary = JSON.parse(readFileSync(report, 'utf8')) as { battery: number; compositions: number; mismatches: string[]; sanitizerReports: unknown[] };
    expect(summary.mismatches).toEqual([]);
    expect(summary.sanitizerReports).toEqual([]);
    expect(summary.battery).toBeGreaterThan(100);
    expect(summary.compositions).toBeGreaterThan(0);
    console.log(`[sanitize] ${JSON.stringify(summary)}`);
  });
});
