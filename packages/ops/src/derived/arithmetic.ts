// Broadcasting arithmetic, comparisons, logic and where(), built on binary/unary/ternary.
import { DTypeError, expectVar, isFloat, type BinaryFn, type UnaryFn, type Var } from '@metaop/core';
import { binary, cast, ternary, unary } from '../meta/elementwise.js';
import { broadcastAll, fillLike, prepare, prepare2, resultType, toVar, type VarLike } from './operands.js';

function arith(fn: BinaryFn, a: VarLike, b: VarLike): Var {
  const [x, y] = prepare2(fn, a, b);
  return binary(x, y, fn);
}

export const add = (a: VarLike, b: VarLike): Var => arith('add', a, b);
export const sub = (a: VarLike, b: VarLike): Var => arith('sub', a, b);
export const mul = (a: VarLike, b: VarLike): Var => arith('mul', a, b);
/** Floor of the quotient for integers, elementwise for floats (torch.floor_divide). */
export const floorDiv = (a: VarLike, b: VarLike): Var => {
  const dt = resultType(a, b);
  if (isFloat(dt)) return unary(arith('div', a, b), 'floor');
  return arith('div', a, b);
};
/** Remainder with the sign of the divisor (torch.remainder). */
export const remainder = (a: VarLike, b: VarLike): Var => arith('mod', a, b);
/** NaN-propagating elementwise maximum (ties split the gradient). */
export const maximum = (a: VarLike, b: VarLike): Var => arith('max', a, b);
export const minimum = (a: VarLike, b: VarLike): Var => arith('min', a, b);

function floatType(a: VarLike, b: VarLike): 'float32' | 'float64' {
  const dt = resultType(a, b);
  return dt === 'float64' ? 'float64' : 'float32';
}

/** True division: integer operands give float32 (torch.div). */
export function div(a: VarLike, b: VarLike): Var {
  const [x, y] = prepare2('div', a, b, floatType(a, b));
  return binary(x, y, 'div');
}

export function pow(a: VarLike, b: VarLike): Var {
  const [x, y] = prepare2('pow', a, b, floatType(a, b));
  return binary(x, y, 'pow');
}

function compare(fn: BinaryFn, a: VarLike, b: VarLike): Var {
  const [x, y] = prepare2(fn, a, b);
  return binary(x, y, fn);
}

export const lt = (a: VarLike, b: VarLike): Var => compare('lt', a, b);
export const le = (a: VarLike, b: VarLike): Var => compare('le', a, b);
export const gt = (a: VarLike, b: VarLike): Var => compare('gt', a, b);
export const ge = (a: VarLike, b: VarLike): Var => compare('ge', a, b);
export const eq = (a: VarLike, b: VarLike): Var => compare('eq', a, b);
export const ne = (a: VarLike, b: VarLike): Var => compare('ne', a, b);

function logical(fn: BinaryFn, a: VarLike, b: VarLike): Var {
  const [x, y] = prepare(fn, 'bool', a, b);
  return binary(x, y, fn);
}

export const logicalAnd = (a: VarLike, b: VarLike): Var => logical('and', a, b);
export const logicalOr = (a: VarLike, b: VarLike): Var => logical('or', a, b);
export const logicalXor = (a: VarLike, b: VarLike): Var => logical('xor', a, b);
export const logicalNot = (a: Var): Var => unary(cast(expectVar(a, 'logicalNot'), 'bool'), 'not');

/** cond ? a : b with broadcasting; cond is converted to bool. */
export function where(cond: VarLike, a: VarLike, b: VarLike): Var {
  const dt = resultType(a, b);
  const [c, x, y] = broadcastAll('where', [toVar(cond, 'bool', 'where'), toVar(a, dt, 'where'), toVar(b, dt, 'where')]);
  return ternary(c, x, y);
}

function floatUnary(fn: UnaryFn, x: Var): Var {
  expectVar(x, fn);
  return unary(isFloat(x.dtype) ? x : cast(x, 'float32'), fn);
}

export const neg = (x: Var): Var => unary(expectVar(x, 'neg'), 'neg');
export const abs = (x: Var): Var => unary(expectVar(x, 'abs'), 'abs');
export const exp = (x: Var): Var => floatUnary('exp', x);
export const log = (x: Var): Var => floatUnary('log', x);
export const sqrt = (x: Var): Var => floatUnary('sqrt', x);
export const rsqrt = (x: Var): Var => floatUnary('rsqrt', x);
export const sin = (x: Var): Var => floatUnary('sin', x);
export const cos = (x: Var): Var => floatUnary('cos', x);
export const tanh = (x: Var): Var => floatUnary('tanh', x);
export const sigmoid = (x: Var): Var => floatUnary('sigmoid', x);
export const erf = (x: Var): Var => floatUnary('erf', x);
export const floor = (x: Var): Var => unary(expectVar(x, 'floor'), 'floor');
export const ceil = (x: Var): Var => unary(expectVar(x, 'ceil'), 'ceil');
export const round = (x: Var): Var => unary(expectVar(x, 'round'), 'round');
export const square = (x: Var): Var => mul(x, x);
export const reciprocal = (x: Var): Var => div(1, x);
export const log1p = (x: Var): Var => log(add(x, 1));
export const expm1 = (x: Var): Var => sub(exp(x), 1);

/** -1, 0 or 1 by the sign of x. */
export function sign(x: Var): Var {
  expectVar(x, 'sign');
  if (x.dtype === 'bool') throw new DTypeError('sign needs a numeric input, got bool', 'sign');
  return sub(cast(gt(x, 0), x.dtype), cast(lt(x, 0), x.dtype));
}

/** Limits x to [min, max]; either bound may be omitted. */
export function clamp(x: Var, min?: VarLike, max?: VarLike): Var {
  let y = expectVar(x, 'clamp');
  if (min !== undefined) y = maximum(y, min);
  if (max !== undefined) y = minimum(y, max);
  return y;
}

/** A constant of x's shape and dtype holding `value`. */
export const fullLike = (x: Var, value: number): Var => fillLike(expectVar(x, 'fullLike'), value);
