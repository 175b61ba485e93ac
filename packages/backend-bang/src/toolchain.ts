// The compiler for generated BANG C: Cambricon's cncc when it is installed (NEUWARE_HOME/bin or
// PATH), else the system C++ compiler building against MetaOp's emulation header.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readEnv } from '@metaop/core';
import { cpuModel, type Toolchain } from '@metaop/backend-c';
import type { BangTarget } from './targets.js';

export interface BangToolchain extends Toolchain {
  /** False when kernels run on a real MLU through cncc and CNRT. */
  readonly emulated: boolean;
  readonly neuwareHome?: string;
}

/** Folder of bang_emu.h (next to src/ and dist/). */
export const emulationDir = fileURLToPath(new URL('../emulation/', import.meta.url));

function onPath(cmd: string): string | undefined {
  for (const dir of (readEnv('PATH') ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, cmd))) return join(dir, cmd);
  }
  return undefined;
}

/** cncc from NEUWARE_HOME/bin, else from PATH. */
export function findCncc(): { cncc: string; home: string } | undefined {
  const home = readEnv('NEUWARE_HOME');
  if (home && existsSync(join(home, 'bin', 'cncc'))) return { cncc: join(home, 'bin', 'cncc'), home };
  const found = onPath('cncc');
  return found ? { cncc: found, home: home ?? join(found, '..', '..') } : undefined;
}

/** $CXX, else c++, g++ or clang++ on PATH. */
export function findCxx(): string | undefined {
  const cxx = readEnv('CXX');
  if (cxx) return onPath(cxx.trim()) ?? (existsSync(cxx.trim()) ? cxx.trim() : undefined);
  for (const c of ['c++', 'g++', 'clang++']) {
    const p = onPath(c);
    if (p) return p;
  }
  return undefined;
}

function versionOf(cc: string): string {
  return execFileSync(cc, ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
}

/** Strict emulation (alignment, counts, NRAM budget) unless METAOP_BANG_STRICT=0. */
export function strictEmulation(): boolean {
  const v = readEnv('METAOP_BANG_STRICT');
  return v === undefined || !['0', 'false', 'no', 'off'].includes(v.toLowerCase());
}

/** The toolchain for `target`: cncc when present, else the emulation build. */
export function bangToolchain(target: BangTarget): BangToolchain {
  const real = findCncc();
  if (real) {
    const { cncc, home } = real;
    const flags = ['-x', 'bang', `--bang-mlu-arch=${target.mluArch}`, '-O3', `-I${join(home, 'include')}`, `-L${join(home, 'lib64')}`];
    return { cc: cncc, version: versionOf(cncc), flags: [...flags, '-Wl,--no-as-needed', '-lcnrt', '-lcndrv'], openmp: false, nodelete: false, avx512: false, cpu: target.name, emulated: false, neuwareHome: home };
  }
  const cxx = findCxx();
  if (!cxx) throw new Error('no C++ compiler found for the BANG emulation (looked for $CXX, c++, g++ and clang++)');
  const header = createHash('sha256').update(readFileSync(join(emulationDir, 'bang_emu.h'))).digest('hex').slice(0, 16);
  const flags = [
    '-x',
    'c++',
    '-std=c++17',
    '-O2',
    '-fno-math-errno',
    `-I${emulationDir}`,
    `-D__BANG_ARCH__=${target.arch}`,
    `-D__MLU_NRAM_SIZE__=${target.nramKB}`,
    `-DBANG_EMU_STRICT=${strictEmulation() ? 1 : 0}`,
  ];
  // The header's digest is part of the version, so the kernel cache key changes with the header.
  return { cc: cxx, version: `${versionOf(cxx)}; bang_emu.h ${header}`, flags, openmp: false, nodelete: false, avx512: false, cpu: cpuModel(), emulated: true };
}
