// Start-up rows of `pnpm bench`: a cold start (every kernel of a ResNet-like block compiled into an
// empty cache), a warm start (the same block from the disk cache), a bare node start for scale, and
// the cost of one realize() of a one-kernel graph (graph build, plan cache, launch) in process.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as M from '@metaop/ops';
import { median, makeRow, medianMs, target } from './report.mjs';

export function startRows({ work, log }) {
  const rows = [];
  const add = (r) => rows.push(makeRow({ section: 'start', ...r }));
  const cacheDir = join(work, 'cache');
  const block = new URL('./block.mjs', import.meta.url).pathname;
  const runBlock = () => {
    const t = performance.now();
    const out = execFileSync(process.execPath, [block], { env: { ...process.env, METAOP_CACHE_DIR: cacheDir, METAOP_PROGRESS: '0' }, encoding: 'utf8' });
    return { wall: performance.now() - t, ...JSON.parse(out.trim().split('\n').pop()) };
  };
  log('[bench] cold and warm start ...');
  const cold = runBlock();
  const warms = [runBlock(), runBlock(), runBlock()];
  const warm = warms.sort((p, q) => p.wall - q.wall)[1];
  add({ name: `cold start: ResNet-like block fwd+bwd in a fresh process, ${cold.compiled} kernels compiled`, ours: cold.wall / 1000, unit: 's' });
  add({
    name: `warm start: the same from the disk cache (${warm.compiled} compiled; in-process ${(median(warms.map((w) => w.ms)) / 1000).toFixed(2)} s)`,
    ours: warm.wall / 1000,
    unit: 's',
    target: target.valueAtMost(0.5, 's'),
  });
  add({ name: '  a bare `node -e 0` start, for scale', ours: medianMs(() => execFileSync(process.execPath, ['-e', '0']), 3) / 1000, unit: 's' });

  const backend = M.getBackend();
  const tiny = M.rand([16]).realize();
  const launches = 2000;
  for (let i = 0; i < 100; i++) tiny.add(1).realize().dispose();
  const before = backend.stats().launches;
  const t0 = performance.now();
  for (let i = 0; i < launches; i++) {
    const z = tiny.add(1);
    z.realize();
    z.dispose();
  }
  const perRealize = ((performance.now() - t0) * 1000) / launches;
  add({ name: `realize() of a 1-kernel graph, build + plan cache + launch (${backend.stats().launches - before} launches)`, ours: perRealize, unit: 'us' });
  tiny.dispose();
  return rows;
}
