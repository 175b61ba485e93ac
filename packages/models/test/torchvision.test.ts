// Every model against torchvision 0.14: the state dict has torchvision's keys, order and shapes, and
// with seeded random weights converted by scripts/convert_torchvision.py the eval-mode output
// matches PyTorch's (computed in float64) to a relative L2 error under 1e-4.
//
// The names and shapes come from a committed fixture, regenerated with
//   /usr/bin/python3 packages/models/scripts/convert_torchvision.py \
//     --list-state-dicts packages/models/test/fixtures/torchvision-state-dicts.json.gz <specs...>
// (the specs are the keys of that file). Weights are too big to commit: Python writes them at test
// time into a temporary folder, and those tests skip with a message when torch cannot be imported.
// METAOP_TEST_ALL_MODELS=1 also runs the larger variants, which share their code with tested models:
// building ResNeXt-101, Wide ResNet-101 and DenseNet-161/169/201 (their names and shapes), and the
// forward comparison of those and of ShuffleNetV2 x0.5/x1.5/x2.0. On a cold kernel cache, building
// a model costs about one compiled kernel per distinct parameter size (see README).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import '@metaop/backend-c';
import type { Var } from '@metaop/core';
import { loadSafetensorsSync, type Module } from '@metaop/nn';
import { noGrad, setBackend } from '@metaop/ops';
import { modelNames, models } from '@metaop/models';
import { relativeL2, stateDictFixture, torchUnavailable, TorchReferences, type Reference } from './support/torchvision.js';
import { allCases, type ModelCase } from './support/torchvision-cases.js';

const backend = process.env.METAOP_BACKEND ?? 'c';
const allModels = process.env.METAOP_TEST_ALL_MODELS === '1';
/** METAOP_TEST_MODELS=resnet18,vgg11 runs only those cases (by tag or model name). */
const only = process.env.METAOP_TEST_MODELS?.split(',').filter((s) => s !== '');

const cases = only ? allCases.filter((c) => only.includes(c.tag) || only.includes(c.name)) : allCases;
const fixture = stateDictFixture();
const noTorch = torchUnavailable();
const built = (c: ModelCase) => allModels || c.large !== 'all';
const compared = (c: ModelCase) => c.size !== null && (allModels || !c.large);
const forwardCases = cases.filter(compared);

let references: TorchReferences | null = null;
let dir = '';
const timings: string[] = [];
// Building the largest models and compiling their kernels on a cold cache takes minutes on two busy cores.
const timeout = 600_000;

/** Wall-clock seconds, and CPU seconds of this process plus the compilers it ran (the machine may be shared). */
interface Clock {
  wall: number;
  cpu: number;
}

function clock(): Clock {
  const own = process.cpuUsage();
  // /proc/self/stat fields 16 and 17: CPU time of waited-for children (the C compiler), in ticks.
  let children = 0;
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    children = (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    // not Linux: own CPU time only
  }
  return { wall: performance.now() / 1000, cpu: (own.user + own.system) / 1e6 + children };
}

function since(start: Clock): Clock {
  const now = clock();
  return { wall: now.wall - start.wall, cpu: now.cpu - start.cpu };
}

const show = (c: Clock) => `${c.wall.toFixed(1).padStart(5)} (${c.cpu.toFixed(1).padStart(5)} cpu)`;

function disposeModel(model: Module): void {
  for (const v of Object.values(model.stateDict())) v.dispose();
}

/** Asks Python for c's weights, input and output; each case has its own seed (its position in the table). */
function requestReference(c: ModelCase) {
  if (!references || c.size === null) return;
  const seed = allCases.findIndex((x) => x.tag === c.tag);
  const inputShape = [c.batch ?? 1, 3, c.size, c.size];
  return references.request({ tag: c.tag, name: c.name, kwargs: c.kwargs, seed, inputShape, referenceDtype: c.referenceDtype });
}

