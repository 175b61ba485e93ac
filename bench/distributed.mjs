#!/usr/bin/env node
// Benchmarks of @metaop/distributed on this machine (reported, never asserted):
//  - all-reduce of 1..64 MB float32 buffers between 2 ranks: allReduce() on a Var (host staging
//    included) against Open MPI's MPI_Allreduce called from C in the shim (mo_bench_allreduce);
//  - a Fashion-MNIST epoch (first --images training images) with 1 process x 1 thread, 2 ranks x 1
//    thread and 1 process x 2 threads, and 2 ranks with small buckets with and without overlap.
//
//   node bench/distributed.mjs [--images 2048] [--only allreduce,epoch]
// Needs Open MPI (node scripts/setup-system.mjs --for bench) and a build (pnpm run build).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const self = fileURLToPath(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));
const isRoot = process.getuid?.() === 0;
const mpiFlags = ['--oversubscribe', ...(isRoot ? ['--allow-run-as-root'] : [])];
const mpiEnv = { ...process.env, ...(isRoot ? { OMPI_ALLOW_RUN_AS_ROOT: '1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1' } : {}), METAOP_PROGRESS: '0' };

if (process.env.OMPI_COMM_WORLD_RANK !== undefined && process.argv.includes('--rank-allreduce')) {
  // One rank of the all-reduce measurement.
  const { init, allReduce, loadShim, rank } = await import('@metaop/distributed');
  const ops = await import('@metaop/ops');
  await import('@metaop/backend-c');
  ops.setBackend('c');
  init();
  const mpi = loadShim();
  const rows = [];
  for (const mb of [1, 4, 16, 64]) {
    const n = (mb * 1024 * 1024) / 4;
    const iters = mb >= 16 ? 5 : 10;
    const x = ops.tensor(new Float32Array(n).fill(1), [n]);
    allReduce([x]); // warm-up
    const times = [];
    for (let i = 0; i < iters; i++) {
      const t = performance.now();
      allReduce([x]);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const buf = new Float32Array(new ArrayBuffer(n * 4)).fill(1);
    mpi.benchAllreduce(buf, n, 1);
    const cMs = (mpi.benchAllreduce(buf, n, iters) * 1000) / iters;
    rows.push({ mb, metaopMs: times[Math.floor(iters / 2)], cMs });
  }
  if (rank() === 0) console.log(JSON.stringify(rows));
  process.exit(0);
}

const { values: opts } = parseArgs({ options: { images: { type: 'string', default: '2048' }, only: { type: 'string', default: 'allreduce,epoch' } } });
const only = opts.only.split(',');

if (only.includes('allreduce')) {
  const r = spawnSync('mpirun', [...mpiFlags, '-np', '2', process.execPath, self, '--rank-allreduce'], { env: mpiEnv, encoding: 'utf8', timeout: 300_000 });
  const rows = JSON.parse(r.stdout.trim().split('\n').pop() ?? '[]');
  console.log('\nall-reduce, 2 ranks on one machine (median; GB/s = buffer bytes / time)');
  console.log('| buffer | MetaOp allReduce (Var, host staging) | MPI_Allreduce from C | shim overhead |');
  console.log('|---|---|---|---|');
  for (const x of rows) {
    const gbs = (ms) => ((x.mb * 1024 * 1024) / (ms / 1000) / 1e9).toFixed(2);
    console.log(`| ${x.mb} MB | ${x.metaopMs.toFixed(2)} ms (${gbs(x.metaopMs)} GB/s) | ${x.cMs.toFixed(2)} ms (${gbs(x.cMs)} GB/s) | ${(x.metaopMs / x.cMs).toFixed(2)}x |`);
  }
}

if (only.includes('epoch')) {
  const args = ['apps/examples/dist/cli.js', 'fashion-mnist', '--epochs', '1', '--train-limit', opts.images, '--test-limit', '200', '--json', '--out'];
  const run = (label, np, threads, extra = {}) => {
    const env = { ...mpiEnv, OMP_NUM_THREADS: String(threads), METAOP_NUM_THREADS: String(threads), ...extra };
    const out = `/tmp/metaop-bench-dist-${np}-${threads}`;
    const cmd = np === 0 ? [process.execPath, [...args, out]] : ['mpirun', [...mpiFlags, '-np', String(np), process.execPath, ...args, out]];
    const r = spawnSync(cmd[0], cmd[1], { cwd: root, env, encoding: 'utf8', timeout: 1_200_000 });
    const json = JSON.parse(r.stdout.trim().split('\n').pop() ?? 'null');
    return { label, seconds: json?.epochSeconds?.[0], imagesPerSecond: json?.imagesPerSecond, worldSize: json?.worldSize };
  };
  // Warm-ups fill the kernel cache for both per-rank batch shapes (64 alone, 32 per rank).
  run('warm-up', 0, 1);
  run('warm-up', 2, 1);
  // The demo's 120k parameters fit one 25 MB bucket (nothing to overlap); 0.1 MB buckets make ~5.
  const small = { METAOP_DP_BUCKET_MB: '0.1' };
  const rows = [
    run('1 process x 1 thread', 0, 1),
    run('2 ranks x 1 thread', 2, 1),
    run('2 ranks x 1 thread, 0.1 MB buckets, overlap', 2, 1, { ...small, METAOP_DP_OVERLAP: '1' }),
    run('2 ranks x 1 thread, 0.1 MB buckets, no overlap', 2, 1, small),
    run('1 process x 2 threads', 0, 2),
  ];
  console.log(`\nFashion-MNIST demo epoch over the first ${opts.images} training images (global batch 64, c backend)`);
  console.log('| run | epoch seconds | images/s | scaling efficiency vs 1x1 |');
  console.log('|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.label} | ${r.seconds} | ${r.imagesPerSecond} | ${((r.imagesPerSecond / rows[0].imagesPerSecond / (r.label.startsWith('2') ? 2 : r.label.includes('2 threads') ? 2 : 1)) * 100).toFixed(0)}% |`);
}
