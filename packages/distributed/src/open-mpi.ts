// Is Open MPI usable here? Looks for `mpirun` and `mpicc` on PATH and for libmpi (in mpicc's
// library folders, LD_LIBRARY_PATH and the usual system folders), and says exactly what is
// missing and how to install it. Tests skip with this message; init() under mpirun reports it.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { readEnv } from '@metaop/core';

export type OpenMpiPart = 'mpirun' | 'mpicc' | 'libmpi';

export interface OpenMpiStatus {
  /** True when mpirun, mpicc and libmpi were all found. */
  ok: boolean;
  mpirun?: string;
  mpicc?: string;
  /** The libmpi shared library found. */
  libmpi?: string;
  missing: OpenMpiPart[];
  /** What is missing and how to install it; '' when ok. */
  message: string;
}

export interface OpenMpiStatusOptions {
  /** The search path for mpirun and mpicc (default $PATH). */
  path?: string;
  /** Folders to look for libmpi in besides mpicc's own (default LD_LIBRARY_PATH and the system folders). */
  libDirs?: readonly string[];
}

/** The Debian package that provides each part. */
const packages: Record<OpenMpiPart, string> = { mpirun: 'openmpi-bin', mpicc: 'libopenmpi-dev', libmpi: 'libopenmpi-dev' };

const systemLibDirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib', '/usr/lib/x86_64-linux-gnu/openmpi/lib', '/opt/openmpi/lib'];

/** `cmd` on `path` (a name with a '/' is taken as a path), or undefined. */
export function findOnPath(cmd: string, path = readEnv('PATH') ?? ''): string | undefined {
  if (cmd.includes('/')) return existsSync(cmd) ? cmd : undefined;
  for (const dir of path.split(delimiter)) if (dir && existsSync(join(dir, cmd))) return join(dir, cmd);
  return undefined;
}

/** `mpicc` ($MPICC, else on PATH), or undefined. */
export function findMpicc(path?: string): string | undefined {
  return findOnPath(readEnv('MPICC') ?? 'mpicc', path);
}

function mpiccLibDirs(mpicc: string): string[] {
  try {
    return execFileSync(mpicc, ['--showme:libdirs'], { encoding: 'utf8', stdio: 'pipe', timeout: 10_000 }).trim().split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}

function findLibmpi(dirs: readonly string[]): string | undefined {
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    const lib = names.find((n) => /^libmpi\.so(\.\d+)*$/.test(n));
    if (lib) return join(dir, lib);
  }
  return undefined;
}

/** Finds mpirun, mpicc and libmpi; `message` names what is missing and how to install it. */
export function openMpiStatus(options: OpenMpiStatusOptions = {}): OpenMpiStatus {
  const mpirun = findOnPath('mpirun', options.path);
  const mpicc = findMpicc(options.path);
  const ldPath = (readEnv('LD_LIBRARY_PATH') ?? '').split(delimiter).filter(Boolean);
  const libDirs = [...(mpicc ? mpiccLibDirs(mpicc) : []), ...(options.libDirs ?? [...ldPath, ...systemLibDirs])];
  const libmpi = findLibmpi(libDirs);
  const missing = (['mpirun', 'mpicc', 'libmpi'] as const).filter((p) => !{ mpirun, mpicc, libmpi }[p]);
  const what = missing.map((p) => (p === 'libmpi' ? `libmpi.so (not in ${libDirs.join(', ') || 'any folder'})` : `${p} (not on PATH)`));
  const debs = [...new Set(missing.map((p) => packages[p]))];
  const message = missing.length === 0
    ? ''
    : `Open MPI is not usable here: missing ${what.join(', ')}. Install Open MPI: Debian/Ubuntu \`apt-get install ${debs.join(' ')}\` ` +
      '(or `node scripts/setup-system.mjs --for test`, which installs openmpi-bin and libopenmpi-dev), or put an existing installation on PATH (MPICC for mpicc)';
  return { ok: missing.length === 0, mpirun, mpicc, libmpi, missing, message };
}
