// cuda_emu.h on its own: a small CUDA program (test/emu/emulator.cu) built with the system C++
// compiler: a shared-memory tree reduction across __syncthreads with atomicAdd from three blocks
// (wrong without a real barrier), warp shuffles against CUDA's definition, and the strict checks
// (a barrier reached by half a block, a shuffle by half a warp or with lanes left out of its mask,
// shared memory out of bounds), which must be errors.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findCxx } from '@metaop/native';
import { emulationDir } from '@metaop/backend-cuda';

const cxx = findCxx();
const dir = mkdtempSync(join(tmpdir(), 'metaop-cuda-emu-'));
const source = new URL('./emu/emulator.cu', import.meta.url).pathname;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!cxx)('cuda_emu.h', () => {
  const exe = join(dir, 'emulator');
  let built = false;
  const run = (arg?: string) => {
    if (!built) execFileSync(cxx as string, ['-x', 'c++', '-std=c++17', '-O1', `-I${emulationDir}`, '-o', exe, source], { stdio: 'pipe' });
    built = true;
    return spawnSync(exe, arg ? [arg] : [], { encoding: 'utf8' }).stdout;
  };

  it('__syncthreads is a barrier over the block; shared memory and atomicAdd work', () => {
    const out = run();
    const m = /rc=(\d+) sum=(\S+) expect=(\S+)/.exec(out);
    expect(m, out).not.toBeNull();
    expect(m?.[1]).toBe('0');
    expect(Number(m?.[2])).toBeCloseTo(Number(m?.[3]), 3);
  });

  it('a barrier reached by only part of a block is an error naming the counts', () => {
    expect(run('divergent')).toMatch(/rc=1 error=cuda_emu: __syncthreads\(\) reached by 16 of the 32 threads of block \(0,0,0\)/);
  });

  it('__shfl_down_sync and __shfl_xor_sync exchange the values of one call among the 32 lanes of each warp', () => {
    const [head, ...rows] = run('shuffle').trim().split('\n');
    expect(head).toBe('rc=0 error=');
    expect(rows.length).toBe(64);
    // CUDA: lane l reads lane l+delta (down) or l^mask (xor) of its own warp; a source past the
    // warp's last lane gives the lane's own value.
    const value = (t: number) => 1000 * t + 7;
    const lane = (t: number) => t % 32;
    const warp = (t: number) => t - lane(t);
    const down = (t: number, d: number) => (lane(t) + d < 32 ? t + d : t);
    const xor = (t: number, m: number) => warp(t) + (lane(t) ^ m);
    rows.forEach((row, t) => {
      const [at, dn, xr, dd] = row.split(' ').map(Number);
      expect(at).toBe(t);
      expect(dn).toBe(value(down(t, 5)));
      expect(xr).toBe(value(xor(t, 6)));
      expect(dd).toBe(0.5 * down(xor(t, 1), 1) + 0.25);
    });
  });

  it('a shuffle reached by only part of a warp, or whose mask leaves lanes out, is an error', () => {
    expect(run('shuffle-divergent')).toMatch(/rc=1 error=cuda_emu: a warp shuffle reached by 16 of the 32 lanes of warp 0 of block \(0,0,0\)/);
    expect(run('shuffle-mask')).toMatch(/rc=1 error=cuda_emu: a warp shuffle with mask 0x0000ffff leaves out lanes of warp 0/);
  });

  it('shared memory read or written out of bounds is an error naming the array and index', () => {
    expect(run('shared-oob')).toMatch(/rc=1 error=cuda_emu: shared memory cells\[4\] is out of bounds \(4 elements\), thread 4 of block 0/);
  });
});
