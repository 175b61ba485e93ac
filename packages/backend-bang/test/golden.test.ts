// The shape of the generated BANG C: element-wise kernels on the vector path (NRAM staging with
// __memcpy, __bang_* intrinsics, padded counts), reductions with the reduce intrinsics, broadcast
// rows with cycle ops, NaN-sensitive and gather kernels on the scalar path, scatters in two
// launches, one launcher symbol for cncc and the emulator; and that each of them computes the
// oracle's values when run.
import { describe, expect, it } from 'vitest';
import * as M from '@metaop/ops';
import { explain } from '@metaop/compiler';
import { backendByName, registerBackend, type Var } from '@metaop/core';
import { BangRenderer, bangTarget, createBangBackend, type BangBackend } from '@metaop/backend-bang';

function sources(v: Var): string[] {
  return explain(v, { backend: 'bang' }).kernels.map((k) => k.source);
}

/** The kernel functions only (the shared preamble holds helper loops of its own). */
function body(source: string): string {
  return source.slice(source.indexOf('__mlu_global__ void'));
}

function expectOracle(build: () => Var): void {
  const got = M.withBackend('bang', () => build().dataSync());
  const want = M.withBackend('reference', () => build().dataSync());
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (Number.isNaN(want[i])) expect(got[i]).toBeNaN();
    else expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[i])));
  }
}

const data = (n: number, salt: number) => Array.from({ length: n }, (_, i) => (((i * 37 + salt * 11) % 23) - 11) / 4);

