// The run-time choice of a kernel's non-finite variant, checked on a compiled backend: a hand-made
// kernel whose fast body stores 1 and whose variant stores 2, run on data with and without Inf or
// NaN in the scanned buffer and param. Returns null when the backend picks right, else what went wrong.
import { backendByName, ic, type DType } from '@metaop/core';
import type { Kernel, Stmt } from '../ir/loop-ir.js';
import type { CompiledBackend } from '../compiled-backend.js';
import { hash64, kernelKey } from '../key.js';

const N = 1000;

const store = (value: number): Stmt[] => [{ s: 'store', buf: 1, index: ic(0), value: { op: 'const', value, dtype: 'float32' } }];

function flagKernel(paramDType: DType): Kernel {
  return {
    name: 'k',
    buffers: [
      { dtype: 'float32', numel: N, role: 'input' },
      { dtype: 'float32', numel: 1, role: 'output' },
    ],
    paramCount: 1,
    loopExtents: [],
    body: store(1),
    notes: [],
    nonFinite: { buffers: [0], params: [{ slot: 0, dtype: paramDType }], body: store(2) },
  };
}

/** [what the buffer holds, the param, its dtype, the body expected: 1 fast, 2 non-finite]. */
const runs: readonly (readonly [string, (i: number) => number, number, DType, 1 | 2])[] = [
  ['finite values', (i) => i - 500, 1, 'float32', 1],
  ['float32 extremes', (i) => [3.4028234663852886e38, -3.4028234663852886e38, 1.401298464324817e-45, -0][i % 4], -0, 'float32', 1],
  ['an Inf last', (i) => (i === N - 1 ? Infinity : 1), 1, 'float32', 2],
  ['a -Inf in the middle', (i) => (i === 517 ? -Infinity : 1), 1, 'float32', 2],
  ['a NaN first', (i) => (i === 0 ? NaN : 1), 1, 'float32', 2],
  ['a NaN param', () => 1, NaN, 'float32', 2],
  ['a param that overflows float32', () => 1, 1e300, 'float32', 2],
  ['the same param read as float64', () => 1, 1e300, 'float64', 1],
];

export function checkNonFiniteFlag(backendName: string): string | null {
  const backend = backendByName(backendName) as CompiledBackend;
  const problems: string[] = [];
  for (const dtype of ['float32', 'float64'] as const) {
    const kernel = flagKernel(dtype);
    const key = hash64(kernelKey(kernel, backend.device.renderer.dialect));
    const named = { ...kernel, name: `k_${key}` };
    const [exe] = backend.device.compile([{ key, source: backend.device.renderer.render(named), kernel: named }]);
    for (const [what, value, p, paramDType, expected] of runs) {
      if (paramDType !== dtype) continue;
      const input = backend.alloc('float32', N);
      const output = backend.alloc('float32', 1);
      try {
        backend.write(input, Float32Array.from({ length: N }, (_, i) => value(i)));
        exe.run([input, output], Float64Array.of(p));
        const got = (backend.readSync?.(output) as Float32Array)[0];
        if (got !== expected) problems.push(`${what} (param ${p} as ${dtype}): ran the ${got === 1 ? 'fast' : got === 2 ? 'non-finite' : `unknown (${got})`} body`);
      } finally {
        backend.free(input);
        backend.free(output);
      }
    }
  }
  return problems.length === 0 ? null : problems.join('\n');
}
