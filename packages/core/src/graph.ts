// The graph node: which meta-op produced a Var, with its attributes. Semantics (shape rules,
// gradients, evaluation) live in @metaop/ops; this file fixes the data every backend reads.
import type { DType } from './dtype.js';
import type { IndexCond, IndexExpr } from './index-expr/ast.js';
import type { Var } from './var.js';

export type UnaryFn =
  | 'neg'
  | 'abs'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'rsqrt'
  | 'sin'
  | 'cos'
  | 'tanh'
  | 'sigmoid'
  | 'erf'
  | 'floor'
  | 'ceil'
  | 'round'
  | 'not';

export type BinaryFn =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'pow'
  | 'max'
  | 'min'
  | 'mod'
  | 'lt'
  | 'le'
  | 'gt'
  | 'ge'
  | 'eq'
  | 'ne'
  | 'and'
  | 'or'
  | 'xor';

export type ReduceFn = 'add' | 'mul' | 'max' | 'min';
export type ArgReduceFn = 'argmax' | 'argmin';
export type RandomDist = 'uniform' | 'normal';

export const unaryFns: readonly UnaryFn[] = [
  'neg', 'abs', 'exp', 'log', 'sqrt', 'rsqrt', 'sin', 'cos', 'tanh', 'sigmoid', 'erf', 'floor', 'ceil', 'round', 'not',
];
export const binaryFns: readonly BinaryFn[] = [
  'add', 'sub', 'mul', 'div', 'pow', 'max', 'min', 'mod', 'lt', 'le', 'gt', 'ge', 'eq', 'ne', 'and', 'or', 'xor',
];
export const reduceFns: readonly ReduceFn[] = ['add', 'mul', 'max', 'min'];

/** Binary functions whose result is bool whatever the operand dtype. */
export const comparisonFns: ReadonlySet<BinaryFn> = new Set(['lt', 'le', 'gt', 'ge', 'eq', 'ne']);
/** Binary functions on bools (and, or, xor) that produce bool. */
export const logicalFns: ReadonlySet<BinaryFn> = new Set(['and', 'or', 'xor']);

export type OpNode =
  // element-wise
  | { readonly op: 'constant'; readonly value: number; readonly inputs: readonly [] }
  | { readonly op: 'index'; readonly dim: number; readonly inputs: readonly [] }
  | {
      readonly op: 'random';
      readonly dist: RandomDist;
      /** Philox key. */
      readonly seed: number;
      /** Counter of element 0; element k uses counter offset + k. */
      readonly offset: number;
      readonly inputs: readonly [];
    }
  | { readonly op: 'cast'; readonly inputs: readonly [Var] }
  | { readonly op: 'unary'; readonly fn: UnaryFn; readonly inputs: readonly [Var] }
  | { readonly op: 'binary'; readonly fn: BinaryFn; readonly inputs: readonly [Var, Var] }
  | { readonly op: 'ternary'; readonly inputs: readonly [Var, Var, Var] }
  // reindex (one-to-many)
  | {
      readonly op: 'reindex';
      /** One expression per input dim, over the output coordinates. */
      readonly indexes: readonly IndexExpr[];
      readonly overflowValue: number;
      readonly overflowConditions: readonly IndexCond[];
      readonly inputs: readonly [Var];
    }
  | {
      readonly op: 'gather';
      /** out[i] = x[i with `dim` replaced by index[i]]; other dims read i as is. */
      readonly dim: number;
      readonly inputs: readonly [Var, Var];
    }
  | { readonly op: 'broadcast'; readonly inputs: readonly [Var] }
  | { readonly op: 'reshape'; readonly inputs: readonly [Var] }
  | { readonly op: 'permute'; readonly perm: readonly number[]; readonly inputs: readonly [Var] }
  | {
      readonly op: 'slice';
      /** out[i] = x[start + i*step] per dim; the output shape gives the counts. */
      readonly starts: readonly number[];
      readonly steps: readonly number[];
      readonly inputs: readonly [Var];
    }
  | {
      readonly op: 'pad';
      readonly before: readonly number[];
      readonly after: readonly number[];
      readonly value: number;
      readonly inputs: readonly [Var];
    }
  // reindex-reduce (many-to-one)
  | {
      readonly op: 'reduce';
      readonly fn: ReduceFn;
      /** Sorted, distinct input dims that are reduced. */
      readonly dims: readonly number[];
      readonly keepdim: boolean;
      readonly inputs: readonly [Var];
    }
  | {
      readonly op: 'reindexReduce';
      readonly fn: ReduceFn;
      /** One expression per output dim, over the input coordinates. */
      readonly indexes: readonly IndexExpr[];
      readonly overflowConditions: readonly IndexCond[];
      readonly inputs: readonly [Var];
    }
  | {
      readonly op: 'scatter';
      readonly fn: ReduceFn;
      /** out[i with `dim` replaced by index[i]] ⊕= src[i]. */
      readonly dim: number;
      readonly inputs: readonly [Var, Var];
    }
  | {
      readonly op: 'argReduce';
      readonly fn: ArgReduceFn;
      readonly dim: number;
      readonly keepdim: boolean;
      readonly inputs: readonly [Var];
    };

export type OpName = OpNode['op'];
export type MetaOpClass = 'elementwise' | 'reindex' | 'reduce';

/** The class of each meta-op: the only thing the fusion compiler reasons about. */
export const opClassOf: Readonly<Record<OpName, MetaOpClass>> = {
  constant: 'elementwise',
  index: 'elementwise',
  random: 'elementwise',
  cast: 'elementwise',
  unary: 'elementwise',
  binary: 'elementwise',
  ternary: 'elementwise',
  reindex: 'reindex',
  gather: 'reindex',
  broadcast: 'reindex',
  reshape: 'reindex',
  permute: 'reindex',
  slice: 'reindex',
  pad: 'reindex',
  reduce: 'reduce',
  reindexReduce: 'reduce',
  scatter: 'reduce',
  argReduce: 'reduce',
};

/** Identity element of a reduction for values of `dtype` (the lowest or highest value for max/min). */
export function reduceIdentity(fn: ReduceFn, dtype: DType): number {
  switch (fn) {
    case 'add':
      return 0;
    case 'mul':
      return 1;
    case 'max':
      return dtype === 'int32' ? -2147483648 : dtype === 'uint8' || dtype === 'bool' ? 0 : -Infinity;
    case 'min':
      return dtype === 'int32' ? 2147483647 : dtype === 'uint8' ? 255 : dtype === 'bool' ? 1 : Infinity;
  }
}
