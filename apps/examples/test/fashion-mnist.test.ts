// The main demo end to end in --smoke mode: training, the --json figures, report.html with its
// charts, the checkpoint and --resume, and the message when the data set is missing.
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fashionMnistDir, hasFashionMnist } from '@metaop/nn';
import { cliMissing, expectOk, runCli } from './helpers.js';

const noData = hasFashionMnist() ? undefined : `Fashion-MNIST not found in ${fashionMnistDir()} (apt-get install dataset-fashion-mnist)`;
if (noData && !cliMissing) console.warn(`[examples tests] skipping the fashion-mnist training runs: ${noData}`);

describe.skipIf(cliMissing !== undefined)('fashion-mnist example', () => {
  const out = mkdtempSync(join(tmpdir(), 'metaop-fmnist-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it.skipIf(noData !== undefined)('trains, evaluates, writes a checkpoint and a report with charts, then resumes from the saved step', { timeout: 300_000 }, async () => {
    const first = expectOk(await runCli(['fashion-mnist', '--smoke', '--json', '--out', out]));
    expect(first.example).toBe('fashion-mnist');
    expect(first.steps).toBe(12); // 384 smoke images / batch 32
    expect(first.resumedFromStep).toBe(0);
    expect(first.epochSeconds).toHaveLength(1);
    expect(first.testImages).toBe(500);
    // Twelve steps of SGD already beat chance (10%) clearly; a broken gradient would not.
    expect(first.testAccuracy as number).toBeGreaterThan(0.25);
    expect(first.testAccuracy as number).toBeLessThanOrEqual(1);
    expect(first.finalTrainLoss as number).toBeLessThan(Math.log(10));
    const stats = first.stats as { kernels?: { kernelsCompiled: number; launches: number } };
    if (first.backend !== 'reference') {
      expect(stats.kernels?.kernelsCompiled).toBeGreaterThan(0);
      expect(stats.kernels?.launches).toBeGreaterThan(stats.kernels?.kernelsCompiled as number);
    }
    expect(existsSync(join(out, 'checkpoint.safetensors'))).toBe(true);

    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html.match(/<svg/g)?.length).toBeGreaterThanOrEqual(2);
    expect(html).toContain('Training loss');
    expect(html).toContain('Test accuracy per epoch');
    expect(html).toContain('Confusion matrix');
    expect(html).toContain('Kernels and compilation');
    expect(html).toContain('<polyline'); // the loss curve is drawn

    expect(html).toContain('--profile'); // the hint: no kernel timings without profiling

    const resumed = await runCli(['fashion-mnist', '--smoke', '--json', '--out', out, '--resume', '--epochs', '2', '--profile']);
    const second = expectOk(resumed);
    expect(resumed.stdout).toContain('resuming from');
    expect(second.resumedFromStep).toBe(12);
    expect(second.steps).toBe(24);
    // The report covers both epochs: the first from the checkpoint's history, the second from this run.
    expect(second.epochSeconds).toHaveLength(2);
    const html2 = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html2).toMatch(/<td>2<\/td><td>[\d.]+<\/td>/);
    // --profile: the slowest kernels, with launches and times, in the JSON and the report.
    const slowest = (second.stats as { slowestKernels?: { name: string; launches: number; ms: number }[] }).slowestKernels ?? [];
    if (second.backend !== 'reference') {
      expect(slowest.length).toBeGreaterThan(3);
      expect(slowest[0].ms).toBeGreaterThanOrEqual(slowest[1].ms);
      expect(slowest[0].launches).toBeGreaterThan(0);
      expect(html2).toContain('Slowest kernels');
      expect(html2).toContain(slowest[0].name);
    }
  });

  it.skipIf(noData !== undefined)('saves a checkpoint on Ctrl-C and resumes in the middle of the epoch, ending exactly where an uninterrupted run ends', { timeout: 300_000 }, async () => {
    const dir = join(out, 'interrupted');
    const args = ['fashion-mnist', '--smoke', '--json', '--train-limit', '3200', '--out', dir]; // 100 steps
    let sent = false;
    const stopped = await runCli(args, {
      onStderr: (text, signal) => {
        // Non-TTY progress prints a line every 10 steps; interrupt once the first one is out.
        if (!sent && / 10\/100 /.test(text)) {
          sent = true;
          signal('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(stopped.code).toBe(130);
    const at = Number(/stopped at step (\d+)/.exec(stopped.stdout)?.[1]);
    expect(at).toBeGreaterThanOrEqual(10);
    expect(at).toBeLessThan(100);
    expect(stopped.json?.interrupted).toBe(true);
    const resumed = expectOk(await runCli([...args, '--resume']));
    expect(resumed.resumedFromStep).toBe(at);
    expect(resumed.steps).toBe(100);
    expect(resumed.interrupted).toBe(false);
    expect(resumed.testAccuracy as number).toBeGreaterThan(0.5);
    // Model, momentum, BatchNorm statistics, schedule and batch order all come back: the same
    // numbers as a run that was never stopped.
    const straight = expectOk(await runCli(['fashion-mnist', '--smoke', '--json', '--train-limit', '3200', '--out', join(out, 'straight')]));
    expect(resumed.finalTrainLoss).toBe(straight.finalTrainLoss);
    expect(resumed.testLoss).toBe(straight.testLoss);
  });

  it('says how to get the data set when it is missing', async () => {
    const run = await runCli(['fashion-mnist', '--smoke', '--data', join(out, 'no-such-folder')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('apt-get install dataset-fashion-mnist');
    expect(run.stderr).toContain('train-images-idx3-ubyte.gz');
    expect(run.stderr).toContain('--data');
  });

  it('refuses to resume without a checkpoint', async () => {
    const run = await runCli(['fashion-mnist', '--smoke', '--resume', '--out', join(out, 'empty')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(noData ? /Fashion-MNIST was not found/ : /no checkpoint at/);
  });
});
