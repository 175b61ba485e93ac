// Finding the system C compiler and the flags it accepts ($CC, else cc/gcc/clang on PATH; -O3,
// -march=native and -fopenmp when they work). The probe result is cached per compiler version.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { readEnv } from '@metaop/core';

export interface Toolchain {
  /** The compiler command (absolute path). */
  readonly cc: string;
  /** First line of `cc --version`. */
  readonly version: string;
  readonly flags: readonly string[];
  readonly openmp: boolean;
  /** The linker accepts -z nodelete (kernel libraries then stay mapped until exit). */
  readonly nodelete: boolean;
  /** CPU model and architecture: part of every cache key because of -march=native. */
  readonly cpu: string;
  /** The flags target AVX-512 (__AVX512F__ defined): register tiles can be 16 floats wide. */
  readonly avx512: boolean;
}

function onPath(cmd: string): string | undefined {
  if (isAbsolute(cmd)) return existsSync(cmd) ? cmd : undefined;
  for (const dir of (readEnv('PATH') ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, cmd);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** The compiler to use, or undefined when none is found. Cheap: no process is started. */
export function findCompiler(): string | undefined {
  const cc = readEnv('CC');
  if (cc) return onPath(cc.trim().split(/\s+/)[0]);
  for (const c of ['cc', 'gcc', 'clang']) {
    const p = onPath(c);
    if (p) return p;
  }
  return undefined;
}

export function cpuModel(): string {
  const model = cpus()[0]?.model ?? 'unknown-cpu';
  return `${process.arch}/${model.trim()}`;
}

const PROBE = '#include <math.h>\nint probe(float* x, int n) {\n#pragma omp parallel for\n  for (int i = 0; i < n; i++) x[i] = expf(x[i]);\n  return 0;\n}\n';

function compiles(cc: string, flags: string[], dir: string): boolean {
  try {
    execFileSync(cc, [...flags, '-shared', '-fPIC', '-o', join(dir, 'probe.so'), join(dir, 'probe.c'), '-lm'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

let cached: Toolchain | undefined;

/** Detects the compiler and its flags once per process (and once per compiler version on disk). */
export function detectToolchain(cacheDir: string): Toolchain {
  if (cached) return cached;
  const cc = findCompiler();
  if (!cc) throw new Error('no C compiler found');
  const version = execFileSync(cc, ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
  const cpu = cpuModel();
  const id = createHash('sha256').update(`${cc}\n${version}\n${cpu}`).digest('hex').slice(0, 16);
  const file = join(cacheDir, `toolchain-${id}.json`);
  if (existsSync(file)) {
    try {
      const t = JSON.parse(readFileSync(file, 'utf8')) as Toolchain;
      if (t.cc === cc && t.version === version && typeof t.nodelete === 'boolean' && typeof t.avx512 === 'boolean') return (cached = t);
    } catch {
      // a damaged probe record is simply probed again
    }
  }
  // A fresh folder per probe: worker threads share the pid, and one's cleanup must not remove another's probe.
  const dir = mkdtempSync(join(tmpdir(), 'metaop-probe-'));
  writeFileSync(join(dir, 'probe.c'), PROBE);
  const flags = ['-O3', '-std=gnu11', '-fno-math-errno'];
  if (!compiles(cc, flags, dir)) flags.splice(0, flags.length, '-O2');
  if (compiles(cc, [...flags, '-march=native'], dir)) flags.push('-march=native');
  const openmp = compiles(cc, [...flags, '-fopenmp'], dir);
  flags.push(openmp ? '-fopenmp' : '-fopenmp-simd');
  if (!openmp && !compiles(cc, flags, dir)) flags.pop();
  // OpenMP threads must never outlive their code: keep kernel libraries mapped until exit.
  const nodelete = compiles(cc, [...flags, '-Wl,-z,nodelete'], dir);
  writeFileSync(join(dir, 'probe.c'), '#ifndef __AVX512F__\n#error no AVX-512\n#endif\nint probe(void) { return 0; }\n');
  const avx512 = compiles(cc, flags, dir);
  rmSync(dir, { recursive: true, force: true });
  cached = { cc, version, flags, openmp, nodelete, cpu, avx512 };
  try {
    writeFileSync(file, JSON.stringify(cached));
  } catch {
    // the probe is repeated next time
  }
  return cached;
}