describe('bang golden structure', () => {
  it('labels the backend as emulated', () => {
    const b = backendByName('bang') as BangBackend;
    expect(b.label).toBe('bang (emulated)');
    expect(b.toolchain.emulated).toBe(true);
    expect(explain(M.tensor([1, 2]).add(1), { backend: 'bang' }).text).toMatch(/^backend bang \(emulated\): 1 kernel/);
  });

  it('runs an element-wise kernel as NRAM tiles of __bang_* intrinsics, not a scalar loop', () => {
    const build = () => M.tensor(data(1000, 1)).mul(M.tensor(data(1000, 2))).add(1).exp().sub(M.tensor(data(1000, 3)).div(M.tensor(data(1000, 4)).add(7)));
    const [src] = sources(build());
    const k = body(src);
    expect(k).toContain('__memcpy(nv0, b0 + 0 + o');
    expect(k).toMatch(/GDRAM2NRAM/);
    expect(k).toMatch(/__memcpy\(b4 \+ 0 \+ o\d+, nv\d+, n\d+ \* 4, NRAM2GDRAM\)/);
    for (const op of ['__bang_mul(', '__bang_add_scalar(', '__bang_active_exp(', '__bang_recip(', '__bang_sub(']) expect(k).toContain(op);
    expect(k).toMatch(/np\d+ = \(n\d+ \+ 63\) \/ 64 \* 64/);
    expect(k).toMatch(/lo\d+ = \(int64_t\)taskId \* c\d+/);
    expect(k).not.toMatch(/for \(int64_t i\d+/);
    expectOracle(build);
  });

  it('fills a constant with __bang_write_value', () => {
    const build = () => M.full([3, 100], 3.25);
    expect(body(sources(build())[0])).toMatch(/__bang_write_value\(nv0, np\d+, s0\);/);
    expectOracle(build);
  });

  it('reduces contiguous rows into NRAM lane sums folded by halving with __bang_add', () => {
    const build = () => M.tensor(data(8 * 300, 5), [8, 300]).mul(2).sum(-1);
    const [src] = sources(build());
    const k = body(src);
    expect(k).toContain('__bang_add(nacc, nacc, nv');
    expect(k).toMatch(/for \(int j = 0; j < 320; j\+\+\) \{/); // 5 x 64 lanes: no halving, compensated additions
    const long = body(sources(M.tensor(data(4 * 8192, 8), [4, 8192]).sum(-1))[0]);
    for (const half of [1024, 512, 256, 128, 64]) expect(long).toContain(`__bang_add(nacc, nacc, nacc + ${half}, ${half});`);
    expect(long).toMatch(/for \(int j = 0; j < 64; j\+\+\) \{/);
    expect(k).toContain('acc0c = ');
    expect(k).toMatch(/for \(int64_t i\d+ = lo\d+; i\d+ < hi\d+; i\d+\+\+\)/); // rows split across tasks
    expectOracle(build);
  });

  it('adds a broadcast row with __bang_cycle_add over whole rows', () => {
    const build = () => M.tensor(data(50 * 10, 6), [50, 10]).add(M.tensor(data(10, 7)));
    const k = body(sources(build())[0]);
    expect(k).toMatch(/__memcpy\(ns0, b1 \+ 0, 40, GDRAM2NRAM, 40, 0, 31\)/); // one row, repeated to 320
    expect(k).toContain('__bang_cycle_add(');
    expectOracle(build);
  });

  it('keeps NaN-propagating maximum on the scalar path', () => {
    const build = () => M.maximum(M.tensor([1, NaN, 3, -1, 0, NaN]), M.tensor([2, 0, NaN, -2, 0, NaN]));
    const k = body(sources(build())[0]);
    expect(k).not.toContain('__bang_maxequal');
    expect(k).toMatch(/for \(int64_t i\d+ = lo\d+;/);
    expectOracle(build);
  });

  it('gathers with scalar GDRAM loads', () => {
    const build = () => M.gather(M.tensor(data(40, 8), [10, 4]), 0, M.tensor([3, 1, 9, 0, 2, 2], [6, 1], 'int32').broadcastTo([6, 4]));
    const k = body(sources(build())[0]);
    expect(k).not.toContain('GDRAM2NRAM');
    expect(k).toMatch(/b0\[/);
    expectOracle(build);
  });

  it('runs a scatter in a second launch after its output is initialised', () => {
    const build = () => M.reindexReduce(M.tensor(data(24, 9), [4, 6]), 'add', [2, 3], ['i0/2', 'i1/2']);
    const [src] = sources(build());
    expect(src).toMatch(/_p0<<<dim, cnrtFuncTypeUnion1, queue>>>/);
    expect(src).toMatch(/_p1<<<dim, cnrtFuncTypeUnion1, queue>>>/);
    expect(src.match(/bang_emu_launch\(/g)).toHaveLength(2);
    expectOracle(build);
  });

  it('restages a padded convolution input into scratch in a first launch', () => {
    const build = () => M.conv2d(M.tensor(data(2 * 8 * 16 * 16, 10), [2, 8, 16, 16]), M.tensor(data(16 * 8 * 9, 11), [16, 8, 3, 3]), { padding: 1 });
    const [k] = explain(build(), { backend: 'bang' }).kernels;
    expect(k.notes.join(' ')).toMatch(/restaged/);
    expect(k.source).toMatch(/_p1<<<dim, cnrtFuncTypeUnion1, queue>>>/); // the copy must finish before any task reads it
    expectOracle(build);
  });

  it('has one extern "C" launcher for both cncc and the emulator', () => {
    const [src] = sources(M.tensor([1, 2, 3]).neg());
    const launcher = src.slice(src.indexOf('extern "C"'));
    expect(launcher).toMatch(/^extern "C" int k_[0-9a-f]+\(void\*\* bufs, const double\* params\) \{/);
    expect(launcher).toMatch(/#ifdef __BANG__[\s\S]*<<<dim, cnrtFuncTypeUnion1, queue>>>[\s\S]*cnrtQueueSync[\s\S]*#else[\s\S]*bang_emu_launch[\s\S]*#endif/);
    expect(src).toContain('__mlu_global__ void k_');
    expect(src).toContain('if (__is_mpu()) return;');
    expect(src).toMatch(/#ifdef __BANG__\n#include <bang.h>/);
  });

  it('sizes the NRAM buffer from the target', () => {
    const kernel = (backendByName('bang') as BangBackend).kernelsFor([M.tensor([1, 2, 3]).exp()])[0].kernel;
    const mlu270 = new BangRenderer(bangTarget('mlu270')).render(kernel);
    const mlu370 = new BangRenderer(bangTarget('mlu370')).render(kernel);
    expect(mlu270).toContain('__nram__ char metaop_nram[393216];');
    expect(mlu370).toContain('__nram__ char metaop_nram[655360];');
    expect(mlu370).toContain('__BANG_ARCH__ 372');
    expect(() => bangTarget('mlu100')).toThrow(/unknown MLU target 'mlu100'; use one of mlu270, mlu370/);
  });

  it('runs mlu370 kernels with their larger NRAM tiles under the strict budget', () => {
    registerBackend({ name: 'bang-mlu370', priority: -1, available: () => true, create: () => createBangBackend({ target: 'mlu370' }) });
    const build = () => M.tensor(data(300000, 12)).mul(3).add(M.tensor(data(300000, 13))).relu();
    const b = backendByName('bang-mlu370') as BangBackend;
    expect(b.target.name).toBe('mlu370');
    const tile = (src: string) => Number(/vector path: NRAM tiles of (\d+) floats/.exec(src)?.[1]);
    const on370 = tile(b.kernelsFor([build()])[0].source);
    const on270 = tile(sources(build())[0]);
    expect(on370).toBeGreaterThan(on270 * 1.5); // 640 KB of usable NRAM against 384 KB
    const got = M.withBackend('bang-mlu370', () => build().dataSync());
    const want = M.withBackend('reference', () => build().dataSync());
    for (let i = 0; i < want.length; i += 997) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[i])));
  });
});
