#!/usr/bin/env node
// `pnpm bench`: MetaOp side by side with references in the same run, on this machine. Prints the
// CPU, its ISA and caches, the FMA peak and copy bandwidth measured here, then one markdown table of
// medians: MetaOp, the reference, their ratio, the fraction of peak or bandwidth, and the issue's
// target (reported, never asserted). docs/benchmarks.md describes every row.
//
//   pnpm bench [--quick] [--models all|a,b] [--only kernels,host,start,models,train] [--json out.json]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as M from '@metaop/ops';
import * as C from '@metaop/backend-c';
import { describeMachine, loadNative, machineLines, measureCeilings } from './machine.mjs';
import { kernelRows } from './kernels.mjs';
import { hostCostRows } from './host-cost.mjs';
import { startRows } from './start.mjs';
import { modelRows, trainRows } from './models.mjs';
import { markdownTable } from './report.mjs';

const sections = ['kernels', 'host', 'start', 'models', 'train'];
const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    models: { type: 'string' },
    only: { type: 'string' },
    json: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});
if (opts.help) {
  console.log(`usage: pnpm bench [--quick] [--models all|a,b] [--only ${sections.join(',')}] [--json out.json]
  --quick    fewer repetitions, only ResNet-18 in the model rows unless --models says otherwise,
             a 6,400-image demo epoch (a few minutes on 2 cores)
  --models   backbones for the model rows: 'all' = the 16 seed backbones (long: every model compiles
             at batch 1 and 8), or a list; default: resnet18,resnet50,mobilenet_v2,alexnet,vgg11
  --only     run only these sections
  --json     also write every row, the machine and its ceilings to this file`);
  process.exit(0);
}
const only = opts.only ? opts.only.split(',') : sections;
for (const s of only) if (!sections.includes(s)) throw new Error(`--only: unknown section '${s}' (known: ${sections.join(', ')})`);
const quick = opts.quick;
const reps = quick ? 3 : 7;
const log = (line) => process.stderr.write(`${line}\n`);

const backend = M.setBackend('c');
const toolchain = C.detectToolchain(C.resolveCacheDir());
const machine = describeMachine(toolchain);
const threads = machine.threads;
const work = mkdtempSync(join(tmpdir(), 'metaop-bench-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

log('[bench] measuring the FMA peak and the copy bandwidth ...');
const native = loadNative(toolchain, work);
const ceilings = measureCeilings(native, threads, quick ? 3 : 5);
const header = machineLines(machine, ceilings);
for (const line of header) log(`[bench] ${line}`);

const rows = [];
const notes = [];
// On an idle machine the all-threads peak is about threads x the 1-thread peak; far less means
// other work shares the cores, and every figure of this run (fractions too) is noisy.
if (threads > 1 && ceilings.fmaN < 0.75 * threads * ceilings.fma1) {
  notes.push(
    `warning: the ${threads}-thread FMA peak is only ${(ceilings.fmaN / ceilings.fma1).toFixed(2)}x the 1-thread peak: other work is using these cores, ` +
      'so this run is noisy and fractions of peak can exceed 100%; take final figures on a quiet machine',
  );
}
const started = performance.now();
if (only.includes('kernels')) {
  const k = kernelRows({ native, ceilings, threads, reps, quick, log });
  rows.push(...k.rows);
  if (k.torchVersion) notes.push(`kernel rows: PyTorch ${k.torchVersion} on ${threads} threads, OMP_WAIT_POLICY=PASSIVE`);
}
if (only.includes('host')) rows.push(...hostCostRows({ quick, log }));
if (only.includes('start')) rows.push(...startRows({ work, log }));
let gflop;
if (only.includes('models')) {
  const m = modelRows({ quick, models: opts.models, threads, ceilings, log });
  rows.push(...m.rows);
  notes.push(...m.notes);
  gflop = m.gflop;
}
if (only.includes('train')) {
  const t = trainRows({ quick, threads, ceilings, work, log, gflop });
  rows.push(...t.rows);
  notes.push(...t.notes);
}
const minutes = (performance.now() - started) / 60000;

console.log(`\n## MetaOp benchmarks${quick ? ' (--quick)' : ''}\n`);
for (const line of header) console.log(`- ${line}`);
console.log(`- backend ${backend.label}; ${threads} threads everywhere; medians of ${reps} timed runs after an untimed warm-up (compiles happen there) unless a row says otherwise`);
for (const n of notes) console.log(`- ${n}`);
console.log('- ratio = MetaOp ÷ reference in the row\'s unit (GFLOP/s, GB/s: higher is better; ms, s, MB: lower is better)\n');
console.log(markdownTable(rows));
console.log(`\n(${minutes.toFixed(1)} min)`);

if (opts.json) {
  writeFileSync(
    opts.json,
    `${JSON.stringify({ date: new Date().toISOString(), quick, machine, ceilings, backend: backend.label, reps, notes, rows }, null, 2)}\n`,
  );
  console.log(`rows written to ${opts.json}`);
}
