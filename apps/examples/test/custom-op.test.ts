// custom-op end to end: the composite of the two new operators is one fused kernel and its
// gradient matches finite differences.
import { describe, expect, it } from 'vitest';
import { cliMissing, expectOk, runCli } from './helpers.js';

describe.skipIf(cliMissing !== undefined)('custom-op example', () => {
  it('fuses upsample -> multiply-add -> pool into one kernel and passes its gradient check', { timeout: 200_000 }, async () => {
    const run = await runCli(['custom-op', '--smoke', '--json', '--backend', 'c']);
    const r = expectOk(run);
    expect(r.forwardKernels).toBe(1);
    expect(r.fusedOps).toEqual(['reindex', 'binary(mul)', 'binary(add)', 'binary(mul)', 'reindexReduce(add)']);
    expect(r.gradientCheck).toBe(true);
    expect(r.maxRelError as number).toBeLessThan(1e-5);
    expect(r.elementsChecked).toBe(32);
    // The reindex's gradient is a reindexReduce(add), and the reindexReduce's a reindex.
    expect(r.gradientMetaOps).toEqual(expect.arrayContaining(['reindex', 'reindexReduce(add)']));
    expect(run.stdout).toContain('void metaop_kernel');
  });

  it('runs on the js backend as well', { timeout: 200_000 }, async () => {
    const r = expectOk(await runCli(['custom-op', '--smoke', '--json', '--backend', 'js']));
    expect(r.backend).toBe('js');
    expect(r.forwardKernels).toBe(1);
    expect(r.gradientCheck).toBe(true);
  });
});
