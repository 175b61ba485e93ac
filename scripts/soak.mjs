#!/usr/bin/env node
// `pnpm soak`: a long training loop that must not leak. A small CNN trained with Adam on random
// batches of 16, each step exactly as a user writes it:
//   const { loss } = opt.step(crossEntropy(model.forward(x), y)); loss.item(); loss.dispose(); x.dispose(); y.dispose();
// Every `--every` steps it prints resident memory, live bytes, kernels compiled and the step time,
// and at the end checks: RSS within ±5% after warm-up, live bytes flat, no kernel
// compiled after step 1. Exits 1 when a check fails.
//   node --expose-gc scripts/soak.mjs [--steps 20000] [--every 1000] [--gc-every 250] [--warmup 2000] [--backend c] [--json]
// --json prints one JSON line with every sample (used by the CI test in packages/nn/test/soak.test.ts).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    steps: { type: 'string', default: '20000' },
    every: { type: 'string', default: '1000' },
    'gc-every': { type: 'string', default: '250' },
    warmup: { type: 'string' },
    backend: { type: 'string' },
    'rss-tolerance': { type: 'string', default: '0.05' },
    json: { type: 'boolean', default: false },
  },
});
const steps = Number(opts.steps);
const every = Number(opts.every);
// Warm-up: the first tenth of the run (at most 2,000 steps); the compiles of step 1 and the allocator
// settling after them raise RSS for the first ~1,000 steps.
const warmup = Number(opts.warmup ?? Math.max(1, Math.min(2000, Math.floor(steps / 10))));
const gcEvery = Number(opts['gc-every']);
const rssTolerance = Number(opts['rss-tolerance']);
for (const [name, n] of [['steps', steps], ['every', every], ['gc-every', gcEvery], ['warmup', warmup]]) {
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${n}`);
}

const M = await import('@metaop/ops');
await import('@metaop/backend-js');
await import('@metaop/backend-c');
await import('@metaop/backend-bang');
const nn = await import('@metaop/nn');

if (opts.backend) M.setBackend(opts.backend);
const backend = M.getBackend();
const log = opts.json ? () => {} : (line) => console.log(line);
log(`soak: ${steps} steps on ${backend.label}, CNN + Adam, batch 16${globalThis.gc ? '' : ' (run with --expose-gc for exact RSS figures)'}`);

// Deterministic data: a tiny LCG, so every run trains on the same batches.
let seed = 12345;
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const batch = 16;
function nextBatch() {
  const x = new Float32Array(batch * 28 * 28);
  for (let i = 0; i < x.length; i++) x[i] = rand() * 2 - 1;
  const y = new Int32Array(batch);
  for (let i = 0; i < batch; i++) y[i] = Math.floor(rand() * 10);
  return { x: M.tensor(x, [batch, 1, 28, 28]), y: M.tensor(y, [batch], 'int32') };
}

const model = new nn.Sequential(
  new nn.Conv2d(1, 8, 3, { padding: 1 }),
  new nn.ReLU(),
  new nn.MaxPool2d(2),
  new nn.Conv2d(8, 16, 3, { padding: 1 }),
  new nn.ReLU(),
  new nn.MaxPool2d(2),
  new nn.Flatten(),
  new nn.Linear(16 * 7 * 7, 10),
);
const opt = new nn.Adam(model.parameters(), { lr: 1e-3 });

const kernelsCompiled = () => (typeof backend.stats === 'function' ? backend.stats().kernelsCompiled : 0);
const mb = (bytes) => (bytes / 2 ** 20).toFixed(1);
// Resident memory has a file-backed part (the node binary, shared libraries) that the kernel may drop
// and fault back in under memory pressure from other processes; the anonymous part is what a leak
// grows. Printed beside RSS where Linux reports it.
function rssAnon() {
  try {
    const kb = /^RssAnon:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return kb ? Number(kb[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
function sample(step, ms) {
  globalThis.gc?.();
  const m = M.memory();
  const u = process.memoryUsage();
  return { step, rss: u.rss, rssAnon: rssAnon(), heapTotal: u.heapTotal, heapUsed: u.heapUsed, arrayBuffers: u.arrayBuffers, liveBytes: m.liveBytes, liveStorages: m.liveStorages, kernels: kernelsCompiled(), ms };
}

const samples = [];
let kernelsAfterStep1 = 0;
let lastLoss = NaN;
let t0 = performance.now();
for (let step = 1; step <= steps; step++) {
  const { x, y } = nextBatch();
  const { loss } = opt.step(M.crossEntropy(model.forward(x), y));
  lastLoss = loss.item();
  loss.dispose();
  x.dispose();
  y.dispose();
  if (step === 1) kernelsAfterStep1 = kernelsCompiled();
  // A full collection at a steady rhythm (as well as before each sample), so every sample sees the
  // heap and the allocator in the same state; without it RSS swings ±10% with the GC's timing alone.
  if (step % gcEvery === 0) globalThis.gc?.();
  if (step % every === 0 || step === steps) {
    const since = step % every === 0 ? every : step % every;
    const s = sample(step, (performance.now() - t0) / since);
    samples.push(s);
    log(
      `step ${String(step).padStart(6)}  rss ${mb(s.rss).padStart(7)} MB (anon ${s.rssAnon === undefined ? '?' : mb(s.rssAnon)})  heap ${mb(s.heapUsed).padStart(6)}/${mb(s.heapTotal)} MB  buffers ${mb(s.arrayBuffers).padStart(6)} MB  live ${String(s.liveBytes).padStart(8)} B (${s.liveStorages} storages)  kernels ${s.kernels}  ${s.ms.toFixed(2)} ms/step  loss ${lastLoss.toFixed(4)}`,
    );
    t0 = performance.now();
  }
}

// Checks after warm-up. Live bytes: every sample equals the first one after warm-up. RSS: every
// sample within the tolerance of the samples' median (one sample as the reference would make a
// transient of the reference itself look like drift), and the last fifth of the run against the
// first fifth after warm-up (growth, the signature of a leak).
const after = samples.filter((s) => s.step >= warmup);
const base = after[0] ?? samples[samples.length - 1];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const drift = (pick) => {
  const m = median(after.map(pick));
  return Math.max(...after.map((s) => Math.abs(pick(s) - m) / m));
};
const rssDrift = drift((s) => s.rss);
const anonDrift = base.rssAnon === undefined ? undefined : drift((s) => s.rssAnon);
const fifth = Math.max(1, Math.floor(after.length / 5));
const rssGrowth = mean(after.slice(-fifth).map((s) => s.rss)) / mean(after.slice(0, fifth).map((s) => s.rss)) - 1;
const liveFlat = after.every((s) => s.liveBytes === base.liveBytes && s.liveStorages === base.liveStorages);
const recompiles = kernelsCompiled() - kernelsAfterStep1;
const checks = {
  rss: rssDrift <= rssTolerance && Math.abs(rssGrowth) <= rssTolerance,
  liveBytes: liveFlat,
  recompiles: recompiles === 0,
};
const summary = { backend: backend.name, steps, warmup, rssDrift, rssGrowth, anonDrift, recompiles, kernelsAfterStep1, lastLoss, checks, samples };
if (opts.json) console.log(JSON.stringify(summary));
else {
  log(
    `after warm-up (steps ${base.step}-${steps}): RSS within ±${(rssDrift * 100).toFixed(2)}% of its median ` +
      `${(median(after.map((s) => s.rss)) / 2 ** 20).toFixed(1)} MB${anonDrift === undefined ? '' : ` (anonymous part ±${(anonDrift * 100).toFixed(2)}%)`}, ` +
      `growth first to last fifth ${(rssGrowth * 100).toFixed(2)}% (limit ±${(rssTolerance * 100).toFixed(0)}%) ${checks.rss ? 'ok' : 'FAIL'}; ` +
      `live bytes ${liveFlat ? `flat at ${base.liveBytes} B ok` : 'NOT flat FAIL'}; ` +
      `kernels compiled after step 1: ${recompiles} ${checks.recompiles ? 'ok' : 'FAIL'}`,
  );
}
process.exit(Object.values(checks).every(Boolean) ? 0 : 1);
