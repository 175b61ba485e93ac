// The kernel cache under faults, each in fresh Node processes: a compile killed with SIGKILL half-way,
// entries whose full key differs from the wanted one, four processes on an empty cache at once, a
// cache made for another CPU, and a full disk (an injected write failure, and a 16 KiB tmpfs as root).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { childEnv, distReady, program, run, runAsync, temps } from './cache-child.js';

const { tempDir, removeTemps } = temps();
afterAll(removeTemps);

const files = (dir: string, suffix: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(suffix)) : []);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The value every run of the fixture must print (computed once, in its own cache). */
let expected: { value: number; value2: number } | undefined;
function reference(): { value: number; value2: number } {
  if (!expected) {
    const r = run({ METAOP_CACHE_DIR: tempDir(), TWICE: '1' });
    expect(r.status, r.stderr).toBe(0);
    expected = { value: r.result?.value as number, value2: r.result?.value2 as number };
  }
  return expected;
}

describe.skipIf(!distReady)('kernel cache under faults (needs `pnpm build`)', () => {
  it('a compile killed with SIGKILL half-way leaves nothing a later run trusts', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const pause = join(dir, 'pause');
    mkdirSync(pause);
    // gcc, except that with PAUSE_DIR set a kernel library is cut to half its size after linking
    // and the compile then hangs until killed: the state a SIGKILL during a write leaves.
    const cc = join(dir, 'pausing-cc');
    writeFileSync(
      cc,
      [
        '#!/bin/sh',
        'gcc "$@" || exit $?',
        'out=""; prev=""',
        'for a in "$@"; do [ "$prev" = "-o" ] && out="$a"; prev="$a"; done',
        'case "$out" in *.so.tmp) if [ -n "$PAUSE_DIR" ]; then',
        '  truncate -s $(( $(wc -c < "$out") / 2 )) "$out"; touch "$PAUSE_DIR/paused"; exec sleep 60',
        'fi;; esac',
        '',
      ].join('\n'),
    );
    chmodSync(cc, 0o755);
    const cache = join(dir, 'cache');
    const child = spawn(process.execPath, [program], { env: childEnv({ CC: cc, METAOP_CACHE_DIR: cache, PAUSE_DIR: pause }), detached: true, stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r));
    for (let i = 0; i < 600 && !existsSync(join(pause, 'paused')); i++) await sleep(100);
    expect(existsSync(join(pause, 'paused')), 'the compile reached the pause').toBe(true);
    process.kill(-(child.pid as number), 'SIGKILL'); // the program, its compile helper and the compilers
    await exited;
    const kernels = join(cache, 'kernels');
    expect(files(kernels, '.so.tmp').length).toBeGreaterThan(0); // the half-written library is there...
    expect(files(kernels, '.meta')).toEqual([]); // ...but no entry names it
    expect(files(kernels, '.so')).toEqual([]);

    const again = run({ CC: cc, METAOP_CACHE_DIR: cache });
    expect(again.status, again.stderr).toBe(0);
    expect(again.result?.cache?.hits).toBe(0);
    expect(again.result?.cache?.compiled).toBeGreaterThan(0);
    expect(again.result?.value).toBe(reference().value);
    const warm = run({ CC: cc, METAOP_CACHE_DIR: cache });
    expect(warm.result?.cache).toMatchObject({ compiled: 0, rebuilt: 0 });
  });

  it('an entry whose full key differs from the wanted one is never loaded, even under the wanted file name', () => {
    const dir = tempDir();
    const first = run({ METAOP_CACHE_DIR: dir, TWICE: '1' });
    expect(first.status, first.stderr).toBe(0);
    const kernels = join(dir, 'kernels');
    const metas = files(kernels, '.meta');
    expect(metas.length).toBeGreaterThan(1);
    // What a collision of the file-name hash would look like: every entry's file holds another
    // kernel's valid entry (a real library, a real symbol, a matching checksum).
    const contents = metas.map((m) => readFileSync(join(kernels, m)));
    metas.forEach((m, i) => writeFileSync(join(kernels, m), contents[(i + 1) % metas.length]));
    const second = run({ METAOP_CACHE_DIR: dir, TWICE: '1' });
    expect(second.status, second.stderr).toBe(0);
    expect(second.result?.cache?.rebuilt).toBe(metas.length);
    expect(second.result?.cache?.hits).toBe(0);
    expect(second.stderr).toMatch(/failed verification \(\d+ key mismatch\)/);
    expect({ value: second.result?.value, value2: second.result?.value2 }).toEqual(reference());
  });

  it('four processes starting on an empty cache at once all succeed, and leave a complete cache', { timeout: 180_000 }, async () => {
    const dir = tempDir();
    const runs = await Promise.all([0, 1, 2, 3].map(() => runAsync({ METAOP_CACHE_DIR: dir, TWICE: '1' })));
    for (const r of runs) {
      expect(r.status, r.stderr).toBe(0);
      expect({ value: r.result?.value, value2: r.result?.value2 }).toEqual(reference());
      expect(r.stderr).not.toMatch(/failed verification|cannot take more files/);
    }
    const after = run({ METAOP_CACHE_DIR: dir, TWICE: '1' });
    expect(after.result?.cache).toMatchObject({ compiled: 0, rebuilt: 0 });
    expect(files(join(dir, 'kernels'), '.tmp')).toEqual([]);
  });

  it('a cache made for one CPU model is never loaded on another', () => {
    const dir = tempDir();
    const a = run({ METAOP_CACHE_DIR: dir, METAOP_CPU_MODEL: 'Test CPU A' });
    expect(a.status, a.stderr).toBe(0);
    expect(a.result?.cache?.compiled).toBeGreaterThan(0);
    const b = run({ METAOP_CACHE_DIR: dir, METAOP_CPU_MODEL: 'Test CPU B' });
    expect(b.status, b.stderr).toBe(0);
    expect(b.result?.cache).toMatchObject({ hits: 0, compiled: a.result?.cache?.compiled });
    const aAgain = run({ METAOP_CACHE_DIR: dir, METAOP_CPU_MODEL: 'Test CPU A' });
    expect(aAgain.result?.cache).toMatchObject({ hits: a.result?.cache?.compiled, compiled: 0 });
    const metas = files(join(dir, 'kernels'), '.meta').map((m) => readFileSync(join(dir, 'kernels', m), 'utf8'));
    expect(metas.filter((m) => m.includes('Test CPU A'))).toHaveLength(metas.length / 2);
    expect(b.result?.value).toBe(a.result?.value);
  });

  it('a full disk (injected write failure) gives one notice and the program runs on, uncached', () => {
    const dir = tempDir();
    const r = run({ METAOP_CACHE_DIR: dir, TWICE: '1', METAOP_FAULT_CACHE_WRITE: 'ENOSPC' });
    expect(r.status, r.stderr).toBe(0);
    expect({ value: r.result?.value, value2: r.result?.value2 }).toEqual(reference());
    expect(r.stderr.match(/cannot take more files \(ENOSPC/g)).toHaveLength(1);
    expect(r.result?.cache?.uncached).toBe(r.result?.cache?.compiled);
    expect(files(join(dir, 'kernels'), '.meta')).toEqual([]);
  });

  const root = process.getuid?.() === 0;
  it.skipIf(!root)('a full disk (a 16 KiB tmpfs, as root) gives one notice and the program runs on, uncached', () => {
    const dir = tempDir();
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', dir]);
    if (mounted.status !== 0) return void console.warn(`tmpfs test not run: mount failed (${mounted.stderr})`);
    try {
      for (const attempt of [1, 2]) {
        const r = run({ METAOP_CACHE_DIR: dir, TWICE: '1' });
        expect(r.status, r.stderr).toBe(0);
        expect({ value: r.result?.value, value2: r.result?.value2 }).toEqual(reference());
        expect(r.stderr.match(/cannot take more files/g), `run ${attempt}`).toHaveLength(1);
        expect(r.result?.cache?.uncached).toBeGreaterThan(0);
      }
    } finally {
      spawnSync('umount', [dir]);
    }
  });
});
