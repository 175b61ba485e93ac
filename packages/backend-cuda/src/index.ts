// @metaop/backend-cuda: importing it registers backend 'cuda' (CUDA C++ from the shared compiler;
// for now run by the CUDA emulator on the CPU, labelled 'cuda (emulated)').
export { createCudaBackend, type CudaBackend } from './cuda-backend.js';
export { CudaRenderer, CUDA_BLOCK, CUDA_BLOCK_BELOW, CUDA_FULL_CHUNK, CUDA_MAX_GRID } from './cuda-renderer.js';
export { cudaArchs, emulationDir, emulationToolchain, emulationWanted, findGpu, findNvcc, nvccToolchain, GPU_PROBES, type CudaToolchain } from './toolchain.js';
