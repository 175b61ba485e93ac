// nvcc compile check: the kernels of a sample of the op battery, rendered for CUDA, compiled by
// nvcc into shared libraries for a real GPU architecture through the shared KernelCache (batched,
// parallel, `-shared -Xcompiler -fPIC`, `.cu`). Nothing runs: it proves the generated code is CUDA
// that nvcc accepts, not only C++ that the emulator accepts. Skipped where nvcc is absent.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backendByName, hostMemory, realize, registerBackend } from '@metaop/core';
import * as M from '@metaop/ops';
import { createCompiledBackend, type CompiledBackend, type CompileJob } from '@metaop/compiler';
import { KernelCache } from '@metaop/native';
import { opCases, runOnBackend } from '@metaop/ops/testing';
import { CudaRenderer, findNvcc, nvccToolchain } from '@metaop/backend-cuda';

const nvcc = findNvcc();
const dir = mkdtempSync(join(tmpdir(), 'metaop-nvcc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

if (!nvcc) console.warn('nvcc compile check skipped: nvcc not found (looked in $CUDA_HOME/bin, /usr/local/cuda/bin and PATH)');

describe.skipIf(!nvcc)('generated CUDA compiles with nvcc', () => {
  it('a sample of the battery\'s kernels compiles for sm_80', () => {
    const real = backendByName('cuda') as CompiledBackend;
    const jobs = new Map<string, CompileJob>();
    const dry: CompiledBackend = createCompiledBackend({
      ...real.device,
      ...hostMemory(() => dry),
      name: 'cuda-nvcc-check',
      label: 'cuda (nvcc compile check)',
      compile(list) {
        for (const j of list) jobs.set(j.key, j);
        return list.map(() => ({ run() {} }));
      },
    });
    registerBackend({ name: 'cuda-nvcc-check', priority: -1, available: () => true, create: () => dry });
    // METAOP_NVCC_EVERY=1 compiles every battery case's kernels (default: every 8th).
    const every = Number(process.env.METAOP_NVCC_EVERY ?? 8);
    for (const c of opCases.filter((_, i) => i % every === 0)) {
      try {
        runOnBackend('cuda-nvcc-check', c, 1);
      } catch {
        // a case whose graph depends on computed values
      }
    }
    // Block reductions of every accumulator type the shuffles carry (float64 sums, float32 max,
    // int32 sums, uint8 max), an argmax's positions, and a full sum over several blocks.
    M.withBackend('cuda-nvcc-check', () => {
      const x = M.randn([3, 300]);
      realize([M.sum(x), M.sum(M.randn([3, 30000])), M.max(x, 1), M.softmax(x, 1), M.argmax(x, 1), M.sum(M.cast(x, 'int32'), 1), M.max(M.cast(x, 'uint8'), 1), M.layerNorm(x, 300)]);
    });
    expect(jobs.size).toBeGreaterThan(20);
    const renderer = new CudaRenderer();
    const cache = new KernelCache(dir, nvccToolchain(nvcc as string, ['sm_80']));
    const preamble = renderer.preambleText();
    const units = [...jobs.values()].map((j) => {
      const symbol = `k_${j.key}`;
      const code = renderer.renderFunction(j.kernel, symbol);
      return { key: cache.keyOf(code, preamble), symbol, code };
    });
    // The sample holds block reductions (warp shuffles, shared memory) as well as grid-stride loops.
    expect(units.filter((u) => u.code.includes('__shfl_down_sync') && u.code.includes('MO_SHARED(')).length).toBeGreaterThan(3);
    expect(units.some((u) => u.code.includes('+= gridDim.x)') && u.code.includes('+= blockDim.x)'))).toBe(true);
    const built = cache.ensure(units, preamble);
    expect(built.length).toBe(units.length);
    expect(cache.stats.compiled).toBe(new Set(units.map((u) => u.key)).size);
  }, 900_000);
});
