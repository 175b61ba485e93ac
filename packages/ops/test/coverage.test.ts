// The battery must exercise every meta-op and every derived op that @metaop/ops exports, with
// several shape variants, including sizes 1, 7 and 1023, empty dims, broadcasting and negative steps.
import { describe, expect, it } from 'vitest';
import * as M from '@metaop/ops';
import { gradInputs, opCases } from '@metaop/ops/testing';

/** Exports that are not ops: runtime control, autograd, oracle internals and helpers. */
const notOps = new Set([
  'Var', 'realize', 'setBackend', 'getBackend', 'withBackend', 'backendNames', 'tidy', 'keep', 'noGrad', 'enableGrad',
  'memory', 'flags', 'metaOps', 'grad', 'gradRules', 'registerGradHook', 'evaluateNode', 'createReferenceBackend', 'hostMemory', 'applyUnary',
  'applyBinary', 'erfScalar', 'roundHalfEven', 'philox4x32', 'philoxUniform', 'philoxNormal', 'manualSeed',
  'nextRandomCounters', 'randomState', 'setRandomState', 'dimsOf', 'pair', 'variance',
]);

const metaOpExports = ['constant', 'index', 'random', 'cast', 'unary', 'binary', 'ternary', 'reindex', 'gatherMeta', 'broadcast',
  'reshape', 'permute', 'slice', 'padMeta', 'reduce', 'reindexReduce', 'scatter', 'argReduce'];

describe('battery coverage', () => {
  const covered = new Set(opCases.flatMap((c) => c.covers));

  it('covers all 18 meta-ops', () => {
    expect(metaOpExports.filter((name) => !covered.has(name))).toEqual([]);
  });

  it('covers every exported derived op', () => {
    const ops = Object.entries(M)
      .filter(([name, value]) => typeof value === 'function' && !notOps.has(name))
      .map(([name]) => name);
    expect(ops.length).toBeGreaterThan(100);
    expect(ops.filter((name) => !covered.has(name))).toEqual([]);
  });

  it('checks the gradient of every op by finite differences, except bool-only ops and detach', () => {
    const withFd = new Set(opCases.filter((c) => !c.large && gradInputs(c).length > 0).flatMap((c) => c.covers));
    // Bool in, bool out: nothing to differentiate. detach's stopped gradient is asserted by hand.
    expect([...covered].filter((name) => !withFd.has(name)).sort()).toEqual(['detach', 'logicalAnd', 'logicalXor']);
  });

  it('names only real exports in covers', () => {
    const exported = new Set(Object.keys(M));
    expect([...covered].filter((name) => !exported.has(name))).toEqual([]);
  });

  it('includes sizes 1, 7 and 1023, empty dims, broadcasting and negative steps', () => {
    const dims = new Set(opCases.flatMap((c) => c.inputs.flatMap((s) => s.shape)));
    for (const d of [0, 1, 7, 1023]) expect(dims.has(d), `a case with a dim of ${d}`).toBe(true);
    expect(opCases.some((c) => c.name.includes('broadcast'))).toBe(true);
    expect(opCases.filter((c) => /negative-step|flip/.test(c.name)).length).toBeGreaterThan(3);
    expect(opCases.filter((c) => c.large).length).toBeGreaterThan(10);
  });
});
