// GPU mapping as loop-IR data: loop bindings, block-shared buffers, barrier and blockReduce
// statements print and enter the kernel key (kernels mapped differently never share a cache
// entry); the gpu-map pass binds parallel output loops to the grid, splits the reductions of small
// outputs across a block's threads and leaves CPU schedules (no `gpu` option) unchanged. Values
// are tested on the emulated CUDA backend (packages/backend-cuda/test/reductions.test.ts).
import { describe, expect, it } from 'vitest';
import { iv, ibin, ic } from '@metaop/core';
import { gpuMap, kernelKey, launchPhases, printKernel, type Kernel, type Stmt } from '@metaop/compiler';

const x = { dtype: 'float32', numel: 0, role: 'input' } as const;

/** out[i0] = sum over i1 of in[i0 * cols + i1], the parallel pass's result (i0 parallel). */
function rowSum(rows: number, cols: number): Kernel {
  const body: Stmt[] = [
    {
      s: 'loop',
      v: 0,
      extent: rows,
      role: 'spatial',
      schedule: { parallel: true },
      body: [
        { s: 'accInit', acc: { id: 0, fn: 'add', dtype: 'float64', tile: [] } },
        {
          s: 'loop',
          v: 1,
          extent: cols,
          role: 'reduce',
          schedule: {},
          body: [
            {
              s: 'accUpdate',
              acc: 0,
              tile: [],
              value: {
                op: 'cast',
                a: { op: 'load', buf: 0, index: ibin('+', ibin('*', iv(0), ic(cols)), iv(1)), dynamic: [], valid: { kind: 'bool', value: true }, fill: 0, dtype: 'float32' },
                dtype: 'float64',
              },
            },
          ],
        },
        { s: 'store', buf: 1, index: iv(0), value: { op: 'cast', a: { op: 'acc', acc: 0, tile: [], dtype: 'float64' }, dtype: 'float32' } },
      ],
    },
  ];
  return {
    name: 'k',
    buffers: [
      { ...x, numel: rows * cols },
      { dtype: 'float32', numel: rows, role: 'output' },
    ],
    paramCount: 0,
    loopExtents: [rows, cols],
    body,
    notes: [],
  };
}

const gpu = { blockThreads: 128, blockBelow: 8192 };

function loops(stmts: readonly Stmt[]): Extract<Stmt, { s: 'loop' }>[] {
  return stmts.flatMap((s) => (s.s === 'loop' ? [s, ...loops(s.body)] : []));
}

