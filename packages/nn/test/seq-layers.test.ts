// The sequence layers (RNN, LSTM, GRU, MultiheadAttention, Transformer encoder/decoder layers and
// the encoder stack) against PyTorch 1.13 in float64, from fixtures/seq.json written by
// fixtures/generate_seq.py: each module loads PyTorch's state dict strictly (so every key name
// matches), then its outputs and the gradients of Σ out_i·R_i w.r.t. the inputs, initial states and
// every parameter are compared.
import { beforeAll, describe, expect, it } from 'vitest';
import { add, grad, mul, sum, type Var } from '@metaop/ops';
import * as nn from '@metaop/nn';
import { expectClose, fixture, toVar, useTestBackend, type ArrayJson } from './helpers.js';

interface Ctor {
  cls: string;
  args: unknown[];
}

interface SeqCase {
  name: string;
  ctor: Ctor;
  stateDict: Record<string, ArrayJson>;
  args: (ArrayJson | ArrayJson[] | null)[];
  kwargs: Record<string, ArrayJson | number | boolean>;
  outputs: ArrayJson[];
  R: ArrayJson[];
  grads: Record<string, ArrayJson>;
}

const isArray = (v: unknown): v is ArrayJson => v !== null && typeof v === 'object' && 'data' in v;

function build(ctor: Ctor): nn.AnyModule {
  if (ctor.cls === 'TransformerEncoder' || ctor.cls === 'TransformerDecoder') {
    const [layer, numLayers, opts] = ctor.args as [Ctor, number, { norm?: number }];
    const norm = opts.norm === undefined ? undefined : new nn.LayerNorm(opts.norm);
    const Stack = nn[ctor.cls] as unknown as new (layer: nn.AnyModule, n: number, o: object) => nn.AnyModule;
    return new Stack(build(layer), numLayers, { norm });
  }
  const cls = (nn as unknown as Record<string, new (...args: never[]) => nn.AnyModule>)[ctor.cls];
  if (!cls) throw new Error(`no layer ${ctor.cls}`);
  return new cls(...(ctor.args as never[]));
}

function flat(out: unknown): (Var | null)[] {
  return Array.isArray(out) ? out.flatMap(flat) : [out as Var | null];
}

const data = fixture<{ rnn: SeqCase[]; attention: SeqCase[]; transformer: SeqCase[] }>('seq.json');

beforeAll(useTestBackend);

function check(c: SeqCase): void {
  const m = build(c.ctor);
  m.loadStateDict(Object.fromEntries(Object.entries(c.stateDict).map(([k, v]) => [k, toVar(v)])), { strict: true });
  const wrt: [string, Var][] = [];
  const args = c.args.map((a, i) => {
    if (a === null) return undefined;
    if (Array.isArray(a)) {
      return a.map((t, j) => {
        const v = toVar(t);
        wrt.push([`arg${i}.${j}`, v]);
        return v;
      });
    }
    const v = toVar(a);
    if (v.dtype === 'float32') wrt.push([`arg${i}`, v]);
    return v;
  });
  const kwargs = Object.fromEntries(Object.entries(c.kwargs).map(([k, v]) => [k, isArray(v) ? toVar(v) : v]));
  const positional = Object.keys(kwargs).length > 0 ? [...args, kwargs] : args;
  const forward = m.forward as unknown as (...xs: unknown[]) => unknown;
  const outs = flat(forward.call(m, ...positional)).filter((o): o is Var => o !== null);
  expect(outs.length, `${c.name}: number of outputs`).toBe(c.outputs.length);
  outs.forEach((o, i) => expectClose(o, c.outputs[i], `${c.name} output ${i}`));
  const loss = outs.map((o, i) => sum(mul(o, toVar(c.R[i])))).reduce((a, b) => add(a, b));
  wrt.push(...m.namedParameters());
  expect(new Set(wrt.map(([k]) => k))).toEqual(new Set(Object.keys(c.grads)));
  const grads = grad(loss, wrt.map(([, v]) => v));
  wrt.forEach(([k], i) => expectClose(grads[i], c.grads[k], `${c.name} grad of ${k}`, 1e-4, 2e-5));
}

describe('recurrent layers match PyTorch (float64)', () => {
  for (const c of data.rnn) it(c.name, () => check(c));
});

describe('MultiheadAttention matches PyTorch (float64)', () => {
  for (const c of data.attention) it(c.name, () => check(c));
});

describe('Transformer layers load PyTorch state dicts strictly and match (float64)', () => {
  for (const c of data.transformer) it(c.name, () => check(c));
});
