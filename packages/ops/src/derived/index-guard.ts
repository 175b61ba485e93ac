// Wraps an index tensor in a guarded identity node: its consumers (and their gradients) read the
// same Var, and realize() checks its values on the device in the plan that reads them.
import { addIndexGuard, noGrad, Var } from '@metaop/core';
import { reduce } from '../meta/reduce.js';
import { reshape } from '../meta/reindex.js';
import { eq, where } from './arithmetic.js';

export interface IndexGuardSpec {
  /** The op named in the error. */
  readonly op: string;
  /** The dim the values index and its size. */
  readonly dim: number;
  readonly size: number;
  /** A value that is skipped (loss targets' ignoreIndex). */
  readonly ignoreIndex?: number;
  /** 'index' (default) or 'target'. */
  readonly noun?: string;
}

/** `idx` (int32) behind an identity node that raises IndexError on realize when a value is outside 0..size-1. */
export function guardIndex(idx: Var, spec: IndexGuardSpec): Var {
  const guarded = Var.fromNode({ op: 'reshape', inputs: [idx] }, idx.shape, idx.dtype);
  const [max, min] = noGrad(() => {
    const flat = reshape(idx, [idx.numel]);
    const ignore = spec.ignoreIndex;
    // An ignored value reads as 0, which is in range for any non-empty dim.
    const checked = ignore === undefined ? flat : where(eq(flat, ignore), 0, flat);
    return [reduce(checked, 'max', [0]), reduce(checked, 'min', [0])];
  });
  addIndexGuard(guarded, { op: spec.op, dim: spec.dim, size: spec.size, ignoreIndex: spec.ignoreIndex, max, min, noun: spec.noun ?? 'index' });
  return guarded;
}
