// Kernel rows of `pnpm bench`: memory-bound kernels against the copy bandwidth and a plain C sum,
// sgemm against OpenBLAS (through koffi, same thread count), a batch-1 linear layer (GEMV) against
// OpenBLAS sgemv and the copy bandwidth, and every distinct ResNet-18 conv layer at batch 1 and 8
// against PyTorch (a child process). Each MetaOp timing is realize() of a fresh graph, with one
// untimed warm-up first (it compiles or loads the kernels); compile time is not in these rows.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as M from '@metaop/ops';
import { koffi } from './machine.mjs';
import { basis, makeRow, medianMs, target } from './report.mjs';

const SGEMM = 'void cblas_sgemm(int order, int ta, int tb, int m, int n, int k, float alpha, const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc)';
const SGEMV = 'void cblas_sgemv(int order, int ta, int m, int n, float alpha, const float* a, int lda, const float* x, int incx, float beta, float* y, int incy)';

/** OpenBLAS's sgemm and sgemv set to `threads` threads, or undefined when the library is absent. */
function loadOpenBlas(threads) {
  for (const name of ['libopenblas.so.0', '/usr/lib/x86_64-linux-gnu/libopenblas.so.0']) {
    try {
      const lib = koffi.load(name);
      lib.func('void openblas_set_num_threads(int n)')(threads);
      return { sgemm: lib.func(SGEMM), sgemv: lib.func(SGEMV) };
    } catch {
      // try the next name
    }
  }
  return undefined;
}

/** The distinct conv layers of ResNet-18 (torchvision), at 224x224 input. */
export const resnet18Convs = [
  { name: 'conv1 7x7/2 3->64 @224', cin: 3, cout: 64, h: 224, k: 7, stride: 2, pad: 3 },
  { name: 'layer1 3x3 64->64 @56', cin: 64, cout: 64, h: 56, k: 3, stride: 1, pad: 1 },
  { name: 'layer2.0 3x3/2 64->128 @56', cin: 64, cout: 128, h: 56, k: 3, stride: 2, pad: 1 },
  { name: 'layer2 3x3 128->128 @28', cin: 128, cout: 128, h: 28, k: 3, stride: 1, pad: 1 },
  { name: 'layer2 downsample 1x1/2 64->128 @56', cin: 64, cout: 128, h: 56, k: 1, stride: 2, pad: 0 },
  { name: 'layer3.0 3x3/2 128->256 @28', cin: 128, cout: 256, h: 28, k: 3, stride: 2, pad: 1 },
  { name: 'layer3 3x3 256->256 @14', cin: 256, cout: 256, h: 14, k: 3, stride: 1, pad: 1 },
  { name: 'layer3 downsample 1x1/2 128->256 @28', cin: 128, cout: 256, h: 28, k: 1, stride: 2, pad: 0 },
  { name: 'layer4.0 3x3/2 256->512 @14', cin: 256, cout: 512, h: 14, k: 3, stride: 2, pad: 1 },
  { name: 'layer4 3x3 512->512 @7', cin: 512, cout: 512, h: 7, k: 3, stride: 1, pad: 1 },
  { name: 'layer4 downsample 1x1/2 256->512 @14', cin: 256, cout: 512, h: 14, k: 1, stride: 2, pad: 0 },
];

const GEMV = { m: 4096, k: 9216 };

function runTorchRef(spec, threads, log) {
  if (!existsSync('/usr/bin/python3')) return { problem: '/usr/bin/python3 not found' };
  log(`[bench] PyTorch kernel references (${threads} threads) ...`);
  const r = spawnSync('/usr/bin/python3', [new URL('./torch_ref.py', import.meta.url).pathname, String(threads)], {
    input: JSON.stringify(spec),
    encoding: 'utf8',
    env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE', OMP_NUM_THREADS: String(threads) },
  });
  if (r.status === 0) return { torch: JSON.parse(r.stdout) };
  return { problem: `PyTorch failed: ${(r.stderr || '').trim().split('\n').pop()}` };
}

