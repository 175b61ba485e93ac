// nn.BCELoss against PyTorch 1.13 (fixtures/bce.json from fixtures/generate_bce.py, float64): the
// loss for each reduction and weight, and the gradient of Σ loss·R w.r.t. the probabilities.
import { beforeAll, describe, expect, it } from 'vitest';
import { grad, mul, sum } from '@metaop/ops';
import * as nn from '@metaop/nn';
import { expectClose, fixture, numbers, toVar, useTestBackend, type ArrayJson } from './helpers.js';

interface BceCase {
  name: string;
  ctor: { cls: string; args: Record<string, unknown>[] };
  input: ArrayJson;
  target: ArrayJson;
  R: ArrayJson;
  output: ArrayJson;
  gradInput: ArrayJson;
}

const cases = fixture<{ cases: BceCase[] }>('bce.json').cases;

beforeAll(useTestBackend);

describe('BCELoss matches PyTorch', () => {
  for (const c of cases) {
    it(c.name, () => {
      const args = c.ctor.args.map((a) => Object.fromEntries(Object.entries(a).map(([k, v]) => [k, typeof v === 'object' && v !== null ? toVar(v as ArrayJson) : v])));
      const loss = new nn.BCELoss(args[0] as nn.BCELossOptions | undefined);
      const x = toVar(c.input);
      const out = loss.forward(x, toVar(c.target));
      expectClose(out, c.output, `${c.name} output`);
      const [g] = grad(sum(mul(out, toVar(c.R))), [x]);
      const want = numbers(c.gradInput);
      // PyTorch's backward divides by max(p(1-p), 1e-12), so at p = 0 or 1 its gradient is ±1e12;
      // ops.binaryCrossEntropy's is NaN there (through the clamped log of 0; left to @metaop/ops).
      // Compare only where p is inside (0, 1).
      const inside = numbers(c.input).map((p) => p > 0 && p < 1);
      const got = Array.from(g.dataSync());
      expectClose(got.filter((_, i) => inside[i]), want.filter((_, i) => inside[i]), `${c.name} gradient`);
      expect(inside.some(Boolean)).toBe(true);
    });
  }

  it('the weight is a buffer, as in PyTorch', () => {
    const w = toVar(cases[1].input);
    expect(Object.keys(new nn.BCELoss({ weight: w }).stateDict())).toEqual(['weight']);
  });
});
