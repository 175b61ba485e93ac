#!/usr/bin/env node
// LSTM training step, MetaOp (c backend) beside PyTorch on the same thread count: LSTM(8 -> 32) over
// 20 time steps, batch 16, a Linear(32 -> 1) head on the last step, MSE loss, SGD. Prints the median
// milliseconds of timed steps after untimed warm-up steps (the first compiles), the kernels compiled
// after the first step (should be 0), kernel launches per step and PyTorch's median. Reported, not asserted.
//
//   node bench/lstm.mjs [--threads 2] [--steps 20] [--warmup 3]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: { threads: { type: 'string', default: '2' }, steps: { type: 'string', default: '20' }, warmup: { type: 'string', default: '3' } },
  strict: true,
});
const threads = Number(opts.threads);
const steps = Number(opts.steps);
const warmup = Number(opts.warmup);
// Set before the backend is loaded: the C backend reads its thread count once.
process.env.METAOP_NUM_THREADS = String(threads);
process.env.OMP_WAIT_POLICY ??= 'PASSIVE';
const M = await import('@metaop/ops');
await import('@metaop/backend-c');
const nn = await import('@metaop/nn');

const T = 20;
const B = 16;
const I = 8;
const H = 32;
const backend = M.setBackend('c');
M.manualSeed(0);
const lstm = new nn.LSTM(I, H);
const head = new nn.Linear(H, 1);
const opt = new nn.SGD([...lstm.parameters(), ...head.parameters()], { lr: 0.01 });
const x = M.randn([T, B, I]).realize();
const y = M.randn([B, 1]).realize();
const step = () => {
  const [out] = lstm.forward(x);
  const { loss } = opt.step(M.mse(head.forward(out.at(T - 1)), y));
  return loss.item();
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
let t = performance.now();
step();
const firstMs = performance.now() - t;
const afterFirst = backend.stats().kernelsCompiled;
for (let i = 1; i < warmup; i++) step();
const launches0 = backend.stats().launches;
const ms = [];
for (let i = 0; i < steps; i++) {
  t = performance.now();
  step();
  ms.push(performance.now() - t);
}
const recompiles = backend.stats().kernelsCompiled - afterFirst;
const launchesPerStep = (backend.stats().launches - launches0) / steps;

let torch;
const script = fileURLToPath(new URL('./lstm_torch.py', import.meta.url));
if (existsSync('/usr/bin/python3')) {
  const r = spawnSync('/usr/bin/python3', [script, String(threads), String(steps), String(warmup)], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: String(threads), OMP_WAIT_POLICY: 'PASSIVE' },
  });
  torch = r.status === 0 ? JSON.parse(r.stdout.trim().split('\n').pop()) : { problem: (r.stderr || '').trim().split('\n').pop() };
}
const result = {
  case: `LSTM(${I} -> ${H}), ${T} steps, batch ${B}, SGD training step`,
  threads,
  metaopMs: Number(median(ms).toFixed(3)),
  metaopFirstStepMs: Number(firstMs.toFixed(0)),
  kernelsFirstStep: afterFirst,
  kernelsCompiledAfterFirstStep: recompiles,
  launchesPerStep,
  pytorchMs: torch?.ms,
  pytorch: torch?.version ?? torch?.problem,
};
console.log(JSON.stringify(result));
