// The emulation header on its own: small C++ programs (test/emu/*.cpp) built against bang_emu.h
// with the system C++ compiler check every intrinsic against a scalar definition (padded counts,
// the reduce_sum block layout, the argmax value + uint32 index layout, task variables of Block and
// Union launches) and that strict mode stops each violation of the hardware's rules.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { emulationDir, findCxx } from '@metaop/backend-bang';

const cxx = findCxx();
const dir = mkdtempSync(join(tmpdir(), 'metaop-bang-emu-'));
const here = new URL('./emu/', import.meta.url).pathname;

function build(name: string, strict: boolean): string {
  const exe = join(dir, `${name}-${strict ? 'strict' : 'relaxed'}`);
  const flags = ['-x', 'c++', '-std=c++17', '-O1', `-I${emulationDir}`, `-DBANG_EMU_STRICT=${strict ? 1 : 0}`, '-w'];
  execFileSync(cxx as string, [...flags, '-o', exe, join(here, `${name}.cpp`), '-lm'], { stdio: 'pipe' });
  return exe;
}

function run(exe: string, arg = ''): { status: number | null; signal: NodeJS.Signals | null; out: string } {
  const r = spawnSync(exe, arg ? [arg] : [], { encoding: 'utf8' });
  return { status: r.status, signal: r.signal, out: `${r.stdout}${r.stderr}` };
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!cxx)('bang_emu.h intrinsics', () => {
  it('match their scalar definitions', () => {
    const r = run(build('intrinsics', true));
    const lines = r.out.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('FAIL'))).toEqual([]);
    const checked = lines.filter((l) => l.startsWith('ok ')).map((l) => l.slice(3));
    for (const name of [
      '__bang_add',
      '__bang_sub',
      '__bang_mul',
      '__bang_add_scalar',
      '__bang_sub_scalar',
      '__bang_mul_scalar',
      '__bang_recip',
      '__bang_active_relu NaN -> 0',
      '__bang_cycle_add',
      '__memcpy strided (src stride 0 repeats)',
      '__bang_sumpool + __bang_reduce_sum (row sum)',
      '__bang_reduce_sum float: block sums at block starts',
      '__bang_reduce_sum float: other lanes undefined (NaN)',
      '__bang_argmax float: value then uint32 index',
      'launch Union1 x8: coreId = taskId % 4, clusterId = taskId / 4, clusterDim 2',
    ]) {
      expect(checked).toContain(name);
    }
    expect(r.status).toBe(0);
  });
});

describe.skipIf(!cxx)('bang_emu.h strict mode', () => {
  const aborts: [string, RegExp][] = [
    ['count', /__bang_add: element count 100 must be a positive multiple of 64/],
    ['offset', /__bang_add: NRAM operand offset 64 is not a multiple of 128 bytes/],
    ['gdram-operand', /__bang_add: operand of 256 bytes .* is outside the 262144-byte NRAM buffer/],
    ['past-nram', /__bang_write_zero: operand of 512 bytes at NRAM offset 261888 is outside/],
    ['memcpy-past-nram', /__memcpy \(destination\): operand of 64 bytes at NRAM offset 262112 is outside/],
    ['cycle', /__bang_cycle_add: source count 128 is not a multiple of the segment count 192/],
    ['reduce-block', /__bang_reduce_sum: 16 elements of 4 bytes are not a positive multiple of 128 bytes/],
  ];
  let strict = '';
  it.each(aborts)('aborts on %s with a clear message', (name, message) => {
    strict ||= build('strict', true);
    const r = run(strict, name);
    expect(r.signal).toBe('SIGABRT');
    expect(r.out).toMatch(message);
  });

  it('fails a launch (non-zero result, message kept) instead of aborting inside one', () => {
    strict ||= build('strict', true);
    expect(run(strict, 'in-launch').out).toMatch(/launch returned 1 after 3 tasks: .*task 2 of 4\): __bang_mul: element count 96/);
    expect(run(strict, 'budget').out).toMatch(/launch returned 1: .*declares 460800 bytes of __nram__ but BANG arch 270 has 512 KB of NRAM/);
    expect(run(strict, 'union-dim').out).toMatch(/launch returned 1: .*Union1 task needs dim.x to be a multiple of 4 \(got 6\)/);
  });

  it('lets the same programs through when strict mode is off', () => {
    const relaxed = build('strict', false);
    for (const name of ['count', 'offset', 'cycle', 'in-launch']) {
      const r = run(relaxed, name);
      expect(r.signal).toBeNull();
      expect(r.out).not.toMatch(/bang emulator \(strict/);
    }
  });
});
