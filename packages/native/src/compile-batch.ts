// Runs several compiler commands in parallel from synchronous code: a short-lived Node child
// process starts them (as many at once as there are cores) and prints "compiling kernels i/n"
// once the batch has taken more than a second.
import { execFileSync, spawnSync } from 'node:child_process';
import { flags } from '@metaop/core';

export interface CompileCommand {
  readonly cmd: string;
  readonly args: readonly string[];
}

export interface CommandResult {
  readonly code: number;
  readonly output: string;
}

const CHILD = String.raw`
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
const { jobs, progress } = JSON.parse(readFileSync(0, 'utf8'));
const total = jobs.length;
const results = new Array(total);
const max = Math.max(1, (os.availableParallelism ? os.availableParallelism() : os.cpus().length));
const started = Date.now();
const tty = process.stderr.isTTY;
let next = 0, running = 0, done = 0, shown = 0, lastLine = Date.now();
function show(final) {
  if (!progress || Date.now() - started < 1000) return;
  const line = 'compiling kernels ' + done + '/' + total;
  if (tty) { process.stderr.write('\r' + line + (final ? '\n' : '')); shown = 1; return; }
  // Without a terminal: a line every 10 s while it lasts, and the final count.
  if (final || Date.now() - lastLine > 10000) { process.stderr.write(line + (final ? ' (' + ((Date.now() - started) / 1000).toFixed(1) + ' s)' : '') + '\n'); lastLine = Date.now(); shown = 1; }
}
const timer = setInterval(() => show(false), 250);
function launch() {
  while (running < max && next < total) {
    const i = next++;
    running++;
    const p = spawn(jobs[i].cmd, jobs[i].args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('error', (e) => (out += String(e)));
    p.on('close', (code) => {
      results[i] = { code: code ?? 1, output: out };
      running--; done++;
      if (done === total) { clearInterval(timer); show(true); process.stdout.write(JSON.stringify(results)); }
      else launch();
    });
  }
}
launch();
`;

/** Runs the commands, in parallel when there are several; returns exit codes and output. */
export function runCommands(commands: readonly CompileCommand[]): CommandResult[] {
  if (commands.length === 1) {
    const [c] = commands;
    try {
      const output = execFileSync(c.cmd, c.args, { stdio: 'pipe', encoding: 'utf8' });
      return [{ code: 0, output }];
    } catch (e) {
      const err = e as { status?: number; stdout?: string; stderr?: string; message: string };
      return [{ code: err.status ?? 1, output: `${err.stdout ?? ''}${err.stderr ?? ''}` || err.message }];
    }
  }
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD], {
    input: JSON.stringify({ jobs: commands, progress: flags.progress }),
    stdio: ['pipe', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0 || !r.stdout) throw new Error(`the parallel compile helper failed (status ${r.status}): ${r.error?.message ?? ''}`);
  return JSON.parse(r.stdout) as CommandResult[];
}
