// The `js` backend: kernels rendered as JavaScript functions over host typed arrays.
import { hostMemory, registerBackend, type HostStorage } from '@metaop/core';
import { createCompiledBackend, type CompiledBackend, type Device, type Executable } from '@metaop/compiler';
import { kernelHelpers } from './helpers.js';
import { JsRenderer } from './js-renderer.js';

type KernelFn = (bufs: unknown[], params: Float64Array, h: typeof kernelHelpers) => void;

export function createJsBackend(): CompiledBackend {
  const renderer = new JsRenderer();
  const device: Device = {
    name: 'js',
    label: 'js (generated JavaScript)',
    // The storages name their backend, which exists once the device does.
    ...hostMemory(() => backend),
    // JavaScript numbers are float64: a float64 running sum costs nothing (one Math.fround fewer).
    schedule: { threads: 1, vectorLanes: 0, shapeClasses: true, accumulate: { scalar: 'wide', tile: 'wide' } },
    renderer,
    compile(jobs) {
      return jobs.map((job): Executable => {
        const fn = new Function('bufs', 'params', 'h', job.source) as KernelFn;
        return {
          run(buffers, params) {
            fn(
              buffers.map((b) => (b as HostStorage).array),
              params,
              kernelHelpers,
            );
          },
        };
      });
    },
  };
  const backend = createCompiledBackend(device);
  return backend;
}

registerBackend({ name: 'js', priority: 10, available: () => true, create: createJsBackend });
