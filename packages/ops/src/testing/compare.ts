// Comparing arrays with float tolerances, reporting the worst elements in words.

export interface Tolerance {
  /** Relative tolerance, scaled by the larger magnitude of the two values. */
  readonly rtol: number;
  readonly atol: number;
}

/** float32 results against a float64 oracle. */
export const float32Tolerance: Tolerance = { rtol: 1e-5, atol: 1e-5 };
/** Two float64 computations of the same value. */
export const float64Tolerance: Tolerance = { rtol: 1e-10, atol: 1e-12 };

/** True when a and b agree: both NaN, equal (including infinities), or within tolerance. */
export function close(a: number, b: number, tol: Tolerance): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= tol.atol + tol.rtol * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * Null when `actual` matches `expected` element by element; otherwise a message naming `label`,
 * the number of mismatches and the worst few.
 */
export function compareArrays(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tolerance,
  label = 'values',
): string | null {
  if (actual.length !== expected.length) return `${label}: ${actual.length} elements, expected ${expected.length}`;
  const bad: { i: number; a: number; e: number; err: number }[] = [];
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (!close(a, e, tol)) bad.push({ i, a, e, err: Number.isFinite(a - e) ? Math.abs(a - e) : Infinity });
  }
  if (bad.length === 0) return null;
  bad.sort((x, y) => (y.err === x.err ? x.i - y.i : y.err - x.err));
  const worst = bad
    .slice(0, 4)
    .map((b) => `[${b.i}] ${b.a} vs ${b.e}`)
    .join(', ');
  return `${label}: ${bad.length}/${actual.length} elements differ beyond rtol ${tol.rtol}, atol ${tol.atol}; worst: ${worst}`;
}
