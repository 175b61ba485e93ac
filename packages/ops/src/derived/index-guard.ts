// Wraps an index tensor in a guarded identity node: its consumers (and their gradients) read the
// same Var, and realize() checks its values on the device in the plan that reads them.
import { addIndexGuard, Var } from '@metaop/core';
import { index } from '../meta/elementwise.js';
import { reduce } from '../meta/reduce.js';
import { broadcast, reshape } from '../meta/reindex.js';
import { eq, sub, where } from './arithmetic.js';

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
  const extremes = () => {
    const n = idx.numel;
    // One reduction finds both ends: row 0 holds the values, row 1 their complements -1 - v
    // (no overflow at the int32 limits), so max over each row is [max, -1 - min]. The index is
    // broadcast before any arithmetic so the whole check fuses into one kernel.
    const rows = broadcast(reshape(idx, [n]), [2, n]);
    const ignore = spec.ignoreIndex;
    // An ignored value reads as 0, which is in range for any non-empty dim.
    const checked = ignore === undefined ? rows : where(eq(rows, ignore), 0, rows);
    return reduce(where(eq(index([2, n], 0), 0), checked, sub(-1, checked)), 'max', [1]);
  };
  addIndexGuard(guarded, { op: spec.op, dim: spec.dim, size: spec.size, ignoreIndex: spec.ignoreIndex, extremes, noun: spec.noun ?? 'index' });
  return guarded;
}
