// The machine a benchmark ran on, and the two ceilings its rows are measured against, both taken in
// the same run: the fp32 FMA peak (a register-only loop of the widest vectors the compiler targets,
// 12 independent FMA chains per thread, on 1 thread and on every thread) and the copy bandwidth
// (a plain C copy of 64 MiB). Nothing here is tuned to a CPU: widths and sizes are detected.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** koffi is @metaop/backend-c's dependency; the bench borrows it rather than adding one at the root. */
export const koffi = createRequire(new URL('../packages/backend-c/package.json', import.meta.url))('koffi');

const read = (path) => {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
};

/** ISA extensions from /proc/cpuinfo's flags line (Linux x86; elsewhere what can be said). */
export function detectIsa() {
  const flags = new Set((/^flags\s*:(.*)$/m.exec(read('/proc/cpuinfo') ?? '')?.[1] ?? '').trim().split(/\s+/));
  const has = (f) => flags.has(f);
  const isa = {
    avx512f: has('avx512f'),
    avx512bf16: has('avx512_bf16'),
    avx512vnni: has('avx512_vnni'),
    avx2: has('avx2'),
    fma: has('fma'),
    amx: ['amx_tile', 'amx_bf16', 'amx_int8', 'amx_fp16'].filter(has).map((f) => f.slice(4)),
  };
  const parts = [];
  if (isa.avx512f) parts.push(`AVX-512F${isa.avx512bf16 ? ' +BF16' : ''}${isa.avx512vnni ? ' +VNNI' : ''}`);
  if (isa.avx2) parts.push('AVX2');
  if (isa.fma) parts.push('FMA');
  parts.push(isa.amx.length > 0 ? `AMX (${isa.amx.join(', ')}; bf16/int8 only, not in the fp32 peak)` : 'no AMX');
  return { ...isa, text: flags.size > 1 ? parts.join(', ') : `${process.arch} (no /proc/cpuinfo flags)` };
}

const kib = (bytes) => (bytes >= 1 << 20 ? `${+(bytes / (1 << 20)).toFixed(1)} MiB` : `${Math.round(bytes / 1024)} KiB`);

/** L1d, L2 and L3 sizes in bytes: sysfs of cpu0, else getconf, else unknown. */
export function detectCaches() {
  const out = {};
  const dir = '/sys/devices/system/cpu/cpu0/cache';
  if (existsSync(dir)) {
    for (const entry of readdirSync(dir).filter((e) => e.startsWith('index'))) {
      const level = read(join(dir, entry, 'level'));
      const type = read(join(dir, entry, 'type'));
      const size = /^(\d+)K$/.exec(read(join(dir, entry, 'size')) ?? '');
      if (!size || type === 'Instruction') continue;
      out[level === '1' ? 'l1d' : `l${level}`] = Number(size[1]) * 1024;
    }
  }
  if (Object.keys(out).length === 0) {
    try {
      const conf = execFileSync('getconf', ['-a'], { encoding: 'utf8' });
      const get = (name) => Number(new RegExp(`^${name}\\s+(\\d+)`, 'm').exec(conf)?.[1] ?? 0);
      for (const [key, name] of [['l1d', 'LEVEL1_DCACHE_SIZE'], ['l2', 'LEVEL2_CACHE_SIZE'], ['l3', 'LEVEL3_CACHE_SIZE']]) if (get(name) > 0) out[key] = get(name);
      out.source = 'getconf';
    } catch {
      out.source = 'unknown';
    }
  } else out.source = 'sysfs';
  out.text = ['l1d', 'l2', 'l3'].map((k) => `${k.toUpperCase()} ${out[k] ? kib(out[k]) : '?'}`).join(', ') + (out.source === 'sysfs' ? '' : ` (${out.source})`);
  return out;
}

