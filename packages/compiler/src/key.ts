// Structural kernel keys: the canonical text of the scheduled loop IR plus the dialect. Buffer
// identity, Var ids and runtime param values are not part of it, so repeated steps reuse kernels.
import type { Kernel } from './ir/loop-ir.js';
import { printKernel } from './ir/print.js';

/** 64-bit FNV-1a over UTF-16 code units, as 16 hex digits (no platform crypto needed). */
export function hash64(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0xcbf29ce4;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x0100019d) >>> 0;
    h2 = (h2 ^ (h1 >>> 13)) >>> 0;
  }
  return h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0');
}

export function kernelKey(kernel: Kernel, dialect: string): string {
  return `${dialect}\n${printKernel({ ...kernel, name: 'kernel', notes: [] })}`;
}
