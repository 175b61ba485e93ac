// `bench-train`: one SGD training step of a backbone (forward, loss, backward, update), its median
// time and this process's peak resident memory, side by side with the same network and recipe in
// PyTorch (a separate process, so each peak RSS is its own).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Var } from '@metaop/core';
import { crossEntropy, manualSeed, randn, tensor } from '@metaop/ops';
import { SGD } from '@metaop/nn';
import { createModel, isModelName, modelNames } from '@metaop/models';
import type { Example } from '../../cli/example.js';
import { ExampleError } from '../../cli/example.js';
import { UsageError } from '../../cli/args.js';
import { runStats, statsJson, useBackend } from '../../runtime/backend.js';
import { textTable } from '../../ui/table.js';
import { pytorchProblem } from '../bench-models/pytorch.js';
import { medianMs } from '../bench-models/timing.js';

const python = '/usr/bin/python3';
const script = fileURLToPath(new URL('../python/bench_train_torch.py', import.meta.url));

/** Peak resident set size of this process in MB (VmHWM), or undefined off Linux. */
function peakRssMb(): number | undefined {
  try {
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

interface TorchStep {
  version: string;
  ms: number;
  peakRssMb: number | null;
}

function runTorch(model: string, batch: number, size: number, steps: number, threads: number, lr: number, momentum: number): TorchStep | string {
  const problem = pytorchProblem();
  if (problem) return problem;
  const r = spawnSync(
    python,
    [script, '--model', model, '--batch', String(batch), '--size', String(size), '--steps', String(steps), '--threads', String(threads), '--lr', String(lr), '--momentum', String(momentum)],
    { encoding: 'utf8', timeout: 30 * 60_000, env: { ...process.env, OMP_NUM_THREADS: String(threads), OMP_WAIT_POLICY: 'PASSIVE' } },
  );
  if (r.status !== 0) return `PyTorch training step failed (exit ${r.status}): ${(r.stderr || '').trim().split('\n').pop()}`;
  const o = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { torch: string; ms: number; peak_rss_mb: number | null };
  return { version: `torch ${o.torch}`, ms: o.ms, peakRssMb: o.peak_rss_mb };
}

export const benchTrain: Example = {
  name: 'bench-train',
  summary: 'time one SGD training step of a backbone and its peak memory, side by side with PyTorch',
  usage: 'pnpm example bench-train [--model resnet18] [--batch 8] [--steps 5] [--backend c]',
  options: [
    { name: 'model', type: 'string', default: 'resnet18', description: `backbone (${modelNames.length} known)` },
    { name: 'batch', type: 'number', default: 8, description: 'images per step' },
    { name: 'size', type: 'number', value: 'px', description: 'input height and width (default 224; --smoke: 64)' },
    { name: 'steps', type: 'number', default: 5, description: 'timed steps after two untimed warm-up steps (the median is shown)' },
    { name: 'lr', type: 'number', default: 0.01, description: 'SGD learning rate' },
    { name: 'momentum', type: 'number', default: 0.9, description: 'SGD momentum' },
    { name: 'threads', type: 'number', description: 'PyTorch threads (default: the cores MetaOp uses)' },
    { name: 'skip-pytorch', type: 'boolean', description: 'do not run the PyTorch side' },
  ],
  notes: [
    'A step is forward, cross-entropy, backward and the SGD update, ending with loss.item(); the first two steps (compiling, and the first with momentum buffers) are not timed.',
    'Peak RSS is each process\'s VmHWM: it includes the runtime (node and MetaOp; python and torch) and any memory pool.',
  ],
  async run(args, io) {
    const smoke = args.flag('smoke');
    const name = args.string('model') as string;
    if (!isModelName(name)) throw new ExampleError(`unknown model '${name}'; known: ${modelNames.join(', ')}`);
    const batch = args.number('batch') as number;
    const steps = smoke ? 1 : (args.number('steps') as number);
    const size = args.number('size') ?? (smoke ? 64 : name === 'inception_v3' ? 299 : 224);
    if (!Number.isInteger(batch) || batch < 1) throw new UsageError(`--batch must be a positive integer, got ${batch}`);
    if (!Number.isInteger(steps) || steps < 1) throw new UsageError(`--steps must be a positive integer, got ${steps}`);
    const lr = args.number('lr') as number;
    const momentum = args.number('momentum') as number;
    const threads = args.number('threads') ?? availableParallelism();
    const backend = await useBackend(args.string('backend'), 'c');
    const startRss = peakRssMb();

    manualSeed(0);
    const model = createModel(name);
    model.train();
    const optimizer = new SGD(model.parameters(), { lr, momentum });
    const x = randn([batch, 3, size, size]).realize();
    const y = tensor(Int32Array.from({ length: batch }, (_, i) => i % 1000), [batch], 'int32').realize();
    const step = () => {
      const { loss } = optimizer.step(crossEntropy((model.forward as (x: Var) => Var)(x), y));
      loss.item();
      loss.dispose();
    };
    const t = performance.now();
    step();
    const firstMs = performance.now() - t;
    step();
    const ms = medianMs(step, steps);
    const rss = peakRssMb();
    io.note(`[bench-train] ${name} batch ${batch}: ${ms.toFixed(1)} ms per step (first ${(firstMs / 1000).toFixed(1)} s), peak RSS ${rss?.toFixed(0)} MB`);
    for (const v of [...model.parameters(), ...model.buffers(), x, y]) v.dispose();

    let torch: TorchStep | undefined;
    let torchProblem: string | undefined;
    if (args.flag('skip-pytorch')) torchProblem = 'skipped (--skip-pytorch)';
    else {
      io.note(`[bench-train] PyTorch with ${threads} threads ...`);
      const r = runTorch(name, batch, size, steps, threads, lr, momentum);
      if (typeof r === 'string') torchProblem = r;
      else torch = r;
    }
    if (torchProblem) io.print(`PyTorch: ${torchProblem}`);

    const mb = (v: number | null | undefined) => (v === undefined || v === null ? '-' : v.toFixed(0));
    const header = ['', `MetaOp ${backend.name}`, ...(torch ? ['PyTorch', 'MetaOp/PyTorch'] : [])];
    const ratio = (a: number | undefined, b: number | null | undefined) => (a === undefined || !b ? '-' : `${(a / b).toFixed(2)}x`);
    io.print(`${name}, batch ${batch} at ${size}x${size}, SGD lr ${lr} momentum ${momentum}; median of ${steps} steps after 2 warm-up steps`);
    io.print(
      textTable(header, [
        ['ms per step', ms.toFixed(1), ...(torch ? [torch.ms.toFixed(1), ratio(ms, torch.ms)] : [])],
        ['img/s', ((batch * 1000) / ms).toFixed(1), ...(torch ? [((batch * 1000) / torch.ms).toFixed(1), ''] : [])],
        ['peak RSS MB', mb(rss), ...(torch ? [mb(torch.peakRssMb), ratio(rss, torch.peakRssMb)] : [])],
      ]),
    );
    if (torch) io.print(`${torch.version}, ${threads} threads, OMP_WAIT_POLICY=PASSIVE`);
    return {
      example: 'bench-train',
      backend: backend.name,
      model: name,
      batch,
      size,
      steps,
      ms: Number(ms.toFixed(3)),
      firstMs: Number(firstMs.toFixed(1)),
      peakRssMb: rss === undefined ? null : Number(rss.toFixed(1)),
      rssAtStartMb: startRss === undefined ? null : Number(startRss.toFixed(1)),
      pytorch: torch ? torch.version : null,
      pytorchProblem: torchProblem ?? null,
      torchMs: torch ? Number(torch.ms.toFixed(3)) : null,
      torchPeakRssMb: torch?.peakRssMb ?? null,
      threads,
      stats: statsJson(runStats(backend)),
    };
  },
};