const SOURCE = `#include <stdint.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#if defined(__AVX512F__)
#define LANES 16
#elif defined(__AVX__)
#define LANES 8
#else
#define LANES 4
#endif
#define CHAINS 12
typedef float vf __attribute__((vector_size(LANES * 4)));
int peak_lanes(void) { return LANES; }
int peak_chains(void) { return CHAINS; }
int peak_threads(void) {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}
/* CHAINS independent a = a * m + c chains, each one FMA per iteration: enough to cover the FMA
   latency times the FMA ports of current x86 cores (4-5 cycles x 2 ports). */
static float chains(int64_t iters, float seed) {
  vf acc[CHAINS], m, c;
  for (int l = 0; l < LANES; l++) { m[l] = 0.9999999f; c[l] = seed * 1e-7f; }
  for (int j = 0; j < CHAINS; j++) for (int l = 0; l < LANES; l++) acc[j][l] = seed + 0.001f * (float)(j * LANES + l);
  for (int64_t i = 0; i < iters; i++) {
#pragma GCC unroll 12
    for (int j = 0; j < CHAINS; j++) acc[j] = acc[j] * m + c;
  }
  vf s = acc[0];
  for (int j = 1; j < CHAINS; j++) s += acc[j];
  float r = 0;
  for (int l = 0; l < LANES; l++) r += s[l];
  return r;
}
static double now(void) {
#ifdef _OPENMP
  return omp_get_wtime();
#else
  return 0;
#endif
}
/* GFLOP/s of the chains on \`threads\` threads (2 flops per lane per FMA); sink keeps the result live. */
double peak_gflops(int threads, int64_t iters, float* sink) {
  double t0 = now();
  float total = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads(threads) reduction(+:total)
#endif
  total += chains(iters, 1.0f + (float)threads);
  double t = now() - t0;
  *sink = total;
  return 2.0 * CHAINS * LANES * (double)iters * threads / t / 1e9;
}
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
`;

/** Compiles the native references (peak loop, copy, sum) with the project's toolchain into `work`. */
export function loadNative(toolchain, work) {
  if (!toolchain.openmp) console.warn('[bench] the toolchain has no OpenMP: the FMA peak and the copy run on one thread');
  writeFileSync(join(work, 'ref.c'), SOURCE);
  execFileSync(toolchain.cc, [...toolchain.flags, '-shared', '-fPIC', '-o', join(work, 'ref.so'), join(work, 'ref.c')]);
  const lib = koffi.load(join(work, 'ref.so'));
  return {
    lanes: lib.func('int peak_lanes(void)')(),
    chains: lib.func('int peak_chains(void)')(),
    maxThreads: lib.func('int peak_threads(void)')(),
    peak: lib.func('double peak_gflops(int threads, int64_t iters, float* sink)'),
    copy: lib.func('void ref_copy(const float* a, float* b, int64_t n)'),
    sum: lib.func('double ref_sum(const float* a, int64_t n)'),
  };
}

/**
 * The FMA peak on 1 and `threads` threads, best of `runs` (a ceiling is the best seen), each run
 * about 0.2 s long; and the copy bandwidth of 2 x 64 MiB, best of `runs` too.
 */
export function measureCeilings(native, threads, runs) {
  const sink = new Float32Array(1);
  // Calibrate the loop length on one thread to about 0.2 s a run.
  let iters = 1 << 16;
  let seconds = 0;
  for (;;) {
    const start = performance.now();
    native.peak(1, iters, sink);
    seconds = (performance.now() - start) / 1000;
    if (seconds >= 0.05) break;
    iters *= 4;
  }
  iters = Math.max(1, Math.round((iters * 0.2) / seconds));
  const best = (fn) => Math.max(...Array.from({ length: runs }, fn));
  const fma1 = best(() => native.peak(1, iters, sink));
  const fmaN = threads > 1 ? best(() => native.peak(threads, iters, sink)) : fma1;
  const n = 16 * 1024 * 1024;
  const a = new Float32Array(n).fill(1);
  const b = new Float32Array(n);
  native.copy(a, b, n);
  const copyGBs = best(() => {
    const t = performance.now();
    native.copy(a, b, n);
    return (2 * 4 * n) / (performance.now() - t) / 1e6;
  });
  return { fma1, fmaN, copyGBs, lanes: native.lanes, chains: native.chains, runs };
}

/** CPU model, ISA, caches, threads and compiler, as printed at the top of every benchmark. */
export function describeMachine(toolchain) {
  const isa = detectIsa();
  const caches = detectCaches();
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    isa,
    caches,
    threads: availableParallelism(),
    compiler: `${toolchain.version} (${toolchain.flags.join(' ')})`,
  };
}

/** The header lines: the machine and its measured ceilings. */
export function machineLines(machine, ceilings) {
  return [
    `CPU: ${machine.cpu}; ${machine.threads} threads; ${machine.caches.text}`,
    `ISA: ${machine.isa.text}`,
    `compiler: ${machine.compiler}`,
    `FMA peak (fp32, ${ceilings.lanes}-float vectors, ${ceilings.chains} chains/thread, best of ${ceilings.runs}): ` +
      `${ceilings.fma1.toFixed(1)} GFLOP/s on 1 thread, ${ceilings.fmaN.toFixed(1)} GFLOP/s on ${machine.threads}; ` +
      `copy bandwidth (plain C copy, 2 x 64 MiB): ${ceilings.copyGBs.toFixed(1)} GB/s`,
  ];
}
