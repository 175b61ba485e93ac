// @metaop/core: dtypes, shapes, the lazy Var, graph nodes, index expressions, the Backend contract
// and registry, realize, memory ownership and flags.
export * from './dtype.js';
export * from './errors.js';
export * from './shape.js';
export * from './flags.js';
export * from './graph.js';
export { numberKey, numbersKey, opAttrs, opAttrsKey, attrsKey, type AttrText } from './exact-key.js';
export * from './index-expr/index.js';
export { Var, isVar, expectVar, type NestedArray } from './var.js';
export * from './backend.js';
export { BufferPool, sizeClass, type PoolStats } from './buffer-pool.js';
export { hostMemory, hostPool, viewOf, type HostMemory } from './host-memory.js';
export { realize, realizeStats, collectGraph, type RealizeStats } from './realize.js';
export { userFrame } from './anomaly.js';
export { addIndexGuard, guardPlan, type GuardPlan, type IndexGuard } from './guards.js';
export {
  memory,
  resetPeakBytes,
  tidy,
  keep,
  allocStorage,
  allocScratch,
  allocPlanBuffer,
  isFreed,
  checkAllocation,
  freeStorage,
  attachStorage,
  releaseStorage,
  type MemoryInfo,
} from './memory.js';
export { noteWrite, writeCount } from './storage-writes.js';
export { checkOptions, type OptionKeys } from './options.js';
export { noGrad, enableGrad, isGradEnabled, contextVar, type ContextVar } from './context.js';
