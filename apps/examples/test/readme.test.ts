// The README's quick start is run as written (it is plain JavaScript inside a ts fence), so the
// first code a new user copies keeps working.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const built = ['core', 'ops', 'nn', 'compiler', 'backend-c'].every((p) => existsSync(`${root}packages/${p}/dist/index.js`));
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const problem = !built ? 'the packages are not built (run `pnpm build`)' : !existsSync(dist) ? `${dist} does not exist (run \`pnpm build\`)` : undefined;
if (problem) console.warn(`[examples tests] skipping the README quick start: ${problem}`);

function quickStart(): string {
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const section = readme.slice(readme.indexOf('## Quick start'));
  const m = /```ts\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error('README.md has no ts code block under "## Quick start"');
  return m[1];
}

describe.skipIf(problem !== undefined)('README quick start', () => {
  it('runs as written: tensor, grad, model, train', { timeout: 200_000 }, () => {
    const code = quickStart();
    expect(code.split('\n').length).toBeLessThanOrEqual(24);
    // Inside the examples app's dist/ (git-ignored), where the @metaop packages resolve to their builds.
    const file = `${dist}readme-quick-start.mjs`;
    writeFileSync(file, code);
    try {
      // As a new user runs it: the quick start imports the c backend only, so a METAOP_BACKEND
      // chosen for the test run (e.g. bang) would name a backend it never loads.
      const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 180_000, env: { ...process.env, METAOP_BACKEND: undefined, METAOP_QUIET: '1' } });
      expect(r.status, r.stderr).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines[0]).toBe('30');
      expect(lines[1].replace(/\s/g, '')).toBe('[[2,4],[6,8]]');
      const losses = lines.filter((l) => l.startsWith('step ')).map((l) => Number(l.split('loss ')[1]));
      expect(losses).toHaveLength(4);
      expect(losses[3]).toBeLessThan(losses[0]);
      expect(losses[3]).toBeLessThan(0.01);
    } finally {
      rmSync(file, { force: true });
    }
  });
});
