// Finding the system C compiler and the flags it accepts ($CC, else cc/gcc/clang on PATH; -O3,
// -march=native and -fopenmp when they work). The probe result is cached per compiler version.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { SANITIZE_FLAGS, sanitizeMode } from './sanitize.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEnv } from '@metaop/core';
import { atomicWrite, cpuModel, DEFAULT_LINK, findOnPath, type NativeToolchain } from '@metaop/native';

export interface Toolchain extends NativeToolchain {
  readonly openmp: boolean;
  /** The linker accepts -z nodelete (kernel libraries then stay mapped until exit). */
  readonly nodelete: boolean;
  /** The flags target AVX-512 (__AVX512F__ defined): register tiles can be 16 floats wide. */
  readonly avx512: boolean;
  /** Sanitizer mode (METAOP_SANITIZE=1): ASan + UBSan flags, no OpenMP. */
  readonly sanitize?: boolean;
}

/** The compiler to use, or undefined when none is found. Cheap: no process is started. */
export function findCompiler(): string | undefined {
  const cc = readEnv('CC');
  if (cc) return findOnPath(cc.trim().split(/\s+/)[0]);
  for (const c of ['cc', 'gcc', 'clang']) {
    const p = findOnPath(c);
    if (p) return p;
  }
  return undefined;
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

/** The shared-library link step: kernel libraries stay mapped until exit where the linker allows. */
function withLink(t: Toolchain): Toolchain {
  return { ...t, link: [...DEFAULT_LINK, ...(t.nodelete ? ['-Wl,-z,nodelete'] : [])], libs: ['-lm'], extension: 'c' };
}

/** Detects the compiler and its flags once per process (and once per compiler version on disk). */
export function detectToolchain(cacheDir: string): Toolchain {
  if (cached) return cached;
  const cc = findCompiler();
  if (!cc) throw new Error('no C compiler found');
  const version = execFileSync(cc, ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
  const cpu = cpuModel();
  const sanitize = sanitizeMode();
  const id = createHash('sha256').update(`${cc}\n${version}\n${cpu}${sanitize ? '\nsanitize' : ''}`).digest('hex').slice(0, 16);
  const file = join(cacheDir, `toolchain-${id}.json`);
  if (existsSync(file)) {
    try {
      const t = JSON.parse(readFileSync(file, 'utf8')) as Toolchain;
      if (t.cc === cc && t.version === version && typeof t.nodelete === 'boolean' && typeof t.avx512 === 'boolean' && (t.sanitize ?? false) === sanitize) return (cached = withLink(t));
    } catch {
      // a damaged probe record is simply probed again
    }
  }
  // A fresh folder per probe: worker threads share the pid, and one's cleanup must not remove another's probe.
  const dir = mkdtempSync(join(tmpdir(), 'metaop-probe-'));
  writeFileSync(join(dir, 'probe.c'), PROBE);
  const flags = sanitize ? ['-O1', '-std=gnu11', '-fno-math-errno', ...SANITIZE_FLAGS] : ['-O3', '-std=gnu11', '-fno-math-errno'];
  if (!compiles(cc, flags, dir)) {
    if (sanitize) throw new Error(`METAOP_SANITIZE=1: ${cc} cannot build with ${SANITIZE_FLAGS.join(' ')} (install the compiler's libasan and libubsan)`);
    flags.splice(0, flags.length, '-O2');
  }
  if (compiles(cc, [...flags, '-march=native'], dir)) flags.push('-march=native');
  // Sanitizer mode runs kernels on one thread: ASan reports stay readable and libgomp stays out.
  const openmp = !sanitize && compiles(cc, [...flags, '-fopenmp'], dir);
  flags.push(openmp ? '-fopenmp' : '-fopenmp-simd');
  if (!openmp && !compiles(cc, flags, dir)) flags.pop();
  // OpenMP threads must never outlive their code: keep kernel libraries mapped until exit.
  const nodelete = compiles(cc, [...flags, '-Wl,-z,nodelete'], dir);
  writeFileSync(join(dir, 'probe.c'), '#ifndef __AVX512F__\n#error no AVX-512\n#endif\nint probe(void) { return 0; }\n');
  const avx512 = compiles(cc, flags, dir);
  rmSync(dir, { recursive: true, force: true });
  cached = withLink({ cc, version, flags, openmp, nodelete, cpu, avx512, sanitize });
  try {
    atomicWrite(file, JSON.stringify(cached));
  } catch {
    // a full or read-only cache folder: the probe is repeated next time
  }
  return cached;
}
