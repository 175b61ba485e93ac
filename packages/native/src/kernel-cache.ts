// The on-disk kernel cache. Missing kernels are compiled in batches (several kernel functions per
// shared library, one compiler process per core); each kernel gets <key>.meta naming its
// content-addressed library, symbol, SHA-256 and the full key text. Every file is written under a
// temporary name, fsynced and renamed, and the .meta last, so a process killed at any point leaves
// nothing a later run trusts; concurrent processes never see half a file. An entry is used only
// when its full key equals the wanted one and its library matches its checksum; otherwise it is
// compiled again (with one notice). When the folder cannot take more files (a full disk), kernels
// are compiled into a private temporary folder for the rest of the process, uncached.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism, tmpdir } from 'node:os';
import { CompileError, notice } from '@metaop/core';
import { runCommands } from './compile-batch.js';
import { atomicWrite, commitFile, fsyncDir, injectedWriteFault, isStorageError, isStorageFailureOutput } from './durable-write.js';
import { DEFAULT_LINK, type NativeToolchain } from './toolchain.js';

/** Bumped when the entry format changes: older entries are rebuilt. */
const META_FORMAT = 2;

interface Meta {
  readonly format: number;
  /** The full text the key hashes: compared exactly, so a hash collision cannot load the wrong kernel. */
  readonly key: string;
  readonly so: string;
  readonly symbol: string;
  readonly sha256: string;
  readonly bytes: number;
}

/** A kernel to cache: the text of one function named `symbol`, compiled after `preamble`. */
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

export interface CacheStats {
  /** Kernels found on disk and verified. */
  hits: number;
  /** Kernels compiled by this process. */
  compiled: number;
  /** Entries found damaged and rebuilt. */
  rebuilt: number;
  /** Compiler invocations. */
  compilerRuns: number;
  /** Kernels compiled into the private temporary folder because the cache folder took no more files. */
  uncached: number;
}

/** Why an entry was not used; undefined when it is simply absent. */
type Damage = 'unreadable entry' | 'older entry format' | 'key mismatch' | 'missing library' | 'library checksum mismatch';

/** The cache folder could not take a file: compile elsewhere instead of failing. */
class StorageFailure extends Error {}

const MAX_PER_LIBRARY = 32;
/** Temporary files older than this were left by a killed process (live ones are seconds old). */
const STALE_TEMP_MS = 3600_000;

export class KernelCache {
  readonly dir: string;
  readonly stats: CacheStats = { hits: 0, compiled: 0, rebuilt: 0, compilerRuns: 0, uncached: 0 };
  /** Link flags, libraries and the source extension: part of every key (they change the library). */
  private readonly linkFlags: readonly string[];
  private readonly libs: readonly string[];
  private readonly extension: string;
  /** Set once the cache folder refused a write: where this process compiles from then on. */
  private uncachedDir: string | undefined;

  constructor(
    root: string,
    readonly toolchain: NativeToolchain,
  ) {
    this.dir = join(root, 'kernels');
    mkdirSync(this.dir, { recursive: true });
    this.linkFlags = toolchain.link ?? DEFAULT_LINK;
    this.libs = toolchain.libs ?? [];
    this.extension = toolchain.extension ?? 'c';
    this.sweepStaleTemps();
  }

  /** The full key of one kernel: its code, the shared preamble, compiler, flags, link step and CPU model. */
  keyText(code: string, preamble: string): string {
    const t = this.toolchain;
    const link = `${this.linkFlags.join(' ')} .${this.extension} ${this.libs.join(' ')}`;
    return `${sha256(preamble)}\0${code}\0${t.cc}\0${t.version}\0${t.flags.join(' ')}\0${link}\0${t.cpu}`;
  }

  /** The file name of a kernel's entry: a hash of its full key (the entry holds the key itself). */
  keyOf(code: string, preamble: string): string {
    return sha256(this.keyText(code, preamble)).slice(0, 40);
  }

  /** A verified library for `key` whose entry holds exactly `keyText`, or why there is none. */
  private verify(key: string, keyText: string): CachedKernel | Damage | undefined {
    const metaPath = join(this.dir, `${key}.meta`);
    if (!existsSync(metaPath)) return undefined;
    let meta: Meta;
    try {
      meta = JSON.parse(readFileSync(metaPath, 'utf8')) as Meta;
    } catch {
      return 'unreadable entry';
    }
    if (meta.format !== META_FORMAT) return 'older entry format';
    if (meta.key !== keyText) return 'key mismatch';
    const so = join(this.dir, meta.so);
    let bytes: Buffer;
    try {
      bytes = readFileSync(so);
    } catch {
      return 'missing library';
    }
    if (bytes.length !== meta.bytes || sha256(bytes) !== meta.sha256) return 'library checksum mismatch';
    return { path: so, symbol: meta.symbol };
  }

