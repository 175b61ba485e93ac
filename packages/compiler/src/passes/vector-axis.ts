// The vector axis of a reduction nest and its vector width: one rule shared by restage (which
// packs inputs so the axis reads contiguously) and tile (which vectorises along it), so that
// the copy restage makes is the one the tile pass uses.
import type { IndexExpr } from '@metaop/core';
import { strideOf } from './linear.js';

export interface Axis {
  readonly v: number;
  readonly extent: number;
}

/** Vector widths a backend offers: `lanes`, and optionally a narrower one for awkward extents. */
export interface VectorWidths {
  /** Lanes per vector register for float32. */
  readonly lanes: number;
  /**
   * A narrower width to use instead of `lanes` for a kernel whose vector axis it covers with
   * fewer operations (a 56-wide axis: 7 vectors of 8 beat 3 vectors of 16 plus 8 scalars).
   */
  readonly narrowLanes?: number;
}

/**
 * The innermost usable axis the output is stored along contiguously, when whole vectors cover
 * most of it (14 = 8 + 6 does not); else the usable axis that `prefer` ranks first.
 */
export function pickVectorAxis<A extends Axis>(
  spatial: readonly A[],
  store: IndexExpr,
  lanes: number,
  usable: (a: A) => boolean,
  prefer: (a: A, b: A) => number,
): A | undefined {
  const ok = spatial.filter((a) => a.extent >= lanes && usable(a));
  const contiguous = [...ok].reverse().find((a) => strideOf(store, a.v) === 1);
  if (contiguous && (contiguous.extent % lanes === 0 || contiguous.extent >= 4 * lanes)) return contiguous;
  return [...ok].sort(prefer)[0];
}

/** Operations per element along an axis: whole vectors, then one per leftover element. */
function cost(extent: number, lanes: number): number {
  return (Math.floor(extent / lanes) + (extent % lanes)) / extent;
}

/** The width whose vector axis (`axisFor(width)`) takes fewer operations per element; the narrow one where only it has an axis. */
export function pickVectorWidth(widths: VectorWidths, axisFor: (lanes: number) => Axis | undefined): number {
  const { lanes, narrowLanes: narrow } = widths;
  if (narrow === undefined || narrow >= lanes) return lanes;
  const wide = axisFor(lanes);
  const thin = axisFor(narrow);
  // No axis holds a whole wide vector (a 14-wide row): the narrow width may still have one.
  if (!wide) return thin ? narrow : lanes;
  return thin && cost(thin.extent, narrow) < cost(wide.extent, lanes) ? narrow : lanes;
}
