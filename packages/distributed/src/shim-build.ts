// Builds the MPI shim (shim.c) with `mpicc` into the MetaOp cache folder, once per source and
// Open MPI version. The library is written under a temporary name and renamed into place, with its
// SHA-256 beside it; an entry that fails verification is rebuilt, so a damaged cache never breaks a run.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { notice } from '@metaop/core';
import { resolveCacheDir } from '@metaop/native';
import { DistributedError } from './errors.js';
import { findMpicc, openMpiStatus } from './open-mpi.js';

function shimSource(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // src/shim.c beside this file in the sources, ../src/shim.c from the bundled dist/.
  for (const p of [join(here, 'shim.c'), join(here, '..', 'src', 'shim.c')]) if (existsSync(p)) return readFileSync(p, 'utf8');
  throw new DistributedError(`the MPI shim source shim.c is missing beside ${here}; reinstall @metaop/distributed`);
}

/** distributed/ in the kernel cache folder (which falls back to a temporary folder, with a notice). */
function cacheFolder(): string {
  const dir = join(resolveCacheDir(), 'distributed');
  mkdirSync(dir, { recursive: true });
  return dir;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** The path of a verified shim library, compiling it when missing or damaged. */
export function buildShim(): string {
  const mpicc = findMpicc();
  if (!mpicc) throw new DistributedError(openMpiStatus().message);
  const source = shimSource();
  const run = (args: string[]) => execFileSync(mpicc, args, { encoding: 'utf8', stdio: 'pipe' }).trim();
  const compilerId = `${run(['--showme'])}\n${run(['--version']).split('\n')[0]}`;
  const flagsUsed = ['-O2', '-shared', '-fPIC'];
  const key = sha256(`${source}\0${mpicc}\0${compilerId}\0${flagsUsed.join(' ')}\0${process.arch}`).slice(0, 32);
  const dir = cacheFolder();
  const lib = join(dir, `mpi-shim-${key}.so`);
  const sum = `${lib}.sha256`;
  if (existsSync(lib) && existsSync(sum)) {
    try {
      if (readFileSync(sum, 'utf8').trim() === sha256(readFileSync(lib))) return lib;
    } catch {
      // unreadable: rebuilt below
    }
    notice(`MPI shim ${lib} failed verification; building it again`);
  }
  const tag = `${process.pid}.${randomBytes(4).toString('hex')}`;
  const srcPath = join(dir, `mpi-shim-${key}.${tag}.c`);
  const tmpLib = `${lib}.${tag}.tmp`;
  try {
    writeFileSync(srcPath, source);
    try {
      execFileSync(mpicc, [...flagsUsed, '-o', tmpLib, srcPath], { stdio: 'pipe' });
    } catch (e) {
      const out = String((e as { stderr?: unknown }).stderr ?? e);
      throw new DistributedError(`mpicc could not build the MPI shim (${srcPath}):\n${out}`);
    }
    const digest = sha256(readFileSync(tmpLib));
    // Library first, checksum last: a reader that sees the checksum sees the whole library. Ranks
    // building at once each rename a complete, identical file into place.
    renameSync(tmpLib, lib);
    const tmpSum = `${sum}.${tag}.tmp`;
    writeFileSync(tmpSum, digest);
    renameSync(tmpSum, sum);
  } finally {
    rmSync(srcPath, { force: true });
    rmSync(tmpLib, { force: true });
  }
  return lib;
}
