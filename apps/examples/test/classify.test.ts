// classify end to end (random weights, then weights from a safetensors file) and the image
// pipeline it uses: PNG/JPEG decoding and torchvision's resize, crop and normalisation.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { afterAll, describe, expect, it } from 'vitest';
import { tensor } from '@metaop/ops';
import { saveSafetensorsSync } from '@metaop/nn';
import { squeezenet1_1 } from '@metaop/models';
import { decodeImage, ImageDecodeError } from '../src/image/decode.js';
import { imagenetMean, imagenetStd, preprocessImagenet, resizeBilinear } from '../src/image/preprocess.js';
import labels from '../src/data/imagenet-labels.json' with { type: 'json' };
import { cliMissing, expectOk, runCli } from './helpers.js';

const sample = new URL('../assets/sample.png', import.meta.url);
const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch, torchvision'], { stdio: 'ignore' }).status === 0;
if (!hasTorch && !cliMissing) console.warn('[examples tests] PyTorch missing for /usr/bin/python3: skipping the classify cross-check with torchvision');

describe('image pipeline', () => {
  it('decodes the sample PNG and a JPEG by their bytes', () => {
    const png = decodeImage(readFileSync(sample));
    expect([png.width, png.height, png.data.length]).toEqual([320, 240, 320 * 240 * 4]);
    const raw = new Uint8Array(16 * 8 * 4).fill(200);
    const encoded = jpeg.encode({ width: 16, height: 8, data: raw }, 95).data;
    const jpg = decodeImage(encoded);
    expect([jpg.width, jpg.height]).toEqual([16, 8]);
    expect(Math.abs(jpg.data[0] - 200)).toBeLessThanOrEqual(2);
    expect(() => decodeImage(new TextEncoder().encode('GIF89a....'))).toThrow(ImageDecodeError);
  });

  it('resizes the shorter side, center-crops and normalises per channel', () => {
    const w = 40;
    const h = 20;
    const data = new Uint8Array(w * h * 4);
    for (let i = 0; i < w * h; i++) data.set([255, 128, 0, 255], i * 4);
    const out = preprocessImagenet({ width: w, height: h, data }, { resize: 16, crop: 12 });
    expect(out.length).toBe(3 * 12 * 12);
    [255, 128, 0].forEach((v, c) => {
      const expected = (v / 255 - imagenetMean[c]) / imagenetStd[c];
      for (let i = 0; i < 144; i++) expect(out[c * 144 + i]).toBeCloseTo(expected, 5);
    });
  });

  it("matches torchvision's Resize(256), CenterCrop(224), ToTensor, Normalize on the sample to within one 8-bit step", () => {
    // PIL rounds to 8 bits after resizing; this pipeline stays in float, hence the tolerance.
    const fx = JSON.parse(readFileSync(new URL('./fixtures/sample-torchvision.json', import.meta.url), 'utf8')) as {
      positions: [number, number, number][];
      values: number[];
      channelMeans: number[];
    };
    const out = preprocessImagenet(decodeImage(readFileSync(sample)), { resize: 256, crop: 224 });
    const step = 1 / 255 / 0.225;
    fx.positions.forEach(([c, y, x], i) => {
      expect(Math.abs(out[(c * 224 + y) * 224 + x] - fx.values[i]), `channel ${c} at (${y}, ${x})`).toBeLessThanOrEqual(step);
    });
    fx.channelMeans.forEach((m, c) => {
      const plane = out.subarray(c * 224 * 224, (c + 1) * 224 * 224);
      expect(plane.reduce((a, b) => a + b, 0) / plane.length).toBeCloseTo(m, 2);
    });
  });

  it('resamples like PIL (antialiased bilinear), which torchvision uses for images', () => {
    const ramp = Float32Array.from({ length: 8 }, (_, i) => i);
    // 1x8 -> 1x4: a triangle filter twice as wide as when enlarging. The expected values are PIL's
    // Image.fromarray(ramp, 'F').resize((4, 1), Image.BILINEAR).
    const down = resizeBilinear(ramp, 1, 1, 8, 1, 4);
    expect(Array.from(down).map((v) => Number(v.toFixed(4)))).toEqual([0.7143, 2.5, 4.5, 6.2857]);
    const up = resizeBilinear(Float32Array.from([0, 1]), 1, 1, 2, 1, 4);
    expect(Array.from(up)).toEqual([0, 0.25, 0.75, 1]);
  });
});

