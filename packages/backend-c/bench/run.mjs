#!/usr/bin/env node
// `pnpm bench` for the c backend: MetaOp kernels side by side with references in one process tree
// (a plain C copy and sum, OpenBLAS sgemm through koffi, PyTorch in a child process). Prints a
// table of medians with a ratio column; the targets are the issue's, reported, never asserted.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import koffi from 'koffi';

const root = new URL('../../../', import.meta.url);
const M = await import(new URL('packages/ops/dist/index.js', root).href);
const C = await import(new URL('packages/backend-c/dist/index.js', root).href);
const backend = M.setBackend('c');
const threads = availableParallelism();
const quick = process.argv.includes('--quick');
const reps = quick ? 3 : 7;

function median(fn, n = reps) {
  fn();
  const ts = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    fn();
    ts.push(performance.now() - t);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(n / 2)];
}

// ---- native references ---------------------------------------------------------------------
const toolchain = C.detectToolchain(C.resolveCacheDir());
const work = mkdtempSync(join(tmpdir(), 'metaop-bench-'));
writeFileSync(
  join(work, 'ref.c'),
  `#include <stdint.h>
void ref_copy(const float* restrict a, float* restrict b, int64_t n) {
  #pragma omp parallel for simd schedule(static)
  for (int64_t i = 0; i < n; i++) b[i] = a[i];
}
double ref_sum(const float* restrict a, int64_t n) {
  double s = 0;
  #pragma omp parallel for simd reduction(+:s) schedule(static)
  for (int64_t i = 0; i < n; i++) s += a[i];
  return s;
}
`,
);
execFileSync(toolchain.cc, [...toolchain.flags, '-shared', '-fPIC', '-o', join(work, 'ref.so'), join(work, 'ref.c')]);
const ref = koffi.load(join(work, 'ref.so'));
const refCopy = ref.func('void ref_copy(const float* a, float* b, int64_t n)');
const refSum = ref.func('double ref_sum(const float* a, int64_t n)');

let sgemm = null;
for (const lib of ['libopenblas.so.0', '/usr/lib/x86_64-linux-gnu/libopenblas.so.0']) {
  try {
    sgemm = koffi
      .load(lib)
      .func('void cblas_sgemm(int order, int ta, int tb, int m, int n, int k, float alpha, const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc)');
    break;
  } catch {
    // try the next name
  }
}

const rows = [];
const row = (name, ours, unit, refName, refValue, target) =>
  rows.push({ name, ours, unit, refName, refValue, ratio: refValue ? ours / refValue : undefined, target });

// ---- memory-bound kernels --------------------------------------------------------------------
const N = 16 * 1024 * 1024;
const a = M.rand([N]).realize();
const b = M.rand([N]).realize();
const hostA = a.dataSync();
const hostB = new Float32Array(N);
const copyMs = median(() => refCopy(hostA, hostB, N));
const copyGBs = (2 * 4 * N) / copyMs / 1e6;
const chainMs = median(() => {
  const out = M.relu(a.mul(b).add(1).mul(0.5));
  out.realize();
  out.dispose();
});
row('element-wise chain relu((a*b+1)*0.5), 16M f32', (3 * 4 * N) / chainMs / 1e6, 'GB/s', 'plain C copy', copyGBs, '>= 0.70');
const sumMs = median(() => {
  const s = a.sum();
  s.realize();
  s.dispose();
});
const refSumMs = median(() => refSum(hostA, N));
row('sum of 16M f32', (4 * N) / sumMs / 1e6, 'GB/s', 'plain C sum', (4 * N) / refSumMs / 1e6);

// ---- matmul ----------------------------------------------------------------------------------
const sizes = [256, 512, 1024];
const convs = [
  { name: 'conv1 7x7/2 3->64 @224', n: 1, cin: 3, cout: 64, h: 224, k: 7, stride: 2, pad: 3 },
  { name: 'layer1 3x3 64->64 @56', n: 1, cin: 64, cout: 64, h: 56, k: 3, stride: 1, pad: 1 },
  { name: 'layer2 3x3/2 64->128 @56', n: 1, cin: 64, cout: 128, h: 56, k: 3, stride: 2, pad: 1 },
  { name: 'layer2 3x3 128->128 @28', n: 1, cin: 128, cout: 128, h: 28, k: 3, stride: 1, pad: 1 },
  { name: 'layer3 3x3 256->256 @14', n: 1, cin: 256, cout: 256, h: 14, k: 3, stride: 1, pad: 1 },
  { name: 'layer4 3x3 512->512 @7', n: 1, cin: 512, cout: 512, h: 7, k: 3, stride: 1, pad: 1 },
  { name: 'downsample 1x1/2 64->128 @56', n: 1, cin: 64, cout: 128, h: 56, k: 1, stride: 2, pad: 0 },
];
let torch = null;
if (existsSync('/usr/bin/python3')) {
  const r = spawnSync('/usr/bin/python3', [new URL('./torch_ref.py', import.meta.url).pathname, String(threads)], {
    input: JSON.stringify({ matmul: sizes, conv: convs, reps }),
    encoding: 'utf8',
  });
  if (r.status === 0) torch = JSON.parse(r.stdout);
  else console.warn(`[bench] PyTorch reference unavailable: ${(r.stderr || '').trim().split('\n').pop()}`);
}
for (const n of sizes) {
  const x = M.rand([n, n]).realize();
  const y = M.rand([n, n]).realize();
  const flop = 2 * n ** 3;
  const ms = median(() => {
    const z = M.matmul(x, y);
    z.realize();
    z.dispose();
  });
  let refName = 'PyTorch';
  let refValue = torch ? flop / torch.matmul[n] / 1e6 : undefined;
  if (sgemm) {
    const ha = x.dataSync();
    const hb = y.dataSync();
    const hc = new Float32Array(n * n);
    const blasMs = median(() => sgemm(101, 111, 111, n, n, n, 1, ha, n, hb, n, 0, hc, n));
    refName = 'OpenBLAS sgemm';
    refValue = flop / blasMs / 1e6;
  }
  row(`matmul ${n}x${n}`, flop / ms / 1e6, 'GFLOP/s', refValue ? refName : 'none (install libopenblas0-pthread)', refValue, n === 1024 ? '>= 0.40' : undefined);
}

