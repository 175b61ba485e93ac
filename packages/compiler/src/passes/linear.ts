// Linear analysis of index expressions: the constant stride of a loop variable, when the
// expression is affine in it.
import { ibin, ic, iv, simplifyIndex, type IndexExpr, substituteIndex } from '@metaop/core';

/**
 * The stride of loop variable `v` in `e`: e(v+1) - e(v) when that difference is a constant for all
 * other variables, else undefined (e.g. v appears under a div or mod).
 */
export function strideOf(e: IndexExpr, v: number): number | undefined {
  const shifted = substituteIndex(e, (a) => (a === v ? ibin('+', iv(v), ic(1)) : iv(a)));
  const diff = simplifyIndex(ibin('-', shifted, e));
  return diff.kind === 'const' ? diff.value : undefined;
}
