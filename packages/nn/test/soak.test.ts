// The soak loop of `pnpm soak` (scripts/soak.mjs), short: 1,000 Adam steps of a small CNN on `c` in
// a child process (so its RSS is the loop's own), with gc before each sample. Live bytes must stay
// exactly flat after warm-up, RSS may not grow by 10%, and no kernel may be compiled after step 1.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../../scripts/soak.mjs', import.meta.url));
const distReady = ['nn', 'backend-c', 'backend-js', 'backend-bang'].every((p) =>
  existsSync(fileURLToPath(new URL(`../../${p}/dist/index.js`, import.meta.url))),
);

interface Sample {
  step: number;
  rss: number;
  liveBytes: number;
  liveStorages: number;
  kernels: number;
}

describe.skipIf(!distReady)('soak (needs `pnpm build`)', () => {
  it('1,000 training steps: live bytes flat, RSS growth under 10%, no recompiles', { timeout: 300_000 }, () => {
    const args = ['--expose-gc', script, '--steps', '1000', '--every', '100', '--warmup', '200', '--backend', 'c', '--rss-tolerance', '0.10', '--json'];
    const r = spawnSync(process.execPath, args, { env: { ...process.env, METAOP_BACKEND: undefined }, encoding: 'utf8' });
    const summary = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { samples: Sample[]; recompiles: number; lastLoss: number };
    const after = summary.samples.filter((s) => s.step >= 200);
    expect(after.length).toBe(9);
    const [base] = after;
    for (const s of after) {
      expect(s.liveBytes, `live bytes at step ${s.step}`).toBe(base.liveBytes);
      expect(s.liveStorages, `live storages at step ${s.step}`).toBe(base.liveStorages);
      expect(s.rss / base.rss, `RSS at step ${s.step}`).toBeLessThan(1.1);
    }
    expect(summary.recompiles).toBe(0);
    expect(Number.isFinite(summary.lastLoss)).toBe(true);
    expect(r.status, r.stderr).toBe(0);
  });
});
