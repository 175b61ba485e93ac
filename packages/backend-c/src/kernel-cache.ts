// The on-disk kernel cache. An entry is <key>.c (the source, kept for error reports), a
// content-addressed <key>.<sha>.so and <key>.meta naming it with its SHA-256. Every file is
// written to a temporary name and renamed, so concurrent processes never see half a file; a
// missing, truncated or corrupted entry fails verification and is rebuilt.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompileError } from '@metaop/core';
import { runCommands } from './compile-batch.js';
import type { Toolchain } from './toolchain.js';

interface Meta {
  readonly so: string;
  readonly sha256: string;
  readonly bytes: number;
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
  /** Entries found on disk and verified. */
  hits: number;
  /** Entries compiled by this process. */
  compiled: number;
  /** Entries found damaged and rebuilt. */
  rebuilt: number;
}

export class KernelCache {
  readonly dir: string;
  readonly stats: CacheStats = { hits: 0, compiled: 0, rebuilt: 0 };

  constructor(
    root: string,
    readonly toolchain: Toolchain,
  ) {
    this.dir = join(root, 'kernels');
    mkdirSync(this.dir, { recursive: true });
  }

  /** Cache key: source, compiler, flags and CPU model. */
  keyOf(source: string): string {
    const t = this.toolchain;
    return sha256(`${source}\0${t.cc}\0${t.version}\0${t.flags.join(' ')}\0${t.cpu}`).slice(0, 40);
  }

  sourcePath(key: string): string {
    return join(this.dir, `${key}.c`);
  }

  /** The path of a verified shared library for `key`, or undefined (missing or damaged). */
  lookup(key: string): string | undefined {
    const metaPath = join(this.dir, `${key}.meta`);
    if (!existsSync(metaPath)) return undefined;
    try {
      const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as Meta;
      const so = join(this.dir, meta.so);
      const bytes = readFileSync(so);
      if (bytes.length === meta.bytes && sha256(bytes) === meta.sha256) return so;
    } catch {
      // unreadable meta or library: fall through to a rebuild
    }
    this.stats.rebuilt++;
    return undefined;
  }

  /** Returns a verified library path for every source, compiling the missing ones in parallel. */
  ensure(sources: readonly string[]): string[] {
    const keys = sources.map((s) => this.keyOf(s));
    const paths = keys.map((k) => this.lookup(k));
    const missing = [...new Set(keys.filter((_, i) => paths[i] === undefined))];
    this.stats.hits += paths.filter((p) => p !== undefined).length;
    if (missing.length > 0) {
      const sourceOf = new Map(keys.map((k, i) => [k, sources[i]]));
      const outputs = missing.map((k) => `${join(this.dir, k)}.${process.pid}.${randomBytes(4).toString('hex')}.so.tmp`);
      missing.forEach((k) => atomicWrite(this.sourcePath(k), sourceOf.get(k) as string));
      const results = runCommands(
        missing.map((k, i) => ({
          cmd: this.toolchain.cc,
          args: [...this.toolchain.flags, '-shared', '-fPIC', '-o', outputs[i], this.sourcePath(k), '-lm'],
        })),
      );
      const compiled = new Map<string, string>();
      results.forEach((r, i) => {
        const key = missing[i];
        if (r.code !== 0) {
          for (const o of outputs) rmSync(o, { force: true });
          throw new CompileError(`the C compiler rejected kernel ${key} (exit code ${r.code})`, this.sourcePath(key), r.output);
        }
        const bytes = readFileSync(outputs[i]);
        const digest = sha256(bytes);
        const soName = `${key}.${digest.slice(0, 16)}.so`;
        renameSync(outputs[i], join(this.dir, soName));
        atomicWrite(join(this.dir, `${key}.meta`), JSON.stringify({ so: soName, sha256: digest, bytes: bytes.length } satisfies Meta));
        compiled.set(key, join(this.dir, soName));
      });
      this.stats.compiled += missing.length;
      keys.forEach((k, i) => {
        if (paths[i] === undefined) paths[i] = compiled.get(k);
      });
    }
    return paths as string[];
  }
}
