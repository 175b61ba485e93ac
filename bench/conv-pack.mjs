#!/usr/bin/env node
// Times the ResNet-18 conv layers (bench/kernels.mjs's list) on this checkout's c backend with the
// weight packed once per plan and packed inside every launch (flags.packOnce, METAOP_PACK_ONCE),
// in alternation inside one process, so both see the same machine load:
//   node bench/conv-pack.mjs [reps] [layer filter] [batches, e.g. 1,8]
//   node bench/conv-pack.mjs --model resnet18 [reps] [batches]   (a whole eval-mode forward)
// Prints one JSON line per layer and batch: for each setting the median and best wall ms and the
// median CPU ms (user + system, all threads) of realize() of a fresh conv2d on realized x and w;
// the pack kernels in the plan (a layer without one runs the same kernel both ways) and the pack
// kernels run over all timed calls packed once (0: the weight was packed by the untimed warm-up).
import * as M from '@metaop/ops';
import '@metaop/backend-c';
import { flags } from '@metaop/core';
import { resnet18Convs } from './kernels.mjs';
import { median } from './report.mjs';

const args = process.argv.slice(2);
const model = args[0] === '--model' ? args.splice(0, 2)[1] : undefined;
const reps = Number(args[0] ?? 15);
const only = model ? '' : (args[1] ?? '');
const batches = (args[model ? 1 : 2] ?? '1,8').split(',').map(Number);
const backend = M.setBackend('c');
const settings = [true, false];

/** `run` timed with each setting in alternation; one untimed call per setting first (it compiles or loads the kernels and packs the weights). */
function compare(run, plan) {
  const samples = new Map(settings.map((s) => [s, { wall: [], cpu: [] }]));
  let packs = 0;
  for (let i = -1; i < reps; i++) {
    for (const packOnce of settings) {
      flags.packOnce = packOnce;
      const before = backend.stats().packs;
      const u = process.cpuUsage();
      const t = performance.now();
      run().realize().dispose();
      const dt = performance.now() - t;
      const du = process.cpuUsage(u);
      if (i < 0) continue;
      if (packOnce) packs += backend.stats().packs - before;
      samples.get(packOnce).wall.push(dt);
      samples.get(packOnce).cpu.push((du.user + du.system) / 1000);
    }
  }
  flags.packOnce = true;
  const packKernels = backend.kernelsFor([plan()]).reduce((k, p) => k + p.packs.length, 0);
  const summary = (s) => ({ wallMs: +median(s.wall).toFixed(3), bestWallMs: +Math.min(...s.wall).toFixed(3), cpuMs: +median(s.cpu).toFixed(3) });
  return { packKernels, timedPacks: packs, once: summary(samples.get(true)), perLaunch: summary(samples.get(false)) };
}

if (model) {
  const models = await import(new URL('../packages/models/dist/index.js', import.meta.url).href);
  const net = models[model]();
  net.eval();
  for (const n of batches) {
    const x = M.randn([n, 3, 224, 224]).realize();
    const forward = () => M.noGrad(() => net.forward(x));
    console.log(JSON.stringify({ model, batch: n, ...compare(forward, forward) }));
    x.dispose();
  }
}

for (const n of model ? [] : batches) {
  for (const c of resnet18Convs.filter((l) => l.name.includes(only))) {
    const x = M.randn([n, c.cin, c.h, c.h]).realize();
    const w = M.randn([c.cout, c.cin, c.k, c.k]).realize();
    const conv = () => M.conv2d(x, w, { stride: c.stride, padding: c.pad });
    console.log(JSON.stringify({ layer: c.name, batch: n, ...compare(conv, conv) }));
    x.dispose();
    w.dispose();
  }
}
