// The kernel cache and the c backend's failure modes, each in a fresh Node process: warm start
// with zero compiles, corrupted entries rebuilt, unwritable cache folders,
// no compiler (js fallback or a clear error), and compiler errors.
import { chmodSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { distReady, run, temps } from './cache-child.js';

const { tempDir, removeTemps } = temps();
afterAll(removeTemps);

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

  it('detects a truncated, bit-flipped or replaced library, rebuilds it and says so once', () => {
    const dir = tempDir();
    const first = run({ METAOP_CACHE_DIR: dir });
    expect(first.status, first.stderr).toBe(0);
    const kernels = join(dir, 'kernels');
    const libs = readdirSync(kernels).filter((f) => f.endsWith('.so'));
    expect(libs.length).toBeGreaterThan(0);
    for (const [i, lib] of libs.entries()) {
      const path = join(kernels, lib);
      if (i % 3 === 0) truncateSync(path, 100);
      else if (i % 3 === 1) {
        // One flipped bit in the middle of the code: same size, different checksum.
        const bytes = readFileSync(path);
        bytes[bytes.length >> 1] ^= 0x10;
        writeFileSync(path, bytes);
      } else writeFileSync(path, 'not a shared library');
    }
    const second = run({ METAOP_CACHE_DIR: dir });
    expect(second.status, second.stderr).toBe(0);
    expect(second.result?.cache?.rebuilt).toBe(first.result?.cache?.compiled);
    expect(second.result?.cache?.compiled).toBe(first.result?.cache?.compiled);
    expect(second.result?.value).toBe(first.result?.value);
    // Once per compile batch, not per entry: the library of the thread counters (threads.ts), then the program's kernels.
    expect(second.stderr.match(/failed verification \(\d+ library checksum mismatch\); compiling/g)).toHaveLength(2);
    const third = run({ METAOP_CACHE_DIR: dir });
    expect(third.result?.cache?.compiled).toBe(0);
    expect(third.stderr).not.toMatch(/failed verification/);
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
  it('falls back to the js backend with a one-line notice', () => {
    const r = run({ PATH: tempDir(), CC: undefined, WITH_JS: '1', METAOP_CACHE_DIR: tempDir() });
    expect(r.status, r.stderr).toBe(0);
    expect(r.result?.backend).toBe('js');
    expect(r.stderr).toMatch(/backend 'c' unavailable \(no C compiler found.*\); using backend 'js'/);
    const withC = run({ METAOP_CACHE_DIR: tempDir() });
    expect(r.result?.value).toBeCloseTo(withC.result?.value as number, 3);
  });

  it('says clearly that c cannot run when the user forced it', () => {
    const r = run({ PATH: tempDir(), CC: undefined, METAOP_BACKEND: 'c', METAOP_CACHE_DIR: tempDir() });
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
