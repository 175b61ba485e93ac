// Access to Node's built-in modules without a static import, so the package still loads in a
// browser (where only the file-system functions are unavailable).
import type * as Fs from 'node:fs';
import type * as Path from 'node:path';
import type * as Zlib from 'node:zlib';
import { ArgumentError } from '@metaop/core';

interface NodeModules {
  'node:fs': typeof Fs;
  'node:path': typeof Path;
  'node:zlib': typeof Zlib;
}

/** A Node built-in module, or an ArgumentError naming `op` where there is none (a browser). */
export function nodeModule<K extends keyof NodeModules>(id: K, op: string): NodeModules[K] {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const mod = proc?.getBuiltinModule?.(id);
  if (!mod) throw new ArgumentError(`needs Node.js 20.16 or later (module ${id} is not available here)`, op);
  return mod as NodeModules[K];
}
