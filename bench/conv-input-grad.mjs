#!/usr/bin/env node
// Times the conv2d input-gradient kernel (gather form, restaged) of a checkout's build, with finite
// weights and with one Inf in the weight (the kernel's non-finite variant, issue #10):
//   node bench/conv-input-grad.mjs [checkout root] [launches] [shape filter] [finite|inf]
// Prints one JSON line per shape and weight: CPU ms of the step (the kernel is nearly all of it) and
// wall ms of the kernel from the profile, median and best of the launches, and the kernel's notes. Run it
// against two checkouts in alternation to compare them on a busy machine (docs/reliability.md).
import { pathToFileURL } from 'node:url';

const root = pathToFileURL(`${process.argv[2] ?? new URL('../', import.meta.url).pathname}/`);
const launches = Number(process.argv[3] ?? 9);
const only = process.argv[4] ?? '';
const weights = process.argv[5] === 'finite' ? [false] : process.argv[5] === 'inf' ? [true] : [false, true];
const ops = await import(new URL('packages/ops/dist/index.js', root).href);
await import(new URL('packages/backend-c/dist/index.js', root).href);
const { flags } = await import(new URL('packages/core/dist/index.js', root).href);
flags.profile = true;
const backend = ops.setBackend('c');

const shapes = [
  { name: 'resnet18 layer1 1x64x56x56 64->64 3x3', n: 1, cin: 64, cout: 64, h: 56, k: 3, pad: 1 },
  { name: 'resnet18 layer1 8x64x56x56 64->64 3x3', n: 8, cin: 64, cout: 64, h: 56, k: 3, pad: 1 },
  { name: '8x64x32x32 64->64 3x3', n: 8, cin: 64, cout: 64, h: 32, k: 3, pad: 1 },
  { name: 'fashion-mnist conv2 64x16x14x14 32->16 5x5', n: 64, cin: 16, cout: 32, h: 14, k: 5, pad: 0 },
];

function time(s, nonFinite) {
  const x = ops.randn([s.n, s.cin, s.h, s.h], { seed: 1 }).realize();
  const data = ops.randn([s.cout, s.cin, s.k, s.k], { seed: 2 }).mul(0.1).dataSync();
  if (nonFinite) data[5] = Infinity;
  const w = ops.tensor(data, [s.cout, s.cin, s.k, s.k]).realize();
  const oh = s.h + 2 * s.pad - s.k + 1;
  const r = ops.randn([s.n, s.cout, oh, oh], { seed: 3 }).realize();
  const cpu = [];
  const wall = [];
  let notes = [];
  for (let i = 0; i < launches + 2; i++) {
    backend.resetProfile();
    const [gx] = ops.grad(ops.conv2d(x, w, { padding: s.pad }).mul(r).sum(), [x]);
    const t = process.cpuUsage();
    gx.realize();
    const used = process.cpuUsage(t);
    // The first launches compile and warm up.
    const k = backend.profile().find((p) => p.notes.some((n) => n.includes('gather form')));
    if (i >= 2) {
      cpu.push((used.user + used.system) / 1000);
      wall.push(k.ms / k.launches);
    }
    notes = k.notes;
    gx.dispose();
  }
  for (const v of [x, w, r]) v.dispose();
  cpu.sort((a, b) => a - b);
  wall.sort((a, b) => a - b);
  const median = (a) => a[a.length >> 1];
  return { shape: s.name, weight: nonFinite ? 'one Inf' : 'finite', cpuMs: median(cpu), bestCpuMs: cpu[0], kernelMs: median(wall), bestKernelMs: wall[0], notes: notes.filter((n) => /restaged|tile|variant/.test(n)) };
}

for (const s of shapes.filter((x) => x.name.includes(only))) for (const nonFinite of weights) console.log(JSON.stringify(time(s, nonFinite)));
