// Element-wise meta-ops: out[i] = f(in0[i], in1[i], ...), the same index everywhere.
import {
  ArgumentError,
  binaryFns,
  checkShape,
  comparisonFns,
  convertValue,
  DTypeError,
  expectVar,
  formatShape,
  isDType,
  isFloat,
  logicalFns,
  normalizeDim,
  ShapeError,
  shapesEqual,
  unaryFns,
  Var,
  type BinaryFn,
  type DType,
  type RandomDist,
  type Shape,
  type UnaryFn,
  checkOptions,
  type OptionKeys,
} from '@metaop/core';

function checkDType(dtype: unknown, op: string): DType {
  if (!isDType(dtype)) {
    throw new DTypeError(`unknown dtype ${JSON.stringify(dtype)}; use float32, float64, int32, uint8 or bool`, op);
  }
  return dtype;
}

/** A Var of `shape` filled with `value` (converted to `dtype`). */
export function constant(value: number, shape: Shape, dtype: DType = 'float32'): Var {
  checkShape(shape, 'constant');
  checkDType(dtype, 'constant');
  if (typeof value !== 'number') throw new ArgumentError(`value must be a number, got ${typeof value}`, 'constant');
  return Var.fromNode({ op: 'constant', value: convertValue(value, dtype), inputs: [] }, shape, dtype);
}

/** The coordinate grid along `dim`: out[i] = i[dim]. */
export function index(shape: Shape, dim: number, dtype: DType = 'int32'): Var {
  checkShape(shape, 'index');
  checkDType(dtype, 'index');
  const d = normalizeDim(dim, shape, 'index');
  return Var.fromNode({ op: 'index', dim: d, inputs: [] }, shape, dtype);
}

export interface RandomOptions {
  dist?: RandomDist;
  seed: number;
  /** Counter of the first element; consecutive calls should not overlap. */
  offset: number;
}
const randomKeys: OptionKeys<RandomOptions> = { dist: true, seed: true, offset: true };

/** Philox random numbers: uniform in [0,1) or standard normal; element k uses counter offset+k. */
export function random(shape: Shape, options: RandomOptions, dtype: DType = 'float32'): Var {
  checkShape(shape, 'random');
  checkOptions(options, randomKeys, 'random');
  checkDType(dtype, 'random');
  if (!isFloat(dtype)) throw new DTypeError(`random produces floats, not ${dtype}; cast the result`, 'random');
  const { dist = 'uniform', seed, offset } = options;
  if (dist !== 'uniform' && dist !== 'normal') throw new ArgumentError(`unknown distribution '${String(dist)}'`, 'random');
  for (const [name, v] of [['seed', seed], ['offset', offset]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new ArgumentError(`${name} must be a non-negative safe integer, got ${v}`, 'random');
  }
  return Var.fromNode({ op: 'random', dist, seed, offset, inputs: [] }, shape, dtype);
}

/** Converts to another dtype (floats truncate toward zero into integers; bool is x != 0). */
export function cast(x: Var, dtype: DType): Var {
  expectVar(x, 'cast');
  checkDType(dtype, 'cast');
  if (x.dtype === dtype) return x;
  return Var.fromNode({ op: 'cast', inputs: [x] }, x.shape, dtype);
}

const floatOnlyUnary: ReadonlySet<UnaryFn> = new Set(['exp', 'log', 'sqrt', 'rsqrt', 'sin', 'cos', 'tanh', 'sigmoid', 'erf']);

export function unary(x: Var, fn: UnaryFn): Var {
  expectVar(x, `unary(${fn})`);
  if (!unaryFns.includes(fn)) throw new ArgumentError(`unknown unary function '${String(fn)}'; one of ${unaryFns.join(', ')}`, 'unary');
  const op = `unary(${fn})`;
  if (fn === 'not') {
    if (x.dtype !== 'bool') throw new DTypeError(`needs a bool input, got ${x.describe()}; compare first (e.g. x.ne(0))`, op);
  } else if (x.dtype === 'bool') {
    throw new DTypeError(`needs a numeric input, got ${x.describe()}; cast it first`, op);
  } else if (floatOnlyUnary.has(fn) && !isFloat(x.dtype)) {
    throw new DTypeError(`needs a float input, got ${x.describe()}; cast(x, 'float32') first`, op);
  }
  return Var.fromNode({ op: 'unary', fn, inputs: [x] }, x.shape, x.dtype);
}

/** The dtype a binary function produces from operands of `dtype`. */
export function binaryResultType(fn: BinaryFn, dtype: DType): DType {
  return comparisonFns.has(fn) || logicalFns.has(fn) ? 'bool' : dtype;
}

/** Element-wise binary function; both operands must have the same shape and dtype. */
export function binary(a: Var, b: Var, fn: BinaryFn): Var {
  const op = `binary(${fn})`;
  expectVar(a, op, 'first operand');
  expectVar(b, op, 'second operand');
  if (!binaryFns.includes(fn)) throw new ArgumentError(`unknown binary function '${String(fn)}'; one of ${binaryFns.join(', ')}`, 'binary');
  if (!shapesEqual(a.shape, b.shape)) {
    throw new ShapeError(
      `operand shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} differ; the meta-op needs equal shapes ` +
        `(use the broadcasting ops such as add(), or broadcast() first)`,
      op,
    );
  }
  if (a.dtype !== b.dtype) {
    throw new DTypeError(
      `operands ${a.describe()} and ${b.describe()} have different dtypes; cast() one of them (the derived ops promote for you)`,
      op,
    );
  }
  if (logicalFns.has(fn) && a.dtype !== 'bool') throw new DTypeError(`needs bool operands, got ${a.describe()}; compare first`, op);
  if (!logicalFns.has(fn) && !comparisonFns.has(fn) && a.dtype === 'bool') {
    throw new DTypeError(`needs numeric operands, got ${a.describe()}; cast them first`, op);
  }
  if (fn === 'pow' && !isFloat(a.dtype)) throw new DTypeError(`needs float operands, got ${a.describe()}; cast them first`, op);
  return Var.fromNode({ op: 'binary', fn, inputs: [a, b] }, a.shape, binaryResultType(fn, a.dtype));
}

/** Element-wise select: cond ? a : b. All three have one shape; cond is bool. */
export function ternary(cond: Var, a: Var, b: Var): Var {
  const op = 'ternary';
  expectVar(cond, op, 'condition');
  expectVar(a, op, 'second operand');
  expectVar(b, op, 'third operand');
  if (cond.dtype !== 'bool') throw new DTypeError(`the condition must be bool, got ${cond.describe()}; compare first`, op);
  if (!shapesEqual(cond.shape, a.shape) || !shapesEqual(a.shape, b.shape)) {
    throw new ShapeError(
      `shapes ${formatShape(cond.shape)}, ${formatShape(a.shape)}, ${formatShape(b.shape)} differ; use where() to broadcast`,
      op,
    );
  }
  if (a.dtype !== b.dtype) throw new DTypeError(`operands ${a.describe()} and ${b.describe()} have different dtypes; cast one of them`, op);
  return Var.fromNode({ op: 'ternary', inputs: [cond, a, b] }, a.shape, a.dtype);
}
