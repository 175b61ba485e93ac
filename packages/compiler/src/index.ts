// @metaop/compiler: partition meta-op graphs into fused kernels, lower them to loop IR, run the
// loop passes, render C-like source, and turn a Device into a compiled Backend.
export type * from './ir/loop-ir.js';
export { printKernel } from './ir/print.js';
export { rewriteStmts, rewriteExpr, substitution, visitIndices, axesIn } from './ir/transform.js';
export { partition, type KernelGroup, type Partition, type PartitionOptions } from './partition.js';
export { lowerGroup, paramValue, isStructural, startsAtRunTime, type LoweredKernel, type ParamSource } from './lower.js';
export { graphSignature, type GraphSignature, type SignatureNode } from './graph-signature.js';
export { planKey, recordPlan, matchesPlan, type PlanKey, type PlanRecord } from './plan-key.js';
export { RecompileWatch, RECOMPILE_LIMIT, firstChange, type Change } from './recompile-watch.js';
export { schedule, type ScheduleOptions } from './passes/pipeline.js';
export { gpuMap, WARP, type GpuMapOptions } from './passes/gpu-map.js';
export type { AccumulateOptions } from './passes/accumulate.js';
export { kernelKey, hash64 } from './key.js';
export { bufferAccess, launchPhases } from './passes/launch-phases.js';
export { CFamilyRenderer, type LoopStmt } from './render/c-family.js';
export { CRenderer, renderC } from './render/c-renderer.js';
export { cFamilyHelpers, cHelpers, cOpenmpReductions, cVectorTypes, elideCHelpers } from './render/c-helpers.js';
export { cThreadHelpers } from './render/openmp.js';
export {
  createCompiledBackend,
  planKernels,
  type CompiledBackend,
  type CompileJob,
  type CompileStats,
  type Device,
  type Executable,
  type KernelProfile,
  type KernelRenderer,
  type PlannedKernel,
  type PlannedPack,
} from './compiled-backend.js';
export { explain, type Explanation, type ExplainedKernel } from './explain.js';
