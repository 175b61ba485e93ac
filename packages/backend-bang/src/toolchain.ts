// The compiler for generated BANG C: Cambricon's cncc when it is installed (NEUWARE_HOME/bin or
// PATH), else the system C++ compiler building against MetaOp's emulation header.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readEnv } from '@metaop/core';
import { cpuModel, fileDigest, findCxx, findOnPath, versionOf, type NativeToolchain } from '@metaop/native';
import type { BangTarget } from './targets.js';

export interface BangToolchain extends NativeToolchain {
  /** False when kernels run on a real MLU through cncc and CNRT. */
  readonly emulated: boolean;
  readonly neuwareHome?: string;
}

/** Folder of bang_emu.h (next to src/ and dist/). */
export const emulationDir = fileURLToPath(new URL('../emulation/', import.meta.url));

/** cncc from NEUWARE_HOME/bin, else from PATH. */
export function findCncc(): { cncc: string; home: string } | undefined {
  const home = readEnv('NEUWARE_HOME');
  if (home && existsSync(join(home, 'bin', 'cncc'))) return { cncc: join(home, 'bin', 'cncc'), home };
  const found = findOnPath('cncc');
  return found ? { cncc: found, home: home ?? join(found, '..', '..') } : undefined;
}

export { findCxx };

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
    return { cc: cncc, version: versionOf(cncc), flags: [...flags, '-Wl,--no-as-needed', '-lcnrt', '-lcndrv'], cpu: target.name, extension: 'mlu', libs: ['-lm'], emulated: false, neuwareHome: home };
  }
  const cxx = findCxx();
  if (!cxx) throw new Error('no C++ compiler found for the BANG emulation (looked for $CXX, c++, g++ and clang++)');
  const header = fileDigest(join(emulationDir, 'bang_emu.h'));
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
  return { cc: cxx, version: `${versionOf(cxx)}; bang_emu.h ${header}`, flags, cpu: cpuModel(), libs: ['-lm'], emulated: true };
}
