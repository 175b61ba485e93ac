// cuda_emu.h on its own: a small CUDA program (test/emu/emulator.cu) built with the system C++
// compiler: a shared-memory tree reduction across __syncthreads with atomicAdd from three blocks
// (wrong without a real barrier), and a barrier reached by half a block, which must be an error.
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
});
