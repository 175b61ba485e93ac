// What every native toolchain has in common: the compiler command, its version and flags (all
// part of every cache key), how a shared library is linked and which source extension the compiler
// expects; finding commands on PATH; the CPU model that -march=native makes part of a key.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { readEnv } from '@metaop/core';

export interface NativeToolchain {
  /** The compiler command (absolute path). */
  readonly cc: string;
  /** First line of `cc --version` (plus anything else that changes the output, e.g. a header digest). */
  readonly version: string;
  /** Compile flags, before the link flags. */
  readonly flags: readonly string[];
  /** CPU model or device target: part of every cache key. */
  readonly cpu: string;
  /** Flags that make a shared library (default `-shared -fPIC`; nvcc: `-shared -Xcompiler -fPIC`). */
  readonly link?: readonly string[];
  /** Arguments after the source file, e.g. `-lm` (default none). */
  readonly libs?: readonly string[];
  /** The compiler as errors name it (default 'the C compiler'; e.g. 'nvcc'). */
  readonly name?: string;
  /** Source file extension without the dot (default `c`; `cpp`, `cu`, `mlu`...). */
  readonly extension?: string;
}

export const DEFAULT_LINK: readonly string[] = ['-shared', '-fPIC'];

/** `cmd` itself when absolute and present, else its first match on PATH. */
export function findOnPath(cmd: string): string | undefined {
  if (isAbsolute(cmd)) return existsSync(cmd) ? cmd : undefined;
  for (const dir of (readEnv('PATH') ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, cmd);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** $CXX, else c++, g++ or clang++ on PATH. */
export function findCxx(): string | undefined {
  const cxx = readEnv('CXX');
  if (cxx) return findOnPath(cxx.trim().split(/\s+/)[0]);
  for (const c of ['c++', 'g++', 'clang++']) {
    const p = findOnPath(c);
    if (p) return p;
  }
  return undefined;
}

/** First line of `cmd --version`. */
export function versionOf(cmd: string): string {
  return execFileSync(cmd, ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
}

/** The last non-empty line of `cmd --version` (nvcc prints its release there). */
export function lastVersionLine(cmd: string): string {
  const lines = execFileSync(cmd, ['--version'], { encoding: 'utf8' }).split('\n').map((l) => l.trim()).filter(Boolean);
  return lines[lines.length - 1] ?? '';
}

/** A short digest of a file, for versions that must change when a header changes. */
export function fileDigest(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16);
}

/** The instruction-set extensions the kernel reports (Linux), so two CPUs sold under one name differ. */
function isaFeatures(): string {
  try {
    const line = /^(?:flags|Features)\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1];
    return line ? createHash('sha256').update(line.trim()).digest('hex').slice(0, 16) : '';
  } catch {
    return '';
  }
}

/**
 * CPU model, architecture and instruction-set features: part of every cache key because of
 * -march=native. METAOP_CPU_MODEL replaces the detected model (tests use it to act as another CPU).
 */
export function cpuModel(): string {
  const model = readEnv('METAOP_CPU_MODEL') ?? `${cpus()[0]?.model.trim() ?? 'unknown-cpu'} isa:${isaFeatures()}`;
  return `${process.arch}/${model}`;
}
