// Graph versions: an in-place update (optimizer step, assign) bumps a Var's version, and a graph
// built on the older version is refused by grad() and realize() instead of mixing old and new values.
import { beforeAll, describe, expect, it } from 'vitest';
import { StaleGraphError } from '@metaop/core';
import { crossEntropy, grad, mul, randn, sum, tensor } from '@metaop/ops';
import * as nn from '@metaop/nn';
import { useTestBackend } from './helpers.js';

beforeAll(useTestBackend);

function setup() {
  const model = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
  const opt = new nn.SGD(model.parameters(), { lr: 0.1 });
  const x = tensor([0.5, -1, 2, 1, 0.25, -0.5], [2, 3]);
  const y = tensor([1, 0], [2], 'int32');
  const lossOf = () => crossEntropy(model.forward(x), y);
  return { model, opt, lossOf };
}

describe('graph versions', () => {
  it('grad() of a loss computed before an optimizer step names the parameter and its version', () => {
    const { opt, lossOf, model } = setup();
    const loss = lossOf();
    const before = loss.item();
    opt.step(loss);
    expect(loss.item()).toBe(before); // its value was realized: reading it stays fine
    const w = model.parameters()[0];
    const v = w.version; // initialisation assigned it once already
    expect(() => grad(loss, [w])).toThrow(StaleGraphError);
    expect(() => grad(loss, [w])).toThrow(
      new RegExp(`parameter \`0\\.weight\` version ${v - 1}, which an optimizer step .* \\(now version ${v}\\); compute y \\(the loss\\) again`),
    );
  });

  it('a second opt.step(loss) on the same loss is refused, a recomputed loss is accepted', () => {
    const { opt, lossOf } = setup();
    const loss = lossOf();
    opt.step(loss);
    expect(() => opt.step(loss)).toThrow(StaleGraphError);
    const again = lossOf();
    expect(() => opt.step(again)).not.toThrow();
    const v = opt.parameters()[3].version; // 2.bias: the first stale read met walking back from the loss
    expect(() => opt.step(again)).toThrow(new RegExp(`\`2\\.bias\` version ${v - 1}, .*now version ${v}\\)`));
  });

  it('a lazy value built before the step is refused at realize rather than computed from the new weights', () => {
    const { opt, lossOf, model } = setup();
    const x = tensor([1, 2, 3], [1, 3]);
    const pred = model.forward(x);
    opt.step(lossOf());
    expect(() => pred.dataSync()).toThrow(StaleGraphError);
    expect(() => pred.dataSync()).toThrow(new RegExp(`realize: Var #${pred.id} float32\\[1, 2\\] was computed from parameter \`0\\.weight\``));
    expect(() => model.forward(x).dataSync()).not.toThrow();
  });

  it('Var.assign on any realized leaf bumps its version; names come from the Module, the most qualified one', () => {
    const inner = new nn.Linear(2, 2);
    inner.parameters(); // names 'weight' and 'bias' first
    const outer = new nn.Sequential(new nn.Identity(), inner);
    outer.parameters();
    expect(inner.weight.name).toBe('1.weight');
    const v = tensor([1, 2]);
    const y = sum(mul(v, v));
    v.assign(tensor([3, 4]));
    expect(v.version).toBe(1);
    expect(() => y.item()).toThrow(/Var #\d+ float32\[2\] version 0/);
    expect(() => grad(y, [v])).toThrow(StaleGraphError);
    expect(sum(mul(v, v)).item()).toBe(25);
  });

  it('a user name given to nn.Parameter is kept and shown', () => {
    const p = nn.Parameter(randn([2]), 'myScale');
    const opt = new nn.SGD([p], { lr: 0.5 });
    const loss = sum(mul(p, p));
    opt.step(loss);
    expect(() => grad(loss, [p])).toThrow(/parameter `myScale` version 0/);
  });
});

describe('nn.Parameter', () => {
  it('makes a computed tensor trainable (the optimizer refused it before)', () => {
    expect(() => new nn.SGD([randn([2]).realize()], { lr: 0.1 })).toThrow(/nn\.Parameter/);
    const p = nn.Parameter(randn([2], { seed: 3 }));
    expect(p.node).toBeNull();
    const start = Array.from(p.dataSync());
    const opt = new nn.SGD([p], { lr: 0.25 });
    opt.step(sum(mul(p, p))); // d/dp sum(p²) = 2p: p ← p - 0.25·2p = p/2
    const got = Array.from(p.dataSync());
    got.forEach((g, i) => expect(g).toBeCloseTo(start[i] / 2, 6));
  });

  it('is accepted by every optimizer, each step moving it against the gradient', () => {
    const makers = [
      (ps: ReturnType<typeof nn.Parameter>[]) => new nn.SGD(ps, { lr: 0.1, momentum: 0.9 }),
      (ps: ReturnType<typeof nn.Parameter>[]) => new nn.Adam(ps, { lr: 0.1 }),
      (ps: ReturnType<typeof nn.Parameter>[]) => new nn.AdamW(ps, { lr: 0.1 }),
    ];
    for (const make of makers) {
      const p = nn.Parameter(tensor([1, -2]));
      const opt = make([p]);
      opt.step(sum(mul(p, p)));
      const [a, b] = Array.from(p.dataSync());
      expect(a, opt.constructor.name).toBeLessThan(1);
      expect(b, opt.constructor.name).toBeGreaterThan(-2);
    }
  });

  it('returns a realized leaf itself and refuses integer values', () => {
    const leaf = tensor([1, 2]);
    expect(nn.Parameter(leaf)).toBe(leaf);
    expect(() => nn.Parameter(tensor([1, 2], [2], 'int32'))).toThrow(/only float Vars/);
  });
});
