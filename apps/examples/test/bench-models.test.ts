// bench-models end to end in --smoke mode: a timing row per model, and PyTorch's column when
// /usr/bin/python3 has torch.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cliMissing, expectOk, runCli } from './helpers.js';

const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch, torchvision'], { stdio: 'ignore' }).status === 0;
if (!hasTorch && !cliMissing) console.warn('[examples tests] PyTorch missing for /usr/bin/python3: bench-models is checked without its PyTorch column');

describe.skipIf(cliMissing !== undefined)('bench-models example', () => {
  it('times each model and sets it beside PyTorch', { timeout: 300_000 }, async () => {
    const run = await runCli(['bench-models', '--smoke', '--json', '--models', 'squeezenet1_1']);
    const r = expectOk(run);
    const rows = r.results as {
      model: string;
      batch: number;
      ms: number;
      imagesPerSecond: number;
      torchMs: number | null;
      ratio: number | null;
      ortMs: number | null;
      gflopPerImage: number | null;
    }[];
    expect(rows.map((x) => [x.model, x.batch])).toEqual([['squeezenet1_1', 1]]);
    expect(rows[0].ms).toBeGreaterThan(0);
    expect(rows[0].imagesPerSecond).toBeCloseTo(1000 / rows[0].ms, 1);
    expect(run.stdout).toContain(`MetaOp ${String(r.backend)} ms`);
    if (hasTorch) {
      expect(r.pytorch).toMatch(/^torch /);
      expect(rows[0].torchMs as number).toBeGreaterThan(0);
      expect(rows[0].ratio as number).toBeCloseTo(rows[0].ms / (rows[0].torchMs as number), 2);
      expect(run.stdout).toContain('MetaOp/PyTorch time');
      // squeezenet1_1 at 64x64: about 0.06 GFLOP of conv per image.
      expect(rows[0].gflopPerImage as number).toBeGreaterThan(0.01);
      expect(rows[0].gflopPerImage as number).toBeLessThan(1);
    } else {
      expect(r.pytorch).toBeNull();
    }
    // No --onnxruntime: no onnxruntime column, and nothing is installed.
    expect(r.onnxruntime).toBeNull();
    expect(rows[0].ortMs).toBeNull();
  });

  it('rejects an unknown model by name', async () => {
    const run = await runCli(['bench-models', '--smoke', '--models', 'resnet9000']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown model 'resnet9000'");
  });
});
