// @metaop/backend-c: importing it registers backend 'c', the default CPU backend.
export { createCBackend, type CBackend } from './c-backend.js';
// The cache, cache folder and CPU model live in @metaop/native (shared by every compiled backend);
// re-exported here for existing callers.
export { KernelCache, cpuModel, resolveCacheDir, type CacheStats } from '@metaop/native';
export { detectToolchain, findCompiler, type Toolchain } from './toolchain.js';
export { threadBudget, threadCounters, type ThreadCounters } from './threads.js';
