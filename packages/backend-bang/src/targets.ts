// The MLU targets MetaOp can emit BANG C for: NRAM size, cncc architecture flag and launch shape.
import { ArgumentError } from '@metaop/core';

export interface BangTarget {
  readonly name: 'mlu270' | 'mlu370';
  /** `__BANG_ARCH__` of the target. */
  readonly arch: number;
  /** cncc `--bang-mlu-arch=` value. */
  readonly mluArch: string;
  /** NRAM per core in KB. */
  readonly nramKB: number;
  /** Clusters per chip; each has 4 MLU cores. A launch is one Union1 task per core. */
  readonly clusters: number;
}

/** NRAM kept free for the compiler's stack (mlu-ops keeps 128 KB). */
export const NRAM_STACK_RESERVE = 128 * 1024;

export const bangTargets: Readonly<Record<BangTarget['name'], BangTarget>> = {
  mlu270: { name: 'mlu270', arch: 270, mluArch: 'mtp_270', nramKB: 512, clusters: 4 },
  mlu370: { name: 'mlu370', arch: 372, mluArch: 'mtp_372', nramKB: 768, clusters: 4 },
};

/** Bytes of the one `__nram__` buffer a kernel stages its tiles through. */
export function nramBufferBytes(t: BangTarget): number {
  return t.nramKB * 1024 - NRAM_STACK_RESERVE;
}

/** Tasks per launch: one per MLU core. */
export function taskCount(t: BangTarget): number {
  return t.clusters * 4;
}

export function bangTarget(name: string): BangTarget {
  const t = (bangTargets as Record<string, BangTarget | undefined>)[name];
  if (!t) throw new ArgumentError(`unknown MLU target '${name}'; use one of ${Object.keys(bangTargets).join(', ')} (METAOP_BANG_TARGET)`, 'bang');
  return t;
}
