// Runs python/bench_torch.py with Debian's /usr/bin/python3 (torch + torchvision) and reads its
// JSON lines (OMP_WAIT_POLICY=PASSIVE, the given thread count); says why when PyTorch is not there.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const python = '/usr/bin/python3';
const script = fileURLToPath(new URL('../python/bench_torch.py', import.meta.url));

export interface TorchTimes {
  version: string;
  /** "model@batch" -> median ms per forward. */
  ms: Map<string, number>;
  /** model -> conv and linear GFLOP per image. */
  gflop: Map<string, number>;
  errors: Map<string, string>;
}

/** Why PyTorch cannot be used here, or undefined when it can. */
export function pytorchProblem(): string | undefined {
  if (!existsSync(python)) return `${python} not found`;
  const r = spawnSync(python, ['-c', 'import torch, torchvision'], { stdio: 'ignore', timeout: 60_000 });
  return r.status === 0 ? undefined : 'PyTorch is not installed for /usr/bin/python3 (apt-get install python3-torch python3-torchvision)';
}

export function runPytorch(models: readonly string[], batches: readonly number[], size: number, threads: number, repeat: number): TorchTimes {
  const r = spawnSync(
    python,
    [script, '--models', models.join(','), '--batches', batches.join(','), '--size', String(size), '--threads', String(threads), '--repeat', String(repeat)],
    { encoding: 'utf8', timeout: 30 * 60_000, maxBuffer: 16 << 20, env: { ...process.env, OMP_NUM_THREADS: String(threads), OMP_WAIT_POLICY: 'PASSIVE' } },
  );
  if (r.status !== 0) throw new Error(`PyTorch benchmark failed (exit ${r.status}): ${(r.stderr || '').trim().split('\n').slice(-3).join(' | ')}`);
  const out: TorchTimes = { version: '', ms: new Map(), gflop: new Map(), errors: new Map() };
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const o = JSON.parse(line) as { torch?: string; torchvision?: string; model?: string; batch?: number; ms?: number; gflop?: number; error?: string };
    if (o.torch) out.version = `torch ${o.torch}, torchvision ${o.torchvision}`;
    else if (o.error && o.model) out.errors.set(o.model, o.error);
    else if (o.model && o.gflop !== undefined) out.gflop.set(o.model, o.gflop);
    else if (o.model && o.batch !== undefined && o.ms !== undefined) out.ms.set(`${o.model}@${o.batch}`, o.ms);
  }
  return out;
}
