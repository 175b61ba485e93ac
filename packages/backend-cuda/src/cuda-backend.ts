// The `cuda` backend. Kernels are rendered as CUDA C++ (cuda-renderer.ts). This first version runs
// them through the CUDA emulator only: the system C++ compiler builds the generated .cu against
// emulation/cuda_emu.h and the kernels run on the CPU, labelled 'cuda (emulated)'. Running on a
// real GPU (the CUDA runtime through koffi) is not implemented yet; METAOP_CUDA_EMULATE=0 says so.
// Libraries are cached by the shared KernelCache (@metaop/native) and called through koffi.
import { join } from 'node:path';
import koffi from 'koffi';
import { BackendError, hostMemory, registerBackend, type HostMemory, type HostStorage } from '@metaop/core';
import { createCompiledBackend, type CompiledBackend, type Device, type Executable } from '@metaop/compiler';
import { buildKernels, KernelCache, loadLibrary, resolveCacheDir } from '@metaop/native';
import { CUDA_BLOCK, CUDA_BLOCK_BELOW, CUDA_FULL_CHUNK, CUDA_MAX_GRID, CudaRenderer } from './cuda-renderer.js';
import { emulationToolchain, emulationWanted, findGpu, GPU_PROBES, type CudaToolchain } from './toolchain.js';

export interface CudaBackend extends CompiledBackend {
  readonly toolchain: CudaToolchain;
  readonly cache: KernelCache;
}

type NativeKernel = (table: BigUint64Array, params: Float64Array) => number;
type ErrorText = () => string;

const errors = new Map<string, ErrorText>();

function load(path: string, symbol: string): { fn: NativeKernel; error: ErrorText } {
  const lib = loadLibrary(path);
  let error = errors.get(path);
  if (!error) errors.set(path, (error = lib.func('const char *cuda_emu_last_error(void)') as unknown as ErrorText));
  return { fn: lib.func(`int ${symbol}(void *bufs, void *params)`) as unknown as NativeKernel, error };
}

/** Host memory with each buffer's native address taken once (the emulated kernels read it). */
function emulatedMemory(backend: () => CudaBackend): HostMemory {
  return hostMemory<HostStorage & { address: bigint }>(backend, (s) => ({ ...s, address: koffi.address(s.array) }));
}

/** Why the backend cannot run without emulation here (a typed error naming what was looked for). */
function noNativeCuda(): BackendError {
  const gpu = findGpu();
  return new BackendError(
    gpu
      ? `cuda: METAOP_CUDA_EMULATE=0, and a GPU was found (${gpu}), but running kernels on a real GPU is not implemented yet in @metaop/backend-cuda; unset METAOP_CUDA_EMULATE to use 'cuda (emulated)'`
      : `cuda: METAOP_CUDA_EMULATE=0 but no NVIDIA GPU was found (looked for ${GPU_PROBES.join(' and ')}; CUDA_VISIBLE_DEVICES='' hides GPUs); unset METAOP_CUDA_EMULATE to run the generated CUDA on the CPU as 'cuda (emulated)'`,
    'cuda',
  );
}

export function createCudaBackend(): CudaBackend {
  if (emulationWanted() === false) throw noNativeCuda();
  const toolchain = emulationToolchain();
  const cache = new KernelCache(join(resolveCacheDir(), 'cuda'), toolchain);
  const renderer = new CudaRenderer();
  const self = (): CudaBackend => backend;
  const device: Device = {
    name: 'cuda',
    label: 'cuda (emulated)',
    ...emulatedMemory(self),
    // One parallel loop per nest, bound to the grid, or to blocks whose threads share its
    // reductions and rows when it has too few iterations to fill the device (passes/gpu-map.ts).
    // No register tiles or restaging yet (the CUDA concepts for them are not in the loop IR).
    schedule: {
      threads: 1024,
      vectorLanes: 1,
      parallelMinWork: 1,
      accumulate: { scalar: 'wide', tile: 'wide' },
      gpu: { blockThreads: CUDA_BLOCK, blockBelow: CUDA_BLOCK_BELOW, fullChunk: CUDA_FULL_CHUNK, maxBlocks: CUDA_MAX_GRID },
    },
    renderer,
    compile(jobs) {
      return buildKernels(cache, renderer, jobs).map(({ path, symbol }): Executable => {
        const { fn, error } = load(path, symbol);
        let table = new BigUint64Array(8);
        return {
          run(buffers, params) {
            if (table.length < buffers.length) table = new BigUint64Array(buffers.length);
            for (let i = 0; i < buffers.length; i++) table[i] = (buffers[i] as HostStorage & { address: bigint }).address;
            if (fn(table, params) !== 0) throw new BackendError(`kernel ${symbol} failed on ${device.label}: ${error()}`, 'cuda');
          },
        };
      });
    },
  };
  const backend: CudaBackend = Object.assign(createCompiledBackend(device), { toolchain, cache });
  return backend;
}

registerBackend({
  name: 'cuda',
  // Emulated only for now: never picked unless asked for.
  priority: 1,
  available: () => (emulationWanted() === false ? noNativeCuda().message : true),
  create: () => createCudaBackend(),
});
