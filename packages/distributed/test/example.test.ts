// The Fashion-MNIST example runs under `mpirun -np 2` unchanged: rank 0 alone prints the --json
// summary, with worldSize 2, a finite loss, and the global batch the user asked for (the steps per
// epoch are those of one process). Skips, saying why, without Open MPI, the built example or the data.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fashionMnistDir, hasFashionMnist } from '@metaop/nn';
import { mpiMissing, mpirun } from './mpirun.js';

const cli = fileURLToPath(new URL('../../../apps/examples/dist/cli.js', import.meta.url));
const missing =
  mpiMissing ??
  (!existsSync(cli) ? `the examples are not built (${cli}; run \`pnpm run build\`)` : undefined) ??
  (!hasFashionMnist() ? `Fashion-MNIST not found in ${fashionMnistDir()} (apt-get install dataset-fashion-mnist)` : undefined);

const out = mkdtempSync(join(tmpdir(), 'metaop-dist-example-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe.skipIf(missing)('the fashion-mnist example under mpirun -np 2', () => {
  it('prints one JSON summary (rank 0) with worldSize 2 and a finite loss', () => {
    const r = mpirun(2, [cli, 'fashion-mnist', '--smoke', '--json', '--backend', 'js', '--out', out], {}, 300_000);
    expect(r.status, r.stderr).toBe(0);
    expect(r.lines, 'only rank 0 prints the summary').toHaveLength(1);
    const s = r.lines[0] as { example: string; worldSize: number; finalTrainLoss: number; testLoss: number; testAccuracy: number; steps: number; trainImages: number; batchSize: number };
    expect(s.example).toBe('fashion-mnist');
    expect(s.worldSize).toBe(2);
    expect(Number.isFinite(s.finalTrainLoss) && Number.isFinite(s.testLoss)).toBe(true);
    // Trained: below the loss of a uniform guess over 10 classes (ln 10 = 2.30).
    expect(s.testLoss).toBeLessThan(Math.log(10));
    // The batch is global: the two ranks together take the steps one process would.
    expect(s.steps).toBe(Math.ceil(s.trainImages / s.batchSize));
    expect(existsSync(join(out, 'report.html'))).toBe(true);
  }, 320_000);
});

if (missing) it.skip(`fashion-mnist example under mpirun: ${missing}`, () => {});
