// Loop-variable ranges of a kernel, for the index simplifier.
import type { Range } from '@metaop/core';
import type { Kernel } from '../ir/loop-ir.js';

export function kernelRanges(kernel: Kernel): Range[] {
  return kernel.loopExtents.map((e) => [0, Math.max(0, e - 1)] as const);
}