describe('GPU mapping in the loop IR', () => {
  it('prints bindings, shared buffers, block reductions and barriers; the key tells mappings apart', () => {
    const k = gpuMap(rowSum(3, 300), gpu);
    const text = printKernel(k);
    expect(text).toContain('block 128 threads');
    expect(text).toContain('shared s0:float64[4]');
    expect(text).toMatch(/for i0 < 3 \(spatial parallel bind=block\)/);
    expect(text).toMatch(/for i1 < 300 \(reduce bind=thread\)/);
    expect(text).toMatch(/acc0 = block reduce acc0 via s0\n\s+barrier\n\s+b1\[i0\] = /);
    const plain = kernelKey(rowSum(3, 300), 'cuda');
    const mapped = kernelKey(k, 'cuda');
    expect(mapped).not.toBe(plain);
    // Same loops, other threads per block or other binding: other keys.
    expect(kernelKey(gpuMap(rowSum(3, 300), { ...gpu, blockThreads: 256 }), 'cuda')).not.toBe(mapped);
    expect(kernelKey(gpuMap(rowSum(3, 300), { ...gpu, blockBelow: 2 }), 'cuda')).not.toBe(mapped);
    expect(kernelKey(k, 'cuda')).toBe(kernelKey(gpuMap(rowSum(3, 300), gpu), 'cuda'));
  });

  it('binds many outputs to the grid and few outputs with long reductions to blocks', () => {
    const many = gpuMap(rowSum(10000, 300), gpu);
    expect(loops(many.body).map((l) => l.schedule.bind)).toEqual(['grid', undefined]);
    expect(many.shared).toBeUndefined();
    expect(printKernel(many)).not.toContain('block reduce');
    const few = gpuMap(rowSum(5, 1000), gpu);
    expect(loops(few.body).map((l) => l.schedule.bind)).toEqual(['block', 'thread']);
    expect(few.body[0].s === 'loop' && few.body[0].body.map((s) => s.s)).toEqual(['accInit', 'loop', 'blockReduce', 'barrier', 'store']);
    // A reduction shorter than a warp: every thread of the block would idle, so the grid keeps it.
    const short = gpuMap(rowSum(5, 8), gpu);
    expect(loops(short.body).map((l) => l.schedule.bind)).toEqual(['grid', undefined]);
  });

  it('a full reduction runs as one block, an argmax with its positions; compensated sums stay serial', () => {
    const [nest] = rowSum(1, 5000).body as Extract<Stmt, { s: 'loop' }>[];
    const full: Kernel = { ...rowSum(1, 5000), body: nest.body.map((s) => (s.s === 'store' ? { ...s, index: ic(0) } : s)) };
    const mapped = gpuMap(full, gpu);
    expect(mapped.body.map((s) => s.s)).toEqual(['accInit', 'loop', 'blockReduce', 'barrier', 'store']);
    expect(loops(mapped.body)[0].schedule.bind).toBe('thread');
    const withAcc = (acc: object): Kernel => ({ ...full, body: full.body.map((s) => (s.s === 'accInit' ? { ...s, acc: { ...s.acc, ...acc } } : s)) });
    const compensated = gpuMap(withAcc({ compensated: true }), gpu);
    expect(loops(compensated.body)[0].schedule.bind).toBeUndefined();
    expect(printKernel(compensated)).not.toContain('block reduce');
    // An argmax combines values and positions (int32 cells); an int32 argmax needs two int32 buffers.
    const arg = gpuMap(withAcc({ fn: 'argmax' }), gpu);
    expect(printKernel(arg)).toMatch(/shared s0:float64\[4\]\n\s+shared s1:int32\[4\][\s\S]*acc0 = block reduce acc0 via s0, positions s1/);
    const intArg = gpuMap(withAcc({ fn: 'argmax', dtype: 'int32' }), gpu);
    expect(printKernel(intArg)).toMatch(/shared s0:int32\[4\]\n\s+shared s1:int32\[4\][\s\S]*acc0 = block reduce acc0 via s0, positions s1/);
  });

  it('a full reduction of many terms: a block per chunk into scratch cells, then one block adds them (two launches)', () => {
    const [nest] = rowSum(1, 50000).body as Extract<Stmt, { s: 'loop' }>[];
    const full: Kernel = { ...rowSum(1, 50000), body: nest.body.map((s) => (s.s === 'store' ? { ...s, index: ic(0) } : s)) };
    const k = gpuMap(full, { ...gpu, fullChunk: 8192 });
    // 50000 = 6 chunks of 8192 + a tail of 848.
    expect(k.buffers.map((b) => b.role)).toEqual(['input', 'output', 'scratch']);
    expect(k.buffers[2]).toEqual({ dtype: 'float64', numel: 6, role: 'scratch' });
    const text = printKernel(k);
    expect(text).toMatch(/for i\d+ < 6 \(spatial bind=block\)\n\s+acc1:float64 = init add\n\s+for i\d+ < 8192 \(reduce bind=thread\)/);
    expect(text).toMatch(/b2\[i\d+\] = acc1/);
    expect(text).toMatch(/for i\d+ < 1 \(spatial bind=block\)\n\s+acc0:float64 = init add\n\s+for i\d+ < 6 \(reduce bind=thread\)\n\s+acc0 ⊕= b2\[i\d+\]\n\s+for i\d+ < 848 \(reduce bind=thread\)/);
    expect(text).toMatch(/# gpu-map: 50000 terms as 6 blocks of 8192/);
    expect(launchPhases(k.body).length).toBe(2);
    expect(k.loopExtents.length).toBe(full.loopExtents.length + 5);
    // Fewer than two chunks: one block, no scratch.
    const one = gpuMap(full, { ...gpu, fullChunk: 30000 });
    expect(one.buffers.length).toBe(2);
    expect(one.body.map((s) => s.s)).toEqual(['accInit', 'loop', 'blockReduce', 'barrier', 'store']);
  });

  it('a body that reads what an earlier statement of it wrote keeps one thread per iteration (no barrier orders them)', () => {
    const k = rowSum(5, 1000);
    const [nest] = k.body as Extract<Stmt, { s: 'loop' }>[];
    const again: Stmt = { s: 'loop', v: 1, extent: 1000, role: 'spatial', schedule: {}, body: [{ s: 'store', buf: 1, index: iv(0), value: { op: 'load', buf: 1, index: iv(0), dynamic: [], valid: { kind: 'bool', value: true }, fill: 0, dtype: 'float32' } }] };
    const racy: Kernel = { ...k, body: [{ ...nest, body: [...nest.body, again] }] };
    expect(loops(gpuMap(racy, gpu).body).map((l) => l.schedule.bind)).toEqual(['grid', undefined, undefined]);
    expect(loops(gpuMap(k, gpu).body).map((l) => l.schedule.bind)).toEqual(['block', 'thread']);
  });

  it('rejects a block size that is not a whole number of warps', () => {
    expect(() => gpuMap(rowSum(3, 300), { ...gpu, blockThreads: 100 })).toThrow(/multiple of 32/);
  });
});