  /** Returns a verified library and symbol for every unit, compiling the missing ones. */
  ensure(units: readonly CacheUnit[], preamble: string): CachedKernel[] {
    const damaged = new Map<Damage, number>();
    const found = units.map((u): CachedKernel | undefined => {
      const r = this.verify(u.key, this.keyText(u.code, preamble));
      if (typeof r === 'object') return r;
      if (r !== undefined) damaged.set(r, (damaged.get(r) ?? 0) + 1);
      return undefined;
    });
    if (damaged.size > 0) {
      const count = [...damaged.values()].reduce((a, b) => a + b, 0);
      this.stats.rebuilt += count;
      const why = [...damaged].map(([d, n]) => `${n} ${d}`).join(', ');
      notice(`kernel cache: ${count} entr${count === 1 ? 'y' : 'ies'} in ${this.dir} failed verification (${why}); compiling ${count === 1 ? 'it' : 'them'} again`);
    }
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
    if (this.uncachedDir) return this.compileIn(this.uncachedDir, units, preamble, false);
    try {
      return this.compileIn(this.dir, units, preamble, true);
    } catch (e) {
      if (!(e instanceof StorageFailure)) throw e;
      this.uncachedDir = mkdtempSync(join(tmpdir(), 'metaop-uncached-'));
      const dir = this.uncachedDir;
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
      notice(
        `kernel cache folder ${this.dir} cannot take more files (${e.message}); kernels are compiled into ${dir} ` +
          'for this process and not cached (free some space, or set METAOP_CACHE_DIR to another folder)',
      );
      return this.compileIn(dir, units, preamble, false);
    }
  }

  /** Compiles `units` into libraries in `dir`; writes entries only when `cached`. */
  private compileIn(dir: string, units: readonly CacheUnit[], preamble: string, cached: boolean): Map<string, CachedKernel> {
    const write = (path: string, data: string) =>
      storage(() => {
        if (cached) injectedWriteFault(path);
        atomicWrite(path, data);
      });
    const libraries = Math.max(Math.min(units.length, availableParallelism()), Math.ceil(units.length / MAX_PER_LIBRARY));
    const chunks: CacheUnit[][] = Array.from({ length: libraries }, () => []);
    units.forEach((u, i) => chunks[i % libraries].push(u));
    const jobs = chunks.map((chunk) => {
      const source = [preamble, ...chunk.map((u) => u.code)].join('\n');
      const id = sha256(source).slice(0, 24);
      const sourcePath = join(dir, `lib-${id}.${this.extension}`);
      write(sourcePath, source);
      const output = join(dir, `lib-${id}.${process.pid}.${randomBytes(4).toString('hex')}.so.tmp`);
      return { chunk, sourcePath, output };
    });
    const results = runCommands(
      jobs.map((j) => ({ cmd: this.toolchain.cc, args: [...this.toolchain.flags, ...this.linkFlags, '-o', j.output, j.sourcePath, ...this.libs] })),
    );
    this.stats.compilerRuns += jobs.length;
    const removeOutputs = () => jobs.forEach((j) => rmSync(j.output, { force: true }));
    const refused = results.findIndex((r) => r.code !== 0);
    if (refused >= 0) {
      removeOutputs();
      const r = results[refused];
      if (isStorageFailureOutput(r.output)) throw new StorageFailure(r.output.trim().split('\n').pop() ?? 'no space');
      throw new CompileError(`${this.toolchain.name ?? 'the C compiler'} rejected generated kernels (exit code ${r.code})`, jobs[refused].sourcePath, r.output);
    }
    const built = new Map<string, CachedKernel>();
    try {
      for (const job of jobs) {
        const bytes = readFileSync(job.output);
        const digest = sha256(bytes);
        const soName = `lib-${digest.slice(0, 24)}.so`;
        storage(() => commitFile(job.output, join(dir, soName)));
        // Entries last: each names a library already in place and flushed.
        for (const u of job.chunk) {
          if (cached) {
            const meta: Meta = { format: META_FORMAT, key: this.keyText(u.code, preamble), so: soName, symbol: u.symbol, sha256: digest, bytes: bytes.length };
            write(join(dir, `${u.key}.meta`), JSON.stringify(meta));
          }
          built.set(u.key, { path: join(dir, soName), symbol: u.symbol });
        }
      }
    } finally {
      removeOutputs();
    }
    fsyncDir(dir);
    this.stats.compiled += units.length;
    if (!cached) this.stats.uncached += units.length;
    return built;
  }

  /** Removes temporary files that a killed process left behind. */
  private sweepStaleTemps(): void {
    try {
      const now = Date.now();
      for (const name of readdirSync(this.dir)) {
        if (!name.endsWith('.tmp')) continue;
        const path = join(this.dir, name);
        if (now - statSync(path).mtimeMs > STALE_TEMP_MS) rmSync(path, { force: true });
      }
    } catch {
      // another process removed it first, or the folder is unreadable: lookups will say so
    }
  }
}

/** Runs a file operation on the cache folder, turning a storage error into a StorageFailure. */
function storage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isStorageError(e)) throw new StorageFailure((e as Error).message);
    throw e;
  }
}

/** What buildKernels needs of a renderer: the shared preamble and one function per kernel. */
export interface FunctionRenderer<K> {
  preambleText(): string;
  renderFunction(kernel: K, symbol: string): string;
}

/**
 * Renders each job as the function `k_<key>` after the renderer's preamble and makes sure the
 * cache holds a verified library with it (compiling what is missing): the compile step every native
 * backend shares. Loading the libraries stays with the backend.
 */
export function buildKernels<K>(cache: KernelCache, renderer: FunctionRenderer<K>, jobs: readonly { readonly key: string; readonly kernel: K }[]): CachedKernel[] {
  const preamble = renderer.preambleText();
  const units = jobs.map((j): CacheUnit => {
    const symbol = `k_${j.key}`;
    const code = renderer.renderFunction(j.kernel, symbol);
    return { key: cache.keyOf(code, preamble), symbol, code };
  });
  return cache.ensure(units, preamble);
}
