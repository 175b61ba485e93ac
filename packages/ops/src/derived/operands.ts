// Operand preparation for derived ops: numbers become constants, dtypes promote, shapes broadcast.
import {
  ArgumentError,
  broadcastShapes,
  expectVar,
  isFloat,
  isVar,
  promoteTypes,
  shapesEqual,
  type DType,
  type Var,
} from '@metaop/core';
import { cast, constant } from '../meta/elementwise.js';
import { broadcast } from '../meta/reindex.js';

/** A Var or a plain number (or boolean), as accepted by the derived ops. */
export type VarLike = Var | number | boolean;

/** The dtype two operands compute in; plain numbers adapt to the Var they meet (as in PyTorch). */
export function resultType(a: VarLike, b: VarLike): DType {
  const av = isVar(a);
  const bv = isVar(b);
  if (av && bv) return promoteTypes(a.dtype, b.dtype);
  if (!av && !bv) return 'float32';
  const v = (av ? a : b) as Var;
  const n = (av ? b : a) as number | boolean;
  if (typeof n === 'boolean') return v.dtype;
  if (!Number.isInteger(n) && !isFloat(v.dtype)) return 'float32';
  if (v.dtype === 'bool') return Number.isInteger(n) ? 'int32' : 'float32';
  return v.dtype;
}

/** A Var of `dtype` from a Var (cast) or a number (a 0-d constant). */
export function toVar(x: VarLike, dtype: DType, op: string): Var {
  if (isVar(x)) {
    expectVar(x, op);
    return cast(x, dtype);
  }
  if (typeof x === 'boolean') return constant(x ? 1 : 0, [], dtype);
  if (typeof x !== 'number') throw new ArgumentError(`operand must be a Var or a number, got ${x === null ? 'null' : typeof x}`, op);
  return constant(x, [], dtype);
}

/** Casts every operand to `dtype` and broadcasts them to their common shape. */
export function prepare(op: string, dtype: DType, ...xs: VarLike[]): Var[] {
  return broadcastAll(op, xs.map((x) => toVar(x, dtype, op)));
}

/** Broadcasts Vars to their common shape. */
export function broadcastAll(op: string, vars: Var[]): Var[] {
  const shape = broadcastShapes(op, ...vars.map((v) => v.shape));
  return vars.map((v) => (shapesEqual(v.shape, shape) ? v : broadcast(v, shape)));
}

/** Promotes and broadcasts two operands. */
export function prepare2(op: string, a: VarLike, b: VarLike, dtype: DType = resultType(a, b)): [Var, Var] {
  const [x, y] = prepare(op, dtype, a, b);
  return [x, y];
}

/** A constant of x's shape and dtype. */
export function fillLike(x: Var, value: number): Var {
  return constant(value, x.shape, x.dtype);
}
