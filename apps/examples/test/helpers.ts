// Runs the built examples CLI (apps/examples/dist/cli.js) as a user would and reads its --json line.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const cliPath = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
export const cliMissing = existsSync(cliPath) ? undefined : `${cliPath} is not built (run \`pnpm build\`; the root \`pnpm test\` builds first)`;
if (cliMissing) console.warn(`[examples tests] skipping the end-to-end runs: ${cliMissing}`);

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The last stdout line parsed as JSON (when it is a JSON object). */
  json: Record<string, unknown> | undefined;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Called with each chunk of stderr and a function that sends the process a signal. */
  onStderr?: (text: string, signal: (sig: NodeJS.Signals) => void) => void;
}

export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: options.cwd,
      env: { ...process.env, METAOP_QUIET: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      options.onStderr?.(stderr, (sig) => child.kill(sig));
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`metaop-example ${args.join(' ')} did not finish in ${options.timeoutMs} ms\n${stderr.slice(-2000)}`));
    }, options.timeoutMs ?? 280_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const last = stdout.trimEnd().split('\n').pop() ?? '';
      let json: Record<string, unknown> | undefined;
      if (last.startsWith('{')) {
        try {
          json = JSON.parse(last) as Record<string, unknown>;
        } catch {
          json = undefined;
        }
      }
      resolve({ code, stdout, stderr, json });
    });
  });
}

/** Fails with the command's output when it did not exit 0. */
export function expectOk(run: CliRun): Record<string, unknown> {
  if (run.code !== 0 || !run.json) {
    throw new Error(`exit ${run.code}, no JSON last line\n--- stdout\n${run.stdout.slice(-3000)}\n--- stderr\n${run.stderr.slice(-3000)}`);
  }
  return run.json;
}
