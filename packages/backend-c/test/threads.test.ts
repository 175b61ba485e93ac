// Threads of the c backend: the per-process budget (METAOP_NUM_THREADS, OMP_NUM_THREADS, the CPUs,
// MPI ranks on the node), the kernels' share of it when several threads call them at once, the
// team sizes that follow it, counters shared by worker_threads with other cache folders, and an
// import that leaves the process environment as it was.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import koffi from 'koffi';
import { afterAll, describe, expect, it } from 'vitest';
import { cThreadHelpers } from '@metaop/compiler';
import { detectToolchain, resolveCacheDir, threadBudget } from '@metaop/backend-c';
import { childEnv, distReady } from './cache-child.js';

const fixture = fileURLToPath(new URL('./fixtures/threads.mjs', import.meta.url));

function child(mode: string, env: Record<string, string | undefined> = {}) {
  const r = spawnSync(process.execPath, [fixture, mode], { env: childEnv(env), encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string);
}

function withEnv<T>(env: Record<string, string | undefined>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const set = (vars: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(vars)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  set(env);
  try {
    return fn();
  } finally {
    set(saved);
  }
}

describe('thread budget', () => {
  const none = { METAOP_NUM_THREADS: undefined, OMP_NUM_THREADS: undefined, OMPI_COMM_WORLD_LOCAL_SIZE: undefined, MPI_LOCALNRANKS: undefined };

  it('is the CPUs this process may run on, unless METAOP_NUM_THREADS or OMP_NUM_THREADS says otherwise', () => {
    expect(withEnv(none, threadBudget)).toBe(availableParallelism());
    expect(withEnv({ ...none, METAOP_NUM_THREADS: '3' }, threadBudget)).toBe(3);
    expect(withEnv({ ...none, OMP_NUM_THREADS: '5,2' }, threadBudget)).toBe(5);
    expect(withEnv({ ...none, METAOP_NUM_THREADS: '2', OMP_NUM_THREADS: '7' }, threadBudget)).toBe(2);
    expect(() => withEnv({ ...none, METAOP_NUM_THREADS: 'many' }, threadBudget)).toThrow(/METAOP_NUM_THREADS must be a positive integer/);
    expect(() => withEnv({ ...none, METAOP_NUM_THREADS: '0' }, threadBudget)).toThrow(/positive integer/);
  });

  it('is shared among the ranks of an MPI job on this node', () => {
    const cores = availableParallelism();
    expect(withEnv({ ...none, OMPI_COMM_WORLD_LOCAL_SIZE: '2' }, threadBudget)).toBe(Math.max(1, Math.floor(cores / 2)));
    expect(withEnv({ ...none, MPI_LOCALNRANKS: String(cores * 4) }, threadBudget)).toBe(1);
  });
});

describe('a kernel takes its threads from the budget', () => {
  const dir = mkdtempSync(join(tmpdir(), 'metaop-thread-helpers-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const toolchain = detectToolchain(resolveCacheDir());
  writeFileSync(
    join(dir, 'h.c'),
    `#include <stdint.h>\n${cThreadHelpers}\nstatic int64_t st[2];\n` +
      'int take(int64_t budget) { return mo_threads_take(st, (void*)(intptr_t)budget); }\n' +
      'void give(int n) { mo_threads_give(st, n); }\n' +
      'int64_t in_use(void) { return st[0]; }\nint64_t callers(void) { return st[1]; }\n',
  );
  execFileSync(toolchain.cc, [...toolchain.flags, '-shared', '-fPIC', '-o', join(dir, 'h.so'), join(dir, 'h.c')]);
  const lib = koffi.load(join(dir, 'h.so'));
  const take = lib.func('int take(int64_t budget)') as (b: number) => number;
  const give = lib.func('void give(int n)') as (n: number) => void;
  const inUse = lib.func('int64_t in_use(void)') as () => number;
  const callers = lib.func('int64_t callers(void)') as () => number;

  it('all of it alone, a fair share beside other callers, always at least its own thread, and gives it back', () => {
    const a = take(4);
    expect(a).toBe(4);
    const b = take(4); // the budget is spent: the caller's own thread only
    expect(b).toBe(1);
    give(a);
    const c = take(4); // two callers inside: half each
    expect(c).toBe(2);
    expect([inUse(), callers()]).toEqual([3, 2]);
    give(b);
    give(c);
    expect([inUse(), callers()]).toEqual([0, 0]);
  });
});

describe.skipIf(!distReady)('threads of the c backend in use (needs `pnpm build`)', () => {
  it.skipIf(process.platform !== 'linux')('starts budget - 1 OpenMP threads for a parallel kernel, none for a budget of 1', { timeout: 120_000 }, () => {
    for (const budget of [1, 3]) {
      const r = child('tasks', { METAOP_NUM_THREADS: String(budget) });
      expect(r.budget).toBe(budget);
      expect(r.after - r.before, `budget ${budget}`).toBe(budget - 1);
    }
  });

  it('leaves OMP_WAIT_POLICY unset for the program and its child processes', { timeout: 120_000 }, () => {
    expect(child('env', { OMP_WAIT_POLICY: undefined })).toEqual({ self: 'undefined', child: 'undefined' });
    expect(child('env', { OMP_WAIT_POLICY: 'active' })).toEqual({ self: 'active', child: 'active' });
  });

  it('shares one set of counters among worker_threads, also with another cache folder, and returns them all', { timeout: 300_000 }, () => {
    const r = child('workers');
    expect(r.main).not.toBe('undefined');
    expect(r.workers).toEqual([r.main, r.main]);
    expect(r.after).toEqual({ address: r.main, inUse: 0, callers: 0 });
  });
});
