// Float sums give the same bits for any number of OpenMP threads: a full reduction runs as fixed
// chunks whose partial sums are added in order (passes/accumulate.ts), never through an OpenMP
// reduction clause, whose combining order depends on the thread count. Each case runs in a child
// process under OMP_NUM_THREADS=1, 2 and 3 (and twice under 2).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const program = fileURLToPath(new URL('./fixtures/sum-threads.mjs', import.meta.url));
const distReady = existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)));

type Result = Record<string, { bits: string; threaded: boolean }>;

function run(threads: number): Result {
  const env = { ...process.env, METAOP_BACKEND: undefined, OMP_NUM_THREADS: String(threads) };
  const r = spawnSync(process.execPath, [program], { env, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as Result;
}

describe.skipIf(!distReady)('float sums on threads (needs `pnpm build`)', () => {
  it('are bitwise equal under OMP_NUM_THREADS=1, 2 and 3', { timeout: 300_000 }, () => {
    const [one, two, three, again] = [run(1), run(2), run(3), run(2)];
    expect(one.sum1M.threaded, 'the 1M sum runs on threads').toBe(true);
    for (const name of Object.keys(one)) {
      expect(two[name].bits, `${name}: 2 threads vs 1`).toBe(one[name].bits);
      expect(three[name].bits, `${name}: 3 threads vs 1`).toBe(one[name].bits);
      expect(again[name].bits, `${name}: a second run`).toBe(two[name].bits);
    }
  });
});
