// The index-expression IR: integer expressions over loop coordinates, and the conditions built on them.
// Division and modulo are floor division and floor modulo (Python semantics) on every backend.

export type IndexBinaryOp = '+' | '-' | '*' | '/' | '%' | 'min' | 'max';
export type IndexCompareOp = '<' | '<=' | '>' | '>=' | '==' | '!=';

export type IndexExpr =
  | { readonly kind: 'const'; readonly value: number }
  /** The coordinate along axis `axis` of the iteration space (`i0`, `i1`, ...). */
  | { readonly kind: 'idx'; readonly axis: number }
  | { readonly kind: 'bin'; readonly op: IndexBinaryOp; readonly a: IndexExpr; readonly b: IndexExpr };

export type IndexCond =
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'cmp'; readonly op: IndexCompareOp; readonly a: IndexExpr; readonly b: IndexExpr }
  | { readonly kind: 'and' | 'or'; readonly a: IndexCond; readonly b: IndexCond }
  | { readonly kind: 'not'; readonly a: IndexCond };

export const ic = (value: number): IndexExpr => ({ kind: 'const', value });
export const iv = (axis: number): IndexExpr => ({ kind: 'idx', axis });
export const ibin = (op: IndexBinaryOp, a: IndexExpr, b: IndexExpr): IndexExpr => ({ kind: 'bin', op, a, b });
export const iadd = (a: IndexExpr, b: IndexExpr): IndexExpr => ibin('+', a, b);
export const imul = (a: IndexExpr, b: IndexExpr): IndexExpr => ibin('*', a, b);
export const icmp = (op: IndexCompareOp, a: IndexExpr, b: IndexExpr): IndexCond => ({ kind: 'cmp', op, a, b });
export const ior = (a: IndexCond, b: IndexCond): IndexCond => ({ kind: 'or', a, b });
export const iand = (a: IndexCond, b: IndexCond): IndexCond => ({ kind: 'and', a, b });

/** Floor division as used by index expressions. */
export function floorDiv(a: number, b: number): number {
  return Math.floor(a / b);
}

/** Floor modulo (sign of the divisor) as used by index expressions. */
export function floorMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}