describe.skipIf(cliMissing !== undefined)('classify example', () => {
  const dir = mkdtempSync(join(tmpdir(), 'metaop-classify-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says plainly that outputs come from random weights without --weights', { timeout: 200_000 }, async () => {
    const run = await runCli(['classify', '--smoke', '--json', '--model', 'squeezenet1_1']);
    const r = expectOk(run);
    expect(r.randomWeights).toBe(true);
    expect(run.stdout).toContain('RANDOM weights');
    expect(run.stdout).toContain('meaningless');
    const top = r.top as { class: number; label: string; probability: number }[];
    expect(top).toHaveLength(5);
    for (const t of top) expect(t.label).toBe(labels[t.class]);
    expect(r.probabilitySum as number).toBeCloseTo(1, 4);
    expect(r.forwardMs as number).toBeGreaterThan(0);
  });

  it('loads weights from a safetensors file', { timeout: 200_000 }, async () => {
    // squeezenet1_1 with its final 1x1 conv biased towards class 1 ('goldfish'): a model that
    // classifies everything as a goldfish, which only shows if the file was really loaded.
    const model = squeezenet1_1();
    const dict = model.stateDict();
    const bias = new Float32Array(1000);
    bias[1] = 50;
    dict['classifier.1.bias'] = tensor(bias, [1000]);
    const file = join(dir, 'goldfish.safetensors');
    saveSafetensorsSync(file, dict);
    const run = await runCli(['classify', '--smoke', '--json', '--model', 'squeezenet1_1', '--weights', file]);
    const r = expectOk(run);
    expect(r.randomWeights).toBe(false);
    expect(run.stdout).not.toContain('RANDOM');
    const top = r.top as { class: number; label: string; probability: number }[];
    expect(top[0]).toMatchObject({ class: 1, label: 'goldfish' });
    expect(top[0].probability).toBeGreaterThan(0.99);
  });

  it.skipIf(!hasTorch)('agrees with torchvision on converted weights and the same image', { timeout: 240_000 }, async () => {
    // Seeded random torchvision weights, converted by the models package's script; both sides
    // preprocess the sample at the smoke size (resize 73, crop 64) and classify it.
    const file = join(dir, 'resnet18.safetensors');
    const script = (p: string) => fileURLToPath(new URL(p, import.meta.url));
    const convert = spawnSync('/usr/bin/python3', [script('../../../packages/models/scripts/convert_torchvision.py'), 'resnet18', '--random', '--seed', '0', '--out', file], { encoding: 'utf8' });
    expect(convert.status, convert.stderr).toBe(0);
    const tv = spawnSync('/usr/bin/python3', [script('../python/torchvision_classify.py'), 'resnet18', file, fileURLToPath(sample), '--resize', '73', '--crop', '64'], { encoding: 'utf8' });
    expect(tv.status, tv.stderr).toBe(0);
    const torchTop = (JSON.parse(tv.stdout) as { top: [number, number][] }).top;
    const r = expectOk(await runCli(['classify', '--smoke', '--json', '--model', 'resnet18', '--weights', file, '--top', '10']));
    const ours = new Map((r.top as { class: number; probability: number }[]).map((t) => [t.class, t.probability]));
    expect((r.top as { class: number }[])[0].class).toBe(torchTop[0][0]);
    for (const [cls, p] of torchTop.slice(0, 3)) {
      expect(ours.has(cls), `torchvision's class ${cls} in MetaOp's top 10`).toBe(true);
      expect(Math.abs((ours.get(cls) as number) - p) / p, `probability of class ${cls}`).toBeLessThan(0.02);
    }
  });

  it('rejects a weights file that does not fit the model, naming the keys', { timeout: 200_000 }, async () => {
    const file = join(dir, 'wrong.safetensors');
    saveSafetensorsSync(file, { 'fc.weight': tensor(new Float32Array(4), [2, 2]) });
    const run = await runCli(['classify', '--smoke', '--model', 'squeezenet1_1', '--weights', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('does not fit squeezenet1_1');
    expect(run.stderr).toContain('fc.weight');
  });
});
