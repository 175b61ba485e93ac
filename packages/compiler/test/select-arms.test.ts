// A select's arms read their buffers before the select, in plain loads: C's `c ? b[i] : 0` is a
// conditional load, which GCC vectorises as a masked load, and GCC 12 drops the lane permutation
// of grouped masked loads (PR 114375; composition seed 185 read a reversed operand forwards).
import { describe, expect, it } from 'vitest';
import { collectGraph, type DType, type Var } from '@metaop/core';
import * as M from '@metaop/ops';
import { CRenderer, planKernels } from '@metaop/compiler';

const device = {
  schedule: { threads: 2, vectorLanes: 8, unroll: 4, accumulate: { scalar: 'wide' as const, tile: { block: 64 } } },
  renderer: new CRenderer(),
};

/** The text of each arm of every `?:` in `source` (the spans after `?` and after its `:`). */
function selectArms(source: string): string[] {
  const arms: string[] = [];
  for (let q = source.indexOf('?'); q >= 0; q = source.indexOf('?', q + 1)) {
    let depth = 0;
    let start = q + 1;
    for (let j = q + 1; j < source.length; j++) {
      const ch = source[j];
      if (ch === '(' || ch === '[') depth++;
      else if ((ch === ')' || ch === ']' || ch === ';' || ch === ',') && depth === 0) {
        arms.push(source.slice(start, j));
        break;
      } else if (ch === ')' || ch === ']') depth--;
      else if (ch === ':' && depth === 0 && start === q + 1) {
        arms.push(source.slice(start, j));
        start = j + 1;
      }
    }
  }
  return arms;
}

/** The input gradient of sum(relu(flip(-(-x))) * r): composition seed 185's graph. */
function reversedReluGradient(dtype: DType): Var {
  const data = Array.from({ length: 64 }, (_, i) => Math.sin(i));
  const x = M.tensor(data, [4, 4, 4], dtype);
  const r = M.tensor(data.map(Math.cos), [4, 4, 4], dtype);
  const y = M.relu(M.flip(M.neg(M.neg(x)), 2));
  return M.grad(M.sum(M.mul(y, r)), [x])[0];
}

describe('select arms in C', () => {
  it.each(['float32', 'float64'] as const)('read no buffer inside the select (reversed relu gradient, %s)', (dtype) => {
    const sources = planKernels(collectGraph([reversedReluGradient(dtype)]), device).map((k) => k.source);
    for (const s of sources) for (const arm of selectArms(s)) expect(arm).not.toMatch(/\bb\d+\[/);
    // The gather-form gradient: its reversed read is bound before the select.
    expect(sources.filter((s) => /\? \(1\.0f? \* v\d+\) :/.test(s))).toHaveLength(1);
  });

  it('keep a guarded read guarded', () => {
    const x = M.tensor(Array.from({ length: 12 }, (_, i) => i - 6), [3, 4]);
    const [k] = planKernels(collectGraph([M.relu(M.padMeta(x, [0, 1], [0, 1], 0))]), device);
    expect(k.source).toMatch(/\? b\d+\[[^\]]*\] : 0\.0f\)/);
  });
});
