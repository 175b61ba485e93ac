// The CUDA toolchains: nvcc (CUDA_HOME/bin, /usr/local/cuda/bin or PATH) for compile checks and
// real GPUs, and the emulation build (the system C++ compiler against emulation/cuda_emu.h), which
// runs the generated CUDA on the CPU. Whether a GPU is present is read from the driver's files.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readEnv } from '@metaop/core';
import { cpuModel, fileDigest, findCxx, findOnPath, lastVersionLine, versionOf, type NativeToolchain } from '@metaop/native';

export interface CudaToolchain extends NativeToolchain {
  /** True when kernels run on the CPU through cuda_emu.h. */
  readonly emulated: boolean;
}

/** Folder of cuda_emu.h (next to src/ and dist/). */
export const emulationDir = fileURLToPath(new URL('../emulation/', import.meta.url));

/** nvcc from CUDA_HOME/bin, /usr/local/cuda/bin, else PATH. */
export function findNvcc(): string | undefined {
  const home = readEnv('CUDA_HOME') ?? readEnv('CUDA_PATH');
  for (const dir of [home, '/usr/local/cuda'].filter((d): d is string => !!d)) {
    const p = join(dir, 'bin', 'nvcc');
    if (existsSync(p)) return p;
  }
  return findOnPath('nvcc');
}

/** What was looked for when deciding whether a GPU is present (named in errors). */
export const GPU_PROBES = ['/dev/nvidia0 (and /dev/nvidia[0-9]*)', '/proc/driver/nvidia/version'];

/** A visible NVIDIA GPU (the driver's device files), or undefined. CUDA_VISIBLE_DEVICES='' hides them. */
export function findGpu(): string | undefined {
  if (readEnv('CUDA_VISIBLE_DEVICES') === '') return undefined;
  try {
    const dev = readdirSync('/dev').find((f) => /^nvidia\d+$/.test(f));
    if (dev && existsSync('/proc/driver/nvidia/version')) return `/dev/${dev}`;
  } catch {
    // no /dev: no GPU
  }
  return undefined;
}

/** METAOP_CUDA_EMULATE: '1' forces the emulator, '0' forbids it; unset: emulate when no GPU is found. */
export function emulationWanted(): boolean | undefined {
  const v = readEnv('METAOP_CUDA_EMULATE');
  if (v === undefined || v === '') return undefined;
  return !['0', 'false', 'no', 'off'].includes(v.toLowerCase());
}

/** Target architectures nvcc compiles for: METAOP_CUDA_ARCH (e.g. 'sm_80,sm_90'), default sm_80 and sm_90. */
export function cudaArchs(): string[] {
  return (readEnv('METAOP_CUDA_ARCH') ?? 'sm_80,sm_90').split(',').map((a) => a.trim()).filter(Boolean);
}

/** nvcc building shared libraries for `archs` (a fatbin with one cubin each). */
export function nvccToolchain(nvcc: string, archs: readonly string[] = cudaArchs()): CudaToolchain {
  const gencode = archs.flatMap((a) => ['-gencode', `arch=compute_${a.replace(/^sm_/, '')},code=${a}`]);
  return {
    cc: nvcc,
    name: 'nvcc',
    version: lastVersionLine(nvcc),
    flags: ['-x', 'cu', '-std=c++17', '-O3', ...gencode],
    link: ['-shared', '-Xcompiler', '-fPIC'],
    libs: [],
    extension: 'cu',
    cpu: archs.join(','),
    emulated: false,
  };
}

/** The emulation build: the system C++ compiler against cuda_emu.h. */
export function emulationToolchain(): CudaToolchain {
  const cxx = findCxx();
  if (!cxx) throw new Error('no C++ compiler found for the CUDA emulation (looked for $CXX, c++, g++ and clang++)');
  // The header's digest is part of the version, so the kernel cache key changes with the header.
  const version = `${versionOf(cxx)}; cuda_emu.h ${fileDigest(join(emulationDir, 'cuda_emu.h'))}`;
  return {
    cc: cxx,
    name: 'the C++ compiler (CUDA emulation)',
    version,
    flags: ['-x', 'c++', '-std=c++17', '-O2', '-fno-math-errno', `-I${emulationDir}`],
    libs: ['-lm'],
    extension: 'cu',
    cpu: cpuModel(),
    emulated: true,
  };
}
