// float32 rounding error of the backbones next to PyTorch's: the same seeded weights and input run
// in PyTorch in float64 (the truth), in PyTorch in float32, and in MetaOp; each float32 result's
// relative L2 error against the truth. MetaOp's sums and inner products accumulate in blocks (see
// docs/reliability.md, "Accurate float32 reductions"), so its error must not exceed PyTorch's.
//
// By default three models run at small inputs (about 7 minutes on two busy cores, cold cache).
// METAOP_ACCURACY_MODELS=all runs every forward case of torchvision.test.ts (about 40 minutes on
// two cores), METAOP_ACCURACY_MODELS=resnet18,vgg11 those; the table is printed at the end (and each
// row appended to the file METAOP_ACCURACY_LOG names, when set, as it is measured).
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import '@metaop/backend-c';
import { loadSafetensorsSync, type Module } from '@metaop/nn';
import { noGrad, setBackend } from '@metaop/ops';
import { models } from '@metaop/models';
import { relativeL2, torchUnavailable, TorchReferences } from './support/torchvision.js';
import { allCases, type ModelCase } from './support/torchvision-cases.js';

const backend = process.env.METAOP_BACKEND ?? 'c';
const chosen = process.env.METAOP_ACCURACY_MODELS ?? 'squeezenet1_1,vgg11,resnet18';
const tags = chosen === 'all' ? allCases.filter((c) => c.size !== null && !c.large).map((c) => c.tag) : chosen.split(',').filter((s) => s !== '');
// Smaller inputs than torchvision.test.ts for the default set: the error ratio does not need 224².
const quickSize: Record<string, number> = { squeezenet1_1: 96, resnet18: 96 };
const cases: ModelCase[] = tags.map((tag) => {
  const c = allCases.find((x) => x.tag === tag);
  if (!c || c.size === null) throw new Error(`METAOP_ACCURACY_MODELS: no forward case '${tag}'`);
  return process.env.METAOP_ACCURACY_MODELS !== undefined || !(tag in quickSize) ? c : { ...c, size: quickSize[tag] };
});

const noTorch = torchUnavailable();
let references: TorchReferences | null = null;
let dir = '';
const rows: string[] = [];

function request(c: ModelCase) {
  const seed = allCases.findIndex((x) => x.tag === c.tag);
  return (references as TorchReferences).request({
    tag: `${c.tag}-accuracy`,
    name: c.name,
    kwargs: c.kwargs,
    seed,
    inputShape: [c.batch ?? 1, 3, c.size as number, c.size as number],
    referenceDtype: 'float64',
    alsoFloat32: true,
  });
}

beforeAll(() => {
  setBackend(backend);
  if (noTorch) return;
  dir = mkdtempSync(join(tmpdir(), 'metaop-accuracy-'));
  references = new TorchReferences(dir);
  if (cases.length > 0) void request(cases[0]);
});

afterAll(() => {
  references?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (rows.length > 0) {
    const head = `${'model'.padEnd(20)} ${'input'.padEnd(12)} ${'MetaOp f32'.padStart(10)} ${'PyTorch f32'.padStart(11)} ${'ratio'.padStart(6)}`;
    console.log(`float32 relative L2 error against PyTorch float64, backend '${backend}':\n${head}\n${rows.join('\n')}`);
  }
});

test.skipIf(noTorch !== null).each(cases)(`$tag: float32 error at most PyTorch's${noTorch ? ` (skipped: ${noTorch})` : ''}`, { timeout: 900_000 }, async (c) => {
  const ref = await request(c);
  const next = cases[cases.indexOf(c) + 1];
  if (next) void request(next);
  const make = models[c.name] as (options?: Record<string, number | boolean>) => Module;
  const model = make(c.options);
  const dict = loadSafetensorsSync(ref.weights);
  model.loadStateDict(dict, { strict: true });
  for (const v of Object.values(dict)) v.dispose();
  rmSync(ref.weights);
  const io = loadSafetensorsSync(ref.io);
  rmSync(ref.io);
  model.eval();
  const y = noGrad(() => model.forward(io.input));
  const truth = io.output.dataSync();
  const ours = relativeL2(y.dataSync(), truth);
  const torch32 = relativeL2(io.output_float32.dataSync(), truth);
  for (const v of [y, ...Object.values(io), ...Object.values(model.stateDict())]) v.dispose();
  const ratio = ours / torch32;
  const row = `${c.tag.padEnd(20)} ${`${c.batch ?? 1}x3x${c.size}x${c.size}`.padEnd(12)} ${ours.toExponential(2).padStart(10)} ${torch32.toExponential(2).padStart(11)} ${ratio.toFixed(2).padStart(6)}`;
  rows.push(row);
  if (process.env.METAOP_ACCURACY_LOG) appendFileSync(process.env.METAOP_ACCURACY_LOG, `${row}\n`);
  expect(ratio, `${c.tag}: MetaOp's float32 error ${ours.toExponential(2)}, PyTorch's ${torch32.toExponential(2)}`).toBeLessThanOrEqual(1);
});
