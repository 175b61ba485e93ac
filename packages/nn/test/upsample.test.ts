// nn.Upsample, UpsamplingNearest2d and UpsamplingBilinear2d against PyTorch 1.13 (fixtures/upsample.json
// from fixtures/generate_upsample.py, float64): output and the gradient of Σ out·R w.r.t. the input.
import { beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError } from '@metaop/core';
import { grad, mul, randn, sum } from '@metaop/ops';
import * as nn from '@metaop/nn';
import { expectClose, fixture, toVar, useTestBackend, type ArrayJson } from './helpers.js';

interface UpsampleCase {
  name: string;
  ctor: { cls: 'Upsample' | 'UpsamplingNearest2d' | 'UpsamplingBilinear2d'; args: [nn.UpsampleOptions] };
  input: ArrayJson;
  R: ArrayJson;
  output: ArrayJson;
  gradInput: ArrayJson;
}

const cases = fixture<{ cases: UpsampleCase[] }>('upsample.json').cases;

beforeAll(useTestBackend);

describe('Upsample matches PyTorch', () => {
  for (const c of cases) {
    it(c.name, () => {
      const Cls = nn[c.ctor.cls] as new (o: nn.UpsampleOptions) => nn.Upsample;
      const m = new Cls(c.ctor.args[0]);
      const x = toVar(c.input);
      const out = m.forward(x);
      expectClose(out, c.output, `${c.name} output`);
      const [g] = grad(sum(mul(out, toVar(c.R))), [x]);
      expectClose(g, c.gradInput, `${c.name} gradient`);
    });
  }

  it('needs exactly one of size and scaleFactor; unknown options raise', () => {
    expect(() => new nn.Upsample()).toThrow(ArgumentError);
    expect(() => new nn.Upsample({ size: 4, scaleFactor: 2 })).toThrow(/Upsample: either size or scaleFactor should be defined \(exactly one\)/);
    expect(() => new nn.UpsamplingBilinear2d({ mode: 'nearest' } as never)).toThrow(/UpsamplingBilinear2d: unknown option 'mode'/);
    expect(() => new nn.Upsample({ scaleFactor: 2, mode: 'bilinear' }).forward(randn([1, 2, 3]))).toThrow(/interpolate: 'bilinear' needs input \[N, C, H, W\]/);
  });
});
