// Runs the cache tests' fixture program (fixtures/program.mjs, built packages) in a child process
// and reads back its one JSON line: the value it computed and the kernel cache statistics.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const program = fileURLToPath(new URL('./fixtures/program.mjs', import.meta.url));
export const distReady = existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)));

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  result?: {
    backend: string;
    value: number;
    value2?: number;
    cache: { hits: number; compiled: number; rebuilt: number; uncached: number } | null;
    dir: string | null;
  };
}

type Env = Record<string, string | undefined>;

/** The parent's environment without a METAOP_BACKEND meant for the parent, plus `env`. */
export const childEnv = (env: Env): Env => ({ ...process.env, METAOP_BACKEND: undefined, ...env });

function parse(stdout: string): Run['result'] {
  try {
    return JSON.parse(stdout.trim().split('\n').pop() ?? '');
  } catch {
    return undefined;
  }
}

export function run(env: Env): Run {
  const r = spawnSync(process.execPath, [program], { env: childEnv(env), encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, result: parse(r.stdout) };
}

export function runAsync(env: Env): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [program], { env: childEnv(env), encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr, result: parse(stdout) });
    });
  });
}

/** Temporary folders, removed by removeTemps(). */
export function temps(): { tempDir: () => string; removeTemps: () => void } {
  const made: string[] = [];
  return {
    tempDir: () => {
      const d = mkdtempSync(join(tmpdir(), 'metaop-cache-test-'));
      made.push(d);
      return d;
    },
    removeTemps: () => made.forEach((d) => rmSync(d, { recursive: true, force: true })),
  };
}
