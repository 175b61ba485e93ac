// @metaop/ops: the 18 meta-operators, grad(), the derived operator library and the float64 oracle
// (registered as backend 'reference').
import './chain.js';
import './oracle/backend.js';

export {
  Var,
  realize,
  setBackend,
  getBackend,
  withBackend,
  backendNames,
  tidy,
  keep,
  noGrad,
  enableGrad,
  memory,
  flags,
  type DType,
  type Shape,
} from '@metaop/core';

// The 18 meta-operators
export { constant, index, random, cast, unary, binary, ternary } from './meta/elementwise.js';
export { reindex, gather as gatherMeta, broadcast, reshape, permute, slice, pad as padMeta } from './meta/reindex.js';
export { reduce, reindexReduce, scatter, argReduce } from './meta/reduce.js';
export { metaOps, type MetaOpInfo } from './meta/table.js';
export type { IndexSpec, CondSpec } from './meta/reindex.js';

export { grad } from './autograd/grad.js';
export { registerGradHook, type GradHook } from './autograd/hooks.js';
export { gradRules, type GradRule } from './autograd/rules.js';

export * from './creation.js';
export * from './derived/arithmetic.js';
export * from './derived/reduction.js';
export { variance as var } from './derived/reduction.js';
export * from './derived/shape.js';
export * from './derived/slicing.js';
export * from './derived/indexing.js';
export * from './derived/linalg.js';
export * from './derived/conv.js';
export * from './derived/pool.js';
export * from './derived/activation.js';
export * from './derived/loss.js';
export * from './derived/masking.js';
export * from './derived/attention.js';
export * from './derived/norm.js';
export * from './derived/scan.js';
export * from './derived/sort.js';
export * from './derived/einsum.js';
export * from './derived/interpolate.js';
export * from './derived/multinomial.js';
export type { VarLike } from './derived/operands.js';

export { evaluateNode, type OracleInput } from './oracle/evaluate.js';
export { createReferenceBackend } from './oracle/backend.js';
export { applyUnary, applyBinary, erf as erfScalar, roundHalfEven } from './oracle/scalar.js';
export { philox4x32, philoxUniform, philoxNormal } from './random/philox.js';
