// The kernel cache and the c backend's failure modes, each in a fresh Node process: warm start
// with zero compiles, corrupted entries rebuilt, concurrent compiles, unwritable cache folders,
// no compiler (js fallback or a clear error), and compiler errors.
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const program = fileURLToPath(new URL('./fixtures/program.mjs', import.meta.url));
const distReady = existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)));
const temps: string[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'metaop-cache-test-'));
  temps.push(d);
  return d;
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  result?: { backend: string; value: number; cache: { hits: number; compiled: number; rebuilt: number } | null; dir: string | null };
}

function run(env: Record<string, string | undefined>): Run {
  const r = spawnSync(process.execPath, [program], { env: { ...process.env, METAOP_BACKEND: undefined, ...env }, encoding: 'utf8' });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  let result: Run['result'];
  try {
    result = JSON.parse(line);
  } catch {
    result = undefined;
  }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, result };
}

function runAsync(env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [program], { env: { ...process.env, METAOP_BACKEND: undefined, ...env }, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ status: error ? 1 : 0, stdout, stderr, result: error ? undefined : JSON.parse(stdout.trim().split('\n').pop() as string) });
    });
  });
}

afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(!distReady)('kernel cache across processes (needs `pnpm build`)', () => {
  it('a second process runs the same program with zero compiles', () => {
    const dir = tempDir();
    const first = run({ METAOP_CACHE_DIR: dir });
    expect(first.status, first.stderr).toBe(0);
    expect(first.result?.cache?.compiled).toBeGreaterThan(0);
    const second = run({ METAOP_CACHE_DIR: dir });
    expect(second.status, second.stderr).toBe(0);
    expect(second.result?.cache?.compiled).toBe(0);
    expect(second.result?.cache?.hits).toBe(first.result?.cache?.compiled);
    expect(second.result?.value).toBe(first.result?.value);
  });

  it('detects a truncated or corrupted library and rebuilds it', () => {
    const dir = tempDir();
    const first = run({ METAOP_CACHE_DIR: dir });
    expect(first.status, first.stderr).toBe(0);
    const kernels = join(dir, 'kernels');
    const libs = readdirSync(kernels).filter((f) => f.endsWith('.so'));
    expect(libs.length).toBeGreaterThan(0);
    truncateSync(join(kernels, libs[0]), 100);
    for (const lib of libs.slice(1)) writeFileSync(join(kernels, lib), 'not a shared library');
    const second = run({ METAOP_CACHE_DIR: dir });
    expect(second.status, second.stderr).toBe(0);
    expect(second.result?.cache?.rebuilt).toBeGreaterThan(0);
    expect(second.result?.cache?.compiled).toBeGreaterThan(0);
    expect(second.result?.value).toBe(first.result?.value);
    const third = run({ METAOP_CACHE_DIR: dir });
    expect(third.result?.cache?.compiled).toBe(0);
  });

  it('two processes compiling the same kernels at once both succeed', async () => {
    const dir = tempDir();
    const [a, b] = await Promise.all([runAsync({ METAOP_CACHE_DIR: dir }), runAsync({ METAOP_CACHE_DIR: dir })]);
    expect(a.status, a.stderr).toBe(0);
    expect(b.status, b.stderr).toBe(0);
    expect(a.result?.value).toBe(b.result?.value);
    const c = run({ METAOP_CACHE_DIR: dir });
    expect(c.result?.cache?.compiled).toBe(0);
  });

  it('falls back to a temporary folder with a notice when the cache folder is not writable', () => {
    const base = tempDir();
    const file = join(base, 'a-file');
    writeFileSync(file, 'x');
    const r = run({ METAOP_CACHE_DIR: join(file, 'cache') });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/kernel cache folder .* is not writable; using /);
    expect(r.result?.dir).toContain(tmpdir());
  });
});

describe.skipIf(!distReady)('without a usable C compiler (needs `pnpm build`)', () => {
  const emptyPath = () => {
    const d = tempDir();
    return d;
  };

  it('falls back to the js backend with a one-line notice', () => {
    const r = run({ PATH: emptyPath(), CC: undefined, WITH_JS: '1', METAOP_CACHE_DIR: tempDir() });
    expect(r.status, r.stderr).toBe(0);
    expect(r.result?.backend).toBe('js');
    expect(r.stderr).toMatch(/backend 'c' unavailable \(no C compiler found.*\); using backend 'js'/);
    const withC = run({ METAOP_CACHE_DIR: tempDir() });
    expect(r.result?.value).toBeCloseTo(withC.result?.value as number, 3);
  });

  it('says clearly that c cannot run when the user forced it', () => {
    const r = run({ PATH: emptyPath(), CC: undefined, METAOP_BACKEND: 'c', METAOP_CACHE_DIR: tempDir() });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/backend 'c' cannot run here: no C compiler found/);
  });

  it('reports a compiler error as a CompileError with the source path and the compiler output', () => {
    const dir = tempDir();
    const cc = join(dir, 'broken-cc');
    // Answers --version and the capability probes like gcc, rejects every kernel library.
    writeFileSync(
      cc,
      '#!/bin/sh\nfor a in "$@"; do case "$a" in *probe.c|--version) exec gcc "$@";; esac; done\necho "lib.c:1:1: error: simulated compiler failure" >&2\nexit 1\n',
    );
    chmodSync(cc, 0o755);
    const r = run({ CC: cc, METAOP_CACHE_DIR: join(dir, 'cache') });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/CompileError: the C compiler rejected generated kernels/);
    expect(r.stderr).toMatch(/source: .*kernels\/lib-[0-9a-f]+\.c/);
    expect(r.stderr).toMatch(/simulated compiler failure/);
  });
});
