// The `bang` backend: kernels rendered as BANG C. With cncc installed they are built for the MLU
// and run through CNRT; without it (every machine MetaOp is tested on) the same source is built by
// the system C++ compiler against emulation/bang_emu.h and runs on the CPU: label 'bang (emulated)'.
// Either way a kernel library exports `int k(void** bufs, const double* params)` (0 on success),
// cached on disk by the shared KernelCache (@metaop/native) and called through koffi.
import { join } from 'node:path';
import { BackendError, hostMemory, readEnv, registerBackend, type HostMemory, type HostStorage } from '@metaop/core';
import { createCompiledBackend, type CompiledBackend, type Device, type Executable } from '@metaop/compiler';
import koffi from 'koffi';
import { buildKernels, KernelCache, loadLibrary, resolveCacheDir } from '@metaop/native';
import { BangRenderer } from './bang-renderer.js';
import { cnrtMemory, type DeviceStorage } from './cnrt.js';
import { bangTarget, taskCount, type BangTarget } from './targets.js';
import { bangToolchain, findCncc, findCxx, type BangToolchain } from './toolchain.js';

export interface BangBackendOptions {
  /** 'mlu270' (default, or METAOP_BANG_TARGET) or 'mlu370'. */
  readonly target?: string;
}

export interface BangBackend extends CompiledBackend {
  readonly target: BangTarget;
  readonly toolchain: BangToolchain;
  readonly cache: KernelCache;
}

type NativeKernel = (table: BigUint64Array, params: Float64Array) => number;
type ErrorText = () => string;

const errors = new Map<string, ErrorText>();

function load(path: string, symbol: string, emulated: boolean): { fn: NativeKernel; error: ErrorText } {
  const lib = loadLibrary(path);
  let error = errors.get(path);
  if (!error) {
    error = emulated ? (lib.func('const char *bang_emu_last_error(void)') as unknown as ErrorText) : () => 'CNRT reported an error (see the driver log)';
    errors.set(path, error);
  }
  const fn = lib.func(`int ${symbol}(void *bufs, void *params)`) as unknown as NativeKernel;
  return { fn, error };
}

/** Host memory with each buffer's native address taken once (the emulated kernels read it). */
function emulatedMemory(backend: () => BangBackend): HostMemory {
  return hostMemory<HostStorage & { address: bigint }>(backend, (s) => ({ ...s, address: koffi.address(s.array) }));
}

export function createBangBackend(options: BangBackendOptions = {}): BangBackend {
  const target = bangTarget(options.target ?? readEnv('METAOP_BANG_TARGET') ?? 'mlu270');
  const toolchain = bangToolchain(target);
  const cache = new KernelCache(join(resolveCacheDir(), 'bang'), toolchain);
  const renderer = new BangRenderer(target);
  const self = (): BangBackend => backend;
  const device: Device = {
    name: 'bang',
    label: toolchain.emulated ? 'bang (emulated)' : `bang (${target.name}, ${toolchain.version})`,
    ...(toolchain.emulated ? emulatedMemory(self) : cnrtMemory(toolchain.neuwareHome as string, self)),
    // Every loop nest is split across the launch's tasks; vectorize marks the loops the vector
    // path may take (the renderer decides); padded inputs of heavy reductions are restaged into
    // GDRAM scratch copies (no bounds tests in the inner loops). No register tiling: its lane
    // tiles would take the contiguous reductions the vector path runs with __bang_sumpool. Scalar
    // float sums are compensated (Kahan): MLUs have no fast float64; the vector path's sums keep
    // per-lane partial sums in NRAM.
    schedule: {
      threads: taskCount(target),
      vectorLanes: 64,
      parallelMinWork: 1,
      restage: { minReuse: 8, minWork: 1 << 16 },
      accumulate: { scalar: 'compensated', tile: 'wide' },
    },
    renderer,
    compile(jobs) {
      return buildKernels(cache, renderer, jobs).map(({ path, symbol }): Executable => {
        const { fn, error } = load(path, symbol, toolchain.emulated);
        let table = new BigUint64Array(8);
        return {
          run(buffers, params) {
            if (table.length < buffers.length) table = new BigUint64Array(buffers.length);
            for (let i = 0; i < buffers.length; i++) table[i] = (buffers[i] as DeviceStorage).address;
            if (fn(table, params) !== 0) throw new BackendError(`kernel ${symbol} failed on ${device.label}: ${error()}`, 'bang');
          },
        };
      });
    },
  };
  const backend: BangBackend = Object.assign(createCompiledBackend(device), { target, toolchain, cache });
  return backend;
}

registerBackend({
  name: 'bang',
  // The emulation is for testing: never picked unless asked for. A real MLU toolchain wins.
  priority: findCncc() ? 30 : 1,
  available: () => (findCncc() || findCxx() ? true : 'neither cncc (NEUWARE_HOME/bin or PATH) nor a C++ compiler for the emulation was found'),
  create: () => createBangBackend(),
});
