// bench-train end to end in --smoke mode: one timed SGD step with the process's peak RSS, and
// PyTorch's step and peak RSS beside it when /usr/bin/python3 has torch.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cliMissing, expectOk, runCli } from './helpers.js';

const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch, torchvision'], { stdio: 'ignore' }).status === 0;

describe.skipIf(cliMissing !== undefined)('bench-train example', () => {
  it('times a training step with its peak memory, beside PyTorch', { timeout: 300_000 }, async () => {
    const run = await runCli(['bench-train', '--smoke', '--json', '--model', 'squeezenet1_1', '--batch', '2']);
    const r = expectOk(run);
    expect(r.model).toBe('squeezenet1_1');
    expect(r.ms as number).toBeGreaterThan(0);
    expect(r.peakRssMb as number).toBeGreaterThan(r.rssAtStartMb as number);
    expect(run.stdout).toContain('peak RSS MB');
    if (hasTorch) {
      expect(r.pytorch).toMatch(/^torch /);
      expect(r.torchMs as number).toBeGreaterThan(0);
      expect(r.torchPeakRssMb as number).toBeGreaterThan(0);
      expect(run.stdout).toContain('MetaOp/PyTorch');
    } else {
      expect(r.torchMs).toBeNull();
    }
  });

  it('rejects an unknown model by name', async () => {
    const run = await runCli(['bench-train', '--smoke', '--model', 'resnet9000']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown model 'resnet9000'");
  });
});
