// Huge results and flags.memoryLimit on the c backend: refused before any kernel is compiled or
// any buffer allocated, with an OutOfMemoryError naming the tensor; within the limit, computed.
import { describe, expect, it } from 'vitest';
import { flagScope, memory, OutOfMemoryError } from '@metaop/core';
import * as M from '@metaop/ops';
import type { CompiledBackend } from '@metaop/compiler';
import '@metaop/backend-c';

describe('memory limit on c', () => {
  it('refuses an overflowing or over-limit result before compiling, computes one that fits', () => {
    M.setBackend('c');
    const backend = M.getBackend() as unknown as CompiledBackend;
    const x = M.tensor([1, 2, 3, 4], [4]).realize();
    const compiled = backend.stats().kernelsCompiled;
    const live = memory().liveBytes;
    const huge = M.add(M.broadcast(M.reshape(x, [4, 1]), [4, 2 ** 49]), 1);
    expect(() => huge.realize()).toThrow(OutOfMemoryError);
    expect(() => huge.realize()).toThrow(/the binary result float32\[4, 562949953421312\] needs about 9\.01e\+15 bytes, more than 2\^53/);
    const big = M.mul(M.broadcast(M.reshape(x, [4, 1]), [4, 1 << 16]), 2);
    expect(() => flagScope({ memoryLimit: live + (1 << 20) - 1 }, () => big.realize())).toThrow(
      /the binary result float32\[4, 65536\] needs 1048576 bytes, but \d+ bytes are live or about to be and the memory limit \(flags\.memoryLimit, METAOP_MEMORY_LIMIT\) is \d+ bytes/,
    );
    expect(backend.stats().kernelsCompiled).toBe(compiled);
    expect(memory().liveBytes).toBe(live);
    const sum = flagScope({ memoryLimit: live + (2 << 20) }, () => big.sum().item());
    expect(sum).toBe(2 * 10 * 65536);
    for (const v of [x, big]) v.dispose();
  });
});
