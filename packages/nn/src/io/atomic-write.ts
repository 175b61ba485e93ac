// Atomic file replacement: write a temporary file in the destination folder, fsync it, rename it
// over the destination and fsync the folder, so readers see the old file or the complete new one.
import { nodeModule } from './node.js';

/** Writes `path` atomically; `write` receives the temporary file's descriptor. */
export function writeFileAtomicSync(path: string, write: (fd: number) => void, op: string): void {
  const fs = nodeModule('node:fs', op);
  const { dirname, basename, join } = nodeModule('node:path', op);
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  const fd = fs.openSync(tmp, 'wx', 0o644);
  try {
    try {
      write(fd);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, path);
  } catch (e) {
    try {
      fs.unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw e;
  }
  try {
    const dfd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  } catch {
    // Some file systems cannot fsync a directory; the rename itself is still atomic.
  }
}

/** Writes all of `bytes` to `fd` (writeSync may write less than asked). */
export function writeAll(fd: number, bytes: Uint8Array, op: string): void {
  const fs = nodeModule('node:fs', op);
  let done = 0;
  while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done);
}
