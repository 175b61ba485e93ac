// Float sums give the same bits for any number of OpenMP threads: a full reduction runs as fixed
// chunks whose partial sums are added in order (passes/accumulate.ts), never through an OpenMP
// reduction clause, whose combining order depends on the thread count; the loops shared out do not
// change with the budget either. Each case runs in a child process under OMP_NUM_THREADS=1, 2 and 3,
// METAOP_NUM_THREADS=3 (which wins over OMP_NUM_THREADS), and twice under 2.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const program = fileURLToPath(new URL('./fixtures/sum-threads.mjs', import.meta.url));
const distReady = existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)));

type Result = Record<string, { bits: string; threaded: boolean }>;

function run(threads: Record<string, string>): Result {
  const env = { ...process.env, METAOP_BACKEND: undefined, METAOP_NUM_THREADS: undefined, OMP_NUM_THREADS: undefined, ...threads };
  const r = spawnSync(process.execPath, [program], { env, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as Result;
}

describe.skipIf(!distReady)('float sums on threads (needs `pnpm build`)', () => {
  it('are bitwise equal under thread budgets of 1, 2 and 3', { timeout: 300_000 }, () => {
    const one = run({ OMP_NUM_THREADS: '1' });
    const others = {
      '2 threads': run({ OMP_NUM_THREADS: '2' }),
      '3 threads': run({ OMP_NUM_THREADS: '3' }),
      'METAOP_NUM_THREADS=3': run({ OMP_NUM_THREADS: '1', METAOP_NUM_THREADS: '3' }),
      'a second run on 2': run({ OMP_NUM_THREADS: '2' }),
    };
    expect(one.sum1M.threaded, 'the 1M sum runs on threads').toBe(true);
    expect(one.conv7x7.threaded, 'the convolution runs on threads').toBe(true);
    for (const name of Object.keys(one)) {
      for (const [label, other] of Object.entries(others)) expect(other[name].bits, `${name}: ${label} vs 1`).toBe(one[name].bits);
    }
  });
});