/** Runs every kernel row; returns { rows, torchVersion }. */
export function kernelRows({ native, ceilings, threads, reps, quick, log }) {
  const rows = [];
  const add = (r) => rows.push(makeRow({ section: 'kernels', ...r }, ceilings));
  const realizeOnce = (build) => () => {
    const z = build();
    z.realize();
    z.dispose();
  };

  // ---- memory-bound ---------------------------------------------------------------------------
  const N = 16 * 1024 * 1024;
  const a = M.rand([N]).realize();
  const b = M.rand([N]).realize();
  const hostA = a.dataSync();
  log('[bench] element-wise and sum ...');
  const chainMs = medianMs(realizeOnce(() => M.relu(a.mul(b).add(1).mul(0.5))), reps);
  add({
    name: 'element-wise relu((a*b+1)*0.5), 16M f32 (2 reads + 1 write)',
    ours: (3 * 4 * N) / chainMs / 1e6,
    unit: 'GB/s',
    refName: 'plain C copy',
    refValue: ceilings.copyGBs,
    basis: basis.gbs,
    target: target.ratioAtLeast(0.7),
  });
  const sumMs = medianMs(realizeOnce(() => a.sum()), reps);
  const refSumMs = medianMs(() => native.sum(hostA, N), reps);
  add({ name: 'accurate sum of 16M f32', ours: (4 * N) / sumMs / 1e6, unit: 'GB/s', refName: 'plain C double sum', refValue: (4 * N) / refSumMs / 1e6, basis: basis.gbs });
  a.dispose();
  b.dispose();

  // ---- PyTorch references for the conv rows (and the fallback for matmul) --------------------------
  const sizes = [256, 512, 1024, 2048];
  const batches = [1, 8];
  const convs = batches.flatMap((n) => resnet18Convs.map((c) => ({ ...c, n, id: `${c.name} b${n}` })));
  const { torch, problem } = runTorchRef({ matmul: sizes, conv: convs, gemv: GEMV, reps }, threads, log);
  if (problem) log(`[bench] ${problem}`);
  const blas = loadOpenBlas(threads);
  if (!blas) log('[bench] OpenBLAS not found (apt-get install libopenblas0-pthread): sgemm rows fall back to PyTorch');

  // ---- sgemm --------------------------------------------------------------------------------------
  for (const n of sizes) {
    log(`[bench] sgemm ${n} ...`);
    const x = M.rand([n, n]).realize();
    const y = M.rand([n, n]).realize();
    const gflop = (2 * n ** 3) / 1e9;
    const runs = n >= 2048 && quick ? Math.min(reps, 3) : reps;
    const ms = medianMs(realizeOnce(() => M.matmul(x, y)), runs);
    let refName = torch ? `PyTorch ${torch.version} mm` : `none (${problem})`;
    let refMs = torch?.matmul[n];
    if (blas) {
      const ha = x.dataSync();
      const hb = y.dataSync();
      const hc = new Float32Array(n * n);
      refMs = medianMs(() => blas.sgemm(101, 111, 111, n, n, n, 1, ha, n, hb, n, 0, hc, n), runs);
      refName = 'OpenBLAS sgemm';
    }
    add({
      name: `sgemm ${n}x${n}x${n}`,
      ours: gflop / (ms / 1000),
      unit: 'GFLOP/s',
      refName,
      refValue: refMs ? gflop / (refMs / 1000) : undefined,
      basis: basis.gflops,
      target: target.ratioAtLeast(0.8),
    });
    x.dispose();
    y.dispose();
  }

  // ---- GEMV: a batch-1 linear layer as in AlexNet's classifier, memory-bound on its weight -----------
  {
    log('[bench] GEMV ...');
    const { m, k } = GEMV;
    const x = M.rand([1, k]).realize();
    const w = M.rand([m, k]).realize();
    const gb = (4 * m * k) / 1e9;
    const ms = medianMs(realizeOnce(() => M.matmul(x, M.transpose(w))), reps);
    let refName = torch ? 'PyTorch linear' : `none (${problem})`;
    let refMs = torch?.gemv;
    if (blas) {
      const hw = w.dataSync();
      const hx = x.dataSync();
      const hy = new Float32Array(m);
      refMs = medianMs(() => blas.sgemv(101, 111, m, k, 1, hw, k, hx, 1, 0, hy, 1), reps);
      refName = 'OpenBLAS sgemv';
    }
    add({
      name: `GEMV x[1,${k}] @ W[${m},${k}]^T (linear, batch 1), weight bytes`,
      ours: gb / (ms / 1000),
      unit: 'GB/s',
      refName,
      refValue: refMs ? gb / (refMs / 1000) : undefined,
      basis: basis.gbs,
    });
    x.dispose();
    w.dispose();
  }

  // ---- ResNet-18 conv layers ------------------------------------------------------------------------
  for (const c of convs) {
    log(`[bench] conv2d ${c.id} ...`);
    const x = M.randn([c.n, c.cin, c.h, c.h]).realize();
    const w = M.randn([c.cout, c.cin, c.k, c.k]).realize();
    const oh = Math.floor((c.h + 2 * c.pad - c.k) / c.stride) + 1;
    const gflop = (2 * c.n * c.cout * oh * oh * c.cin * c.k * c.k) / 1e9;
    const ms = medianMs(realizeOnce(() => M.conv2d(x, w, { stride: c.stride, padding: c.pad })), reps);
    const refMs = torch?.conv[c.id];
    add({
      name: `conv2d ${c.name}, batch ${c.n}`,
      ours: gflop / (ms / 1000),
      unit: 'GFLOP/s',
      refName: torch ? 'PyTorch conv2d' : `none (${problem})`,
      refValue: refMs ? gflop / (refMs / 1000) : undefined,
      basis: basis.gflops,
      target: c.n === 8 ? target.fractionAtLeast(0.6) : undefined,
    });
    x.dispose();
    w.dispose();
  }
  return { rows, torchVersion: torch?.version };
}
