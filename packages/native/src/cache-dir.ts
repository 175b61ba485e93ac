// The kernel cache folder: METAOP_CACHE_DIR / flags.cacheDir, else the user cache folder, else a
// temporary folder (with a notice) when that is not writable.
import { accessSync, constants, mkdirSync } from 'node:fs';
import { homedir, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { flags, notice, readEnv } from '@metaop/core';

function writable(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function userCacheRoot(): string {
  const xdg = readEnv('XDG_CACHE_HOME');
  if (xdg) return join(xdg, 'metaop');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'metaop');
  if (process.platform === 'win32') return join(readEnv('LOCALAPPDATA') ?? join(homedir(), 'AppData', 'Local'), 'metaop', 'cache');
  return join(homedir(), '.cache', 'metaop');
}

/** Resolves (and creates) the folder for compiled kernels. */
export function resolveCacheDir(): string {
  const wanted = flags.cacheDir ?? userCacheRoot();
  if (writable(wanted)) return wanted;
  let user = 'user';
  try {
    user = userInfo().username;
  } catch {
    // keep the default
  }
  const fallback = join(tmpdir(), `metaop-cache-${user}`);
  notice(`kernel cache folder ${wanted} is not writable; using ${fallback} (set METAOP_CACHE_DIR to choose another)`);
  mkdirSync(fallback, { recursive: true });
  return fallback;
}
