// @metaop/backend-c: importing it registers backend 'c', the default CPU backend.
export { createCBackend, type CBackend } from './c-backend.js';
export { KernelCache, type CacheStats } from './kernel-cache.js';
export { detectToolchain, findCompiler, cpuModel, type Toolchain } from './toolchain.js';
export { resolveCacheDir } from './cache-dir.js';
export { threadBudget, threadCounters, type ThreadCounters } from './threads.js';
