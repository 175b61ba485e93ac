// Every layer's forward pass and gradients (of its inputs and parameters) against PyTorch 1.13,
// from fixtures written by fixtures/generate.py. BatchNorm cases run several training steps and
// check the running statistics after each, then the eval-mode output.
import { beforeAll, describe, expect, it } from 'vitest';
import { grad, mul, sum, type Var } from '@metaop/ops';
import * as nn from '@metaop/nn';
import { expectClose, fixture, toVar, useTestBackend, type ArrayJson } from './helpers.js';

interface Step {
  inputs: ArrayJson[];
  R: ArrayJson;
  output: ArrayJson;
  grads: Record<string, ArrayJson>;
  buffers: Record<string, ArrayJson>;
}

interface LayerCase {
  name: string;
  ctor: { cls: string; args: unknown[] };
  stateDict: Record<string, ArrayJson>;
  steps: Step[];
  eval?: { inputs: ArrayJson[]; output: ArrayJson };
}

/** Turns fixture arrays inside constructor options into Vars. */
function convertArgs(args: unknown[]): unknown[] {
  return args.map((a) => {
    if (a === null || typeof a !== 'object' || Array.isArray(a)) return a;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(a)) {
      out[k] = v !== null && typeof v === 'object' && 'data' in v ? toVar(v as ArrayJson) : v;
    }
    return out;
  });
}

type Ctor = new (...args: never[]) => nn.AnyModule;

function build(ctor: LayerCase['ctor']): nn.AnyModule {
  if (ctor.cls === 'Sequential-small') {
    return new nn.Sequential(
      new nn.Conv2d(1, 2, 3),
      new nn.BatchNorm2d(2),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Flatten(),
      new nn.Linear(8, 3),
    ) as unknown as nn.AnyModule;
  }
  const cls = (nn as unknown as Record<string, Ctor>)[ctor.cls];
  if (!cls) throw new Error(`no layer ${ctor.cls}`);
  return new cls(...(convertArgs(ctor.args) as never[]));
}

const cases = fixture<{ cases: LayerCase[] }>('layers.json').cases;

beforeAll(useTestBackend);

describe('layers match PyTorch', () => {
  for (const c of cases) {
    it(c.name, () => {
      const m = build(c.ctor);
      const dict = Object.fromEntries(Object.entries(c.stateDict).map(([k, v]) => [k, toVar(v)]));
      // Loading strictly also checks that the state-dict names match PyTorch's.
      m.loadStateDict(dict, { strict: true });
      const params = m.namedParameters();
      const forward = m.forward as unknown as (...xs: Var[]) => Var;
      c.steps.forEach((step, s) => {
        const inputs = step.inputs.map(toVar);
        const out = forward.call(m, ...inputs);
        expectClose(out, step.output, `${c.name} step ${s} output`);
        const floatInputs = inputs.map((x, i) => [`input${i}`, x] as const).filter(([, x]) => x.dtype === 'float32');
        const wrt = [...floatInputs, ...params];
        const grads = grad(sum(mul(out, toVar(step.R))), wrt.map(([, v]) => v));
        expect(new Set(wrt.map(([k]) => k))).toEqual(new Set(Object.keys(step.grads)));
        wrt.forEach(([k], i) => expectClose(grads[i], step.grads[k], `${c.name} step ${s} grad of ${k}`, 1e-4, 2e-5));
        const buffers = Object.fromEntries(m.namedBuffers());
        for (const [k, want] of Object.entries(step.buffers)) {
          if (!(k in buffers)) expect.fail(`${c.name}: buffer ${k} is missing`);
          expectClose(buffers[k], want, `${c.name} step ${s} buffer ${k}`);
        }
      });
      if (c.eval) {
        m.eval();
        const out = forward.call(m, ...c.eval.inputs.map(toVar));
        expectClose(out, c.eval.output, `${c.name} eval output`);
      }
    });
  }
});
