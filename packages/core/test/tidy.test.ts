// tidy (sync and async), keep, and noGrad/enableGrad scopes.
import { beforeEach, describe, expect, it } from 'vitest';
import { DisposedError, enableGrad, isGradEnabled, keep, memory, noGrad, tidy, type Var } from '../src/index.js';
import { add, constant, data, mul, neg, useTestBackend, values } from './helpers.js';

beforeEach(() => {
  useTestBackend();
});

describe('tidy', () => {
  it('disposes every Var made inside except those returned', () => {
    const before = memory().liveStorages;
    let a: Var | undefined;
    let b: Var | undefined;
    const out = tidy(() => {
      a = data([1, 2]);
      b = add(a, a);
      b.realize();
      return mul(b, a);
    });
    expect(a?.isDisposed).toBe(true);
    expect(b?.isDisposed).toBe(true);
    expect(out.isDisposed).toBe(false);
    // The returned Var was computed before its inputs were freed.
    expect(values(out)).toEqual([2, 8]);
    expect(memory().liveStorages).toBe(before + 1);
    out.dispose();
  });

  it('keeps Vars returned in arrays, objects and Maps', () => {
    const r = tidy(() => {
      const x = data([1]);
      return { list: [x, add(x, x)], nested: { y: mul(x, x) }, map: new Map([['z', add(x, constant(1, [1]))]]) };
    });
    expect(r.list.map((v) => v.isDisposed)).toEqual([false, false]);
    expect(values(r.list[1])).toEqual([2]);
    expect(values(r.nested.y)).toEqual([1]);
    expect(values(r.map.get('z') as Var)).toEqual([2]);
  });

  it('keep() protects a Var through every enclosing tidy', () => {
    let kept: Var | undefined;
    let dropped: Var | undefined;
    tidy(() => {
      tidy(() => {
        kept = keep(data([3]));
        dropped = data([4]);
      });
      expect(dropped?.isDisposed).toBe(true);
      expect(kept?.isDisposed).toBe(false);
    });
    expect(kept?.isDisposed).toBe(false);
    expect(values(kept as Var)).toEqual([3]);
    kept?.dispose();
  });

  it('a Var returned from an inner tidy belongs to the outer one', () => {
    let inner: Var | undefined;
    tidy(() => {
      inner = tidy(() => add(data([1]), data([2])));
      expect(inner.isDisposed).toBe(false);
    });
    expect(inner?.isDisposed).toBe(true);
  });

  it('disposes what it made when fn throws', () => {
    let made: Var | undefined;
    expect(() =>
      tidy(() => {
        made = data([1]);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(made?.isDisposed).toBe(true);
  });

  it('works across await: Vars made after an await are tracked, the result survives', async () => {
    let early: Var | undefined;
    let late: Var | undefined;
    const before = memory().liveStorages;
    const out = await tidy(async () => {
      early = data([1, 2]);
      await new Promise((resolve) => setTimeout(resolve, 5));
      late = add(early, early);
      await Promise.resolve();
      return mul(late, early);
    });
    expect(early?.isDisposed).toBe(true);
    expect(late?.isDisposed).toBe(true);
    expect(values(out)).toEqual([2, 8]);
    expect(memory().liveStorages).toBe(before + 1);
  });

  it('keeps concurrent async tidies apart', async () => {
    const made: Var[][] = [[], []];
    const run = (k: number, delay: number) =>
      tidy(async () => {
        await new Promise((resolve) => setTimeout(resolve, delay));
        made[k].push(data([k]));
        await new Promise((resolve) => setTimeout(resolve, delay));
        const r = data([10 + k]);
        made[k].push(r);
        return r;
      });
    const [r0, r1] = await Promise.all([run(0, 6), run(1, 2)]);
    expect(values(r0)).toEqual([10]);
    expect(values(r1)).toEqual([11]);
    expect(made.map((vs) => vs.map((v) => v.isDisposed))).toEqual([[true, false], [true, false]]);
  });

  it('interleaved async tidies free exactly their own temporaries; lazy returned values survive', async () => {
    // Gates make the interleaving exact: A starts, B starts, A finishes while B is between awaits.
    const gate = () => {
      let open = () => {};
      const p = new Promise<void>((resolve) => (open = resolve));
      return { p, open };
    };
    const [aMid, bMid, aEnd] = [gate(), gate(), gate()];
    const before = memory().liveStorages;
    const temps: Record<'a' | 'b', Var[]> = { a: [], b: [] };
    const outside = data([100, 100]);
    const A = tidy(async () => {
      const x = data([1, 2]);
      temps.a.push(x);
      await aMid.p;
      const y = add(x, outside).realize();
      temps.a.push(y);
      await aEnd.p;
      return mul(y, x); // lazy: computed from temporaries before they are freed
    });
    const B = tidy(async () => {
      const x = data([3, 4]);
      temps.b.push(x);
      await bMid.p;
      const y = neg(x).realize();
      temps.b.push(y);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const z = add(y, x).realize();
      temps.b.push(z);
      return { result: mul(y, outside), extra: [z] };
    });
    aMid.open();
    bMid.open();
    await new Promise((resolve) => setTimeout(resolve, 1));
    aEnd.open();
    const a = await A;
    // A is done, B is still waiting: only A's temporaries are gone.
    expect(temps.a.map((v) => v.isDisposed)).toEqual([true, true]);
    expect(temps.b.map((v) => v.isDisposed)).toEqual([false, false]);
    // Made outside any tidy while both were running: neither frees it.
    const bystander = data([7]);
    expect(values(a)).toEqual([101, 204]);
    const b = await B;
    expect(temps.b.map((v) => v.isDisposed)).toEqual([true, true, false]);
    expect(values(b.result)).toEqual([-300, -400]);
    expect(values(b.extra[0])).toEqual([0, 0]);
    expect(outside.isDisposed || bystander.isDisposed).toBe(false);
    // Exactly the returned values and the two outside Vars remain.
    expect(memory().liveStorages).toBe(before + 5);
    for (const v of [a, b.result, b.extra[0], outside, bystander]) v.dispose();
    expect(memory().liveStorages).toBe(before);
  });

  it('nested async tidies running side by side: each inner result belongs to its own outer scope', async () => {
    const before = memory().liveStorages;
    const kept: Var[] = [];
    const outer = (k: number, delay: number) =>
      tidy(async () => {
        const base = data([k]);
        const inner = await tidy(async () => {
          await new Promise((resolve) => setTimeout(resolve, delay));
          const t = add(base, base).realize();
          kept.push(keep(data([k * 10])));
          return t;
        });
        await new Promise((resolve) => setTimeout(resolve, 6 - delay));
        expect(inner.isDisposed).toBe(false);
        return mul(inner, base);
      });
    const [r1, r2] = await Promise.all([outer(1, 5), outer(2, 1)]);
    expect(values(r1)).toEqual([2]);
    expect(values(r2)).toEqual([8]);
    expect(kept.map((v) => v.isDisposed)).toEqual([false, false]);
    expect(memory().liveStorages).toBe(before + 4);
    for (const v of [r1, r2, ...kept]) v.dispose();
  });

  it('using a Var a tidy disposed throws a DisposedError', () => {
    const inner: Var[] = [];
    tidy(() => inner.push(data([1])));
    expect(() => inner[0].dataSync()).toThrow(DisposedError);
    expect(() => inner[0].dataSync()).toThrow(/was disposed \(by dispose\(\) or an enclosing tidy\(\)\)/);
  });
});

describe('noGrad', () => {
  it('Vars built inside stop gradients and drop their graph once realized', () => {
    const x = data([1, 2]);
    const y = noGrad(() => add(x, x));
    expect(y.stopGrad).toBe(true);
    expect(y.retainGraph).toBe(false);
    expect(y.node).not.toBeNull();
    y.realize();
    expect(y.node).toBeNull();
    expect(values(y)).toEqual([2, 4]);
    const z = add(x, x);
    expect(z.stopGrad).toBe(false);
    z.realize();
    expect(z.node).not.toBeNull();
  });

  it('enableGrad turns recording back on inside noGrad; the scope ends with fn', () => {
    expect(isGradEnabled()).toBe(true);
    noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      enableGrad(() => expect(isGradEnabled()).toBe(true));
      expect(isGradEnabled()).toBe(false);
    });
    expect(isGradEnabled()).toBe(true);
  });

  it('follows async functions across await', async () => {
    const v = await noGrad(async () => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      return add(data([1]), data([1]));
    });
    expect(v.stopGrad).toBe(true);
    expect(isGradEnabled()).toBe(true);
  });
});