// ---- conv2d ----------------------------------------------------------------------------------
for (const c of convs) {
  const x = M.randn([c.n, c.cin, c.h, c.h]).realize();
  const w = M.randn([c.cout, c.cin, c.k, c.k]).realize();
  const oh = Math.floor((c.h + 2 * c.pad - c.k) / c.stride) + 1;
  const flop = 2 * c.n * c.cout * oh * oh * c.cin * c.k * c.k;
  const ms = median(() => {
    const z = M.conv2d(x, w, { stride: c.stride, padding: c.pad });
    z.realize();
    z.dispose();
  }, quick ? 3 : 5);
  row(`conv2d ${c.name}`, flop / ms / 1e6, 'GFLOP/s', torch ? 'PyTorch' : 'none (install python3-torch)', torch ? flop / torch.conv[c.name] / 1e6 : undefined);
}

// ---- compile and start times ------------------------------------------------------------------
const cacheDir = join(work, 'cache');
const block = new URL('./block.mjs', import.meta.url).pathname;
const runBlock = () => {
  const t = performance.now();
  const out = execFileSync(process.execPath, [block], { env: { ...process.env, METAOP_CACHE_DIR: cacheDir, METAOP_PROGRESS: '0' }, encoding: 'utf8' });
  return { wall: performance.now() - t, ...JSON.parse(out.trim().split('\n').pop()) };
};
const cold = runBlock();
const warm = [runBlock(), runBlock(), runBlock()].sort((p, q) => p.wall - q.wall)[1];
rows.push({ name: `cold start, ResNet-like block fwd+bwd (${cold.compiled} kernels compiled)`, ours: cold.wall / 1000, unit: 's' });
rows.push({ name: `warm start, same block from the disk cache (${warm.compiled} compiled)`, ours: warm.wall / 1000, unit: 's', target: '< 0.5 s (in-process ' + (warm.ms / 1000).toFixed(2) + ' s)' });
const nodeOnly = median(() => execFileSync(process.execPath, ['-e', '0']), 3);
rows.push({ name: '  (a bare `node -e 0` start, for scale)', ours: nodeOnly / 1000, unit: 's' });

// ---- dispatch overhead --------------------------------------------------------------------------
const tiny = M.rand([16]).realize();
const launches = 2000;
const before = backend.stats().launches;
const t0 = performance.now();
for (let i = 0; i < launches; i++) {
  const z = tiny.add(1);
  z.realize();
  z.dispose();
}
const perRealize = ((performance.now() - t0) * 1000) / launches;
const launched = backend.stats().launches - before;
rows.push({ name: `realize() of a 1-kernel graph (${launched} launches), build+plan-cache+run`, ours: perRealize, unit: 'us' });

rmSync(work, { recursive: true, force: true });

// ---- table -----------------------------------------------------------------------------------------
const fmt = (v, d = 1) => (v === undefined ? '' : v >= 100 ? v.toFixed(0) : v.toFixed(d));
console.log(`\nMetaOp benchmarks — backend ${backend.label}; ${toolchain.cpu}; ${threads} threads; median of ${reps}`);
if (torch) console.log(`PyTorch ${torch.version} reference (${threads} threads)`);
const header = ['benchmark', 'MetaOp', 'unit', 'reference', 'ref value', 'ratio', 'target'];
const lines = rows.map((r) => [r.name, fmt(r.ours, 2), r.unit, r.refName ?? '', fmt(r.refValue, 2), r.ratio === undefined ? '' : r.ratio.toFixed(2), r.target ?? '']);
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
const print = (cells) => console.log('| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |');
print(header);
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
lines.forEach(print);