beforeAll(async () => {
  if (backend !== 'c' && backend !== 'reference') await import(/* @vite-ignore */ `@metaop/backend-${backend}`);
  setBackend(backend);
  if (noTorch) {
    console.warn(`models: skipping the PyTorch output comparisons: ${noTorch}`);
    return;
  }
  dir = mkdtempSync(join(tmpdir(), 'metaop-models-'));
  references = new TorchReferences(dir);
  if (forwardCases.length > 0) void requestReference(forwardCases[0]);
});

afterAll(() => {
  references?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (timings.length > 0) console.log(`models on backend '${backend}' (seconds):\n${timings.join('\n')}`);
});

test('the registry holds exactly the torchvision models of the fixture', () => {
  const names = Object.keys(fixture).filter((k) => !k.includes(':'));
  expect([...modelNames]).toEqual(names);
  expect(new Set(allCases.map((c) => c.tag))).toEqual(new Set(Object.keys(fixture)));
});

describe.each(cases)('$tag', (c) => {
  let model: Module | null = null;
  let buildTime: Clock = { wall: 0, cpu: 0 };

  const skipBuild = built(c) ? null : 'set METAOP_TEST_ALL_MODELS=1';
  test.skipIf(skipBuild !== null)(`state dict keys, order and shapes equal torchvision${skipBuild ? ` (skipped: ${skipBuild})` : ''}`, { timeout }, () => {
    const t0 = clock();
    const make = models[c.name] as (options?: Record<string, number | boolean>) => Module;
    model = make(c.options);
    const state = model.stateDict();
    for (const v of Object.values(state)) v.dataSync(); // finish the initialisation, so it is timed here
    buildTime = since(t0);
    expect(Object.entries(state).map(([k, v]) => [k, [...v.shape]])).toEqual(fixture[c.tag]);
    for (const [k, v] of Object.entries(state)) expect(v.dtype, k).toBe(k.endsWith('num_batches_tracked') ? 'int32' : 'float32');
    if (!compared(c)) {
      timings.push(`  ${c.tag.padEnd(28)} ${'(no forward)'.padEnd(12)} build ${show(buildTime)}`);
      disposeModel(model);
      model = null;
    }
  });

  const reason = c.size === null ? 'names and shapes only' : !compared(c) ? 'set METAOP_TEST_ALL_MODELS=1' : noTorch;
  test.skipIf(reason !== null)(`eval output matches PyTorch${reason ? ` (skipped: ${reason})` : ''}`, { timeout }, async () => {
    expect(model, 'the model was built by the previous test').not.toBeNull();
    const m = model as Module;
    const pyStart = clock();
    const ref = await (requestReference(c) as Promise<Reference>);
    const waited = since(pyStart).wall;
    const next = forwardCases[forwardCases.findIndex((f) => f.tag === c.tag) + 1];
    if (next) void requestReference(next); // Python prepares it while this one runs

    let t0 = clock();
    const dict = loadSafetensorsSync(ref.weights);
    m.loadStateDict(dict, { strict: true });
    for (const v of Object.values(dict)) v.dispose();
    rmSync(ref.weights);
    const loaded = since(t0);

    const io = loadSafetensorsSync(ref.io);
    rmSync(ref.io);
    m.eval();
    t0 = clock();
    const y: Var = noGrad(() => m.forward(io.input));
    const got = y.dataSync();
    const first = since(t0);

    expect([...y.shape]).toEqual([...io.output.shape]);
    const err = relativeL2(got, io.output.dataSync());
    timings.push(
      `  ${c.tag.padEnd(28)} ${`${c.batch ?? 1}x3x${c.size}x${c.size}`.padEnd(12)} build ${show(buildTime)}  load ${show(loaded)}` +
        `  forward ${show(first)}  python ${ref.seconds.toFixed(1)} (waited ${waited.toFixed(1)})  relL2 ${err.toExponential(1)}`,
    );
    for (const v of [y, io.input, io.output]) v.dispose();
    disposeModel(m);
    model = null;
    expect(err, `${c.tag}: relative L2 error of the logits`).toBeLessThan(1e-4);
  });
});
