// @metaop/backend-bang: importing it registers backend 'bang' (BANG C for Cambricon MLUs; emulated
// on the CPU with the system C++ compiler where cncc is not installed).
export { createBangBackend, type BangBackend, type BangBackendOptions } from './bang-backend.js';
export { BangRenderer } from './bang-renderer.js';
export { bangTarget, bangTargets, nramBufferBytes, taskCount, type BangTarget } from './targets.js';
export { bangToolchain, emulationDir, findCncc, findCxx, strictEmulation, type BangToolchain } from './toolchain.js';
export { planLoop, planRows, type VectorPlan } from './vector-plan.js';
