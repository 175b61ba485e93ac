// The on-disk kernel cache. Missing kernels are compiled in batches (several kernel functions per
// shared library, one compiler process per core); each kernel gets <key>.meta naming its
// content-addressed library, symbol and SHA-256. Files are written under temporary names and
// renamed, so concurrent processes never see half a file, and an entry that fails verification
// (missing, truncated or corrupted) is compiled again.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { CompileError } from '@metaop/core';
import { runCommands } from './compile-batch.js';
import type { Toolchain } from './toolchain.js';

interface Meta {
  readonly so: string;
  readonly symbol: string;
  readonly sha256: string;
  readonly bytes: number;
}

/** A kernel to cache: the text of one C function named `symbol`, compiled after `preamble`. */
export interface CacheUnit {
  readonly key: string;
  readonly symbol: string;
  readonly code: string;
}

export interface CachedKernel {
  readonly path: string;
  readonly symbol: string;
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function atomicWrite(path: string, data: string | Buffer): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

export interface CacheStats {
  /** Kernels found on disk and verified. */
  hits: number;
  /** Kernels compiled by this process. */
  compiled: number;
  /** Entries found damaged and rebuilt. */
  rebuilt: number;
  /** Compiler invocations. */
  compilerRuns: number;
}

/** Link flags are part of every key: they change the library. */
const LINK = ['-shared', '-fPIC'];
const MAX_PER_LIBRARY = 32;

export class KernelCache {
  readonly dir: string;
  readonly stats: CacheStats = { hits: 0, compiled: 0, rebuilt: 0, compilerRuns: 0 };
  private readonly linkFlags: readonly string[];

  constructor(
    root: string,
    readonly toolchain: Toolchain,
  ) {
    this.dir = join(root, 'kernels');
    mkdirSync(this.dir, { recursive: true });
    this.linkFlags = [...LINK, ...(toolchain.nodelete ? ['-Wl,-z,nodelete'] : [])];
  }

  /** Cache key of one kernel: its code, the shared preamble, compiler, flags and CPU model. */
  keyOf(code: string, preamble: string): string {
    const t = this.toolchain;
    return sha256(`${sha256(preamble)}\0${code}\0${t.cc}\0${t.version}\0${t.flags.join(' ')}\0${this.linkFlags.join(' ')}\0${t.cpu}`).slice(0, 40);
  }

  /** A verified library for `key`, or undefined (missing or damaged). */
  lookup(key: string): CachedKernel | undefined {
    const metaPath = join(this.dir, `${key}.meta`);
    if (!existsSync(metaPath)) return undefined;
    try {
      const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as Meta;
      const so = join(this.dir, meta.so);
      const bytes = readFileSync(so);
      if (bytes.length === meta.bytes && sha256(bytes) === meta.sha256) return { path: so, symbol: meta.symbol };
    } catch {
      // unreadable meta or library: rebuild below
    }
    this.stats.rebuilt++;
    return undefined;
  }

  /** Returns a verified library and symbol for every unit, compiling the missing ones. */
  ensure(units: readonly CacheUnit[], preamble: string): CachedKernel[] {
    const found = units.map((u) => this.lookup(u.key));
    this.stats.hits += found.filter((f) => f !== undefined).length;
    const missing = [...new Map(units.filter((_, i) => !found[i]).map((u) => [u.key, u])).values()];
    if (missing.length > 0) {
      const built = this.compile(missing, preamble);
      units.forEach((u, i) => {
        if (!found[i]) found[i] = built.get(u.key);
      });
    }
    return found as CachedKernel[];
  }

  private compile(units: readonly CacheUnit[], preamble: string): Map<string, CachedKernel> {
    const libraries = Math.max(Math.min(units.length, availableParallelism()), Math.ceil(units.length / MAX_PER_LIBRARY));
    const chunks: CacheUnit[][] = Array.from({ length: libraries }, () => []);
    units.forEach((u, i) => chunks[i % libraries].push(u));
    const jobs = chunks.map((chunk) => {
      const source = [preamble, ...chunk.map((u) => u.code)].join('\n');
      const id = sha256(source).slice(0, 24);
      const sourcePath = join(this.dir, `lib-${id}.c`);
      atomicWrite(sourcePath, source);
      const output = join(this.dir, `lib-${id}.${process.pid}.${randomBytes(4).toString('hex')}.so.tmp`);
      return { chunk, sourcePath, output };
    });
    const results = runCommands(
      jobs.map((j) => ({ cmd: this.toolchain.cc, args: [...this.toolchain.flags, ...this.linkFlags, '-o', j.output, j.sourcePath, '-lm'] })),
    );
    this.stats.compilerRuns += jobs.length;
    const built = new Map<string, CachedKernel>();
    results.forEach((r, i) => {
      const job = jobs[i];
      if (r.code !== 0) {
        for (const j of jobs) rmSync(j.output, { force: true });
        throw new CompileError(`the C compiler rejected generated kernels (exit code ${r.code})`, job.sourcePath, r.output);
      }
      const bytes = readFileSync(job.output);
      const digest = sha256(bytes);
      const soName = `lib-${digest.slice(0, 24)}.so`;
      renameSync(job.output, join(this.dir, soName));
      for (const u of job.chunk) {
        atomicWrite(join(this.dir, `${u.key}.meta`), JSON.stringify({ so: soName, symbol: u.symbol, sha256: digest, bytes: bytes.length } satisfies Meta));
        built.set(u.key, { path: join(this.dir, soName), symbol: u.symbol });
      }
    });
    this.stats.compiled += units.length;
    return built;
  }
}
