// @metaop/native: the pieces every compiled backend shares — the on-disk compiled-artifact cache
// with batched parallel compiles, the cache folder, toolchain basics and koffi library loading.
// No backend owns them; a backend supplies its compiler, flags, link flags and source extension.
export { KernelCache, buildKernels, type CacheStats, type CacheUnit, type CachedKernel, type FunctionRenderer } from './kernel-cache.js';
export { resolveCacheDir } from './cache-dir.js';
export { runCommands, type CompileCommand, type CommandResult } from './compile-batch.js';
export { atomicWrite, commitFile, fsyncDir, isStorageError, isStorageFailureOutput } from './durable-write.js';
export { DEFAULT_LINK, cpuModel, fileDigest, findCxx, findOnPath, lastVersionLine, versionOf, type NativeToolchain } from './toolchain.js';
export { isLoaded, loadLibrary, type NativeLibrary } from './loader.js';
