// Checkpoints under SIGKILL: a training process killed while it writes a checkpoint (child
// process, paused mid-file) leaves the previous checkpoint whole and loadable, and resuming from it
// gives the same next loss as the uninterrupted run; killed during its first save, it leaves no
// checkpoint at all rather than half of one.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const program = fileURLToPath(new URL('./fixtures/checkpoint-kill.mjs', import.meta.url));
const distReady = ['nn', 'ops', 'backend-c'].every((p) => existsSync(fileURLToPath(new URL(`../../${p}/dist/index.js`, import.meta.url))));
const dir = mkdtempSync(join(tmpdir(), 'metaop-checkpoint-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Line = { step?: number; loss?: number; saved?: number; resumedAt?: number };
const lines = (out: string): Line[] => out.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);
const env = (extra: Record<string, string>) => ({ ...process.env, METAOP_BACKEND: undefined, ...extra });

/** Trains in a child until save number `pauseSave` is part-written, then SIGKILLs it. */
async function trainAndKill(name: string, pauseSave: number): Promise<{ ckpt: string; out: Line[] }> {
  const ckpt = join(dir, `${name}.safetensors`);
  const marker = join(dir, `${name}.paused`);
  const child = spawn(process.execPath, [program], { env: env({ MODE: 'train', CKPT: ckpt, PAUSE_SAVE: String(pauseSave), MARKER: marker }), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)));
  for (let i = 0; i < 1200 && !existsSync(marker) && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
  expect(existsSync(marker), `the save paused (child stderr: ${stderr})`).toBe(true);
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  return { ckpt, out: lines(stdout) };
}

describe.skipIf(!distReady)('checkpoints under SIGKILL (needs `pnpm build`)', () => {
  it('a kill during a save leaves the previous checkpoint loadable, and resuming gives the uninterrupted next loss', { timeout: 180_000 }, async () => {
    const { ckpt, out } = await trainAndKill('second', 2);
    // The uninterrupted run got as far as step 4 and the first save; the second save was cut off.
    expect(out.map((l) => l.step ?? `saved ${l.saved}`)).toEqual([1, 2, 3, 'saved 3', 4]);
    const partial = readdirSync(dir).filter((f) => f.startsWith('.second.safetensors.') && f.endsWith('.tmp'));
    expect(partial).toHaveLength(1);
    expect(statSync(join(dir, partial[0])).size).toBeLessThan(statSync(ckpt).size);

    const r = spawnSync(process.execPath, [program], { env: env({ MODE: 'resume', CKPT: ckpt }), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const resumed = lines(r.stdout);
    expect(resumed[0]).toEqual({ resumedAt: 3 });
    const uninterrupted = out.find((l) => l.step === 4)?.loss;
    expect(Number.isFinite(uninterrupted)).toBe(true);
    expect(resumed[1]).toEqual({ step: 4, loss: uninterrupted });
  });

  it('a kill during the first save leaves no checkpoint file, not half of one', { timeout: 180_000 }, async () => {
    const { ckpt, out } = await trainAndKill('first', 1);
    expect(out.map((l) => l.step)).toEqual([1, 2, 3]);
    expect(existsSync(ckpt)).toBe(false);
    const r = spawnSync(process.execPath, [program], { env: env({ MODE: 'resume', CKPT: ckpt }), encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/loadSafetensors|no such file|ENOENT/i);
  });
});
