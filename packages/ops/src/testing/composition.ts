// Random small graphs of element-wise, reindex and reduce ops, for fusion differential tests:
// randomComposition(seed) is a deterministic battery case; wrap a seed in fast-check
// (fc.nat().map(randomComposition)) to get shrinking over seeds.
import { ArgumentError, broadcastShapes, type Var } from '@metaop/core';
import * as M from '../index.js';
import { F, type OpCase } from './case.js';
import { hashString, numelOf, Rng } from './inputs.js';

export interface CompositionOptions {
  /** Only ops that are differentiable everywhere (no abs, relu, max): safe for finite differences. */
  readonly smooth?: boolean;
  /** Number of ops after the inputs are combined (default 3..8, drawn from the seed). */
  readonly ops?: number;
  /** Largest intermediate element count (default 256). */
  readonly maxNumel?: number;
}

const SIZES = [1, 2, 3, 4, 7];

function randomShape(rng: Rng): number[] {
  return Array.from({ length: rng.int(1, 4) }, () => rng.pick(SIZES));
}

/** A shape that broadcasts against `shape`: some dims set to 1, maybe fewer leading dims. */
function compatibleShape(rng: Rng, shape: readonly number[]): number[] {
  const drop = rng.int(0, shape.length);
  return shape.slice(drop).map((d) => (rng.next() < 0.3 ? 1 : d));
}

function broadcastable(a: readonly number[], b: readonly number[]): boolean {
  try {
    broadcastShapes('composition', a, b);
    return true;
  } catch {
    return false;
  }
}

type Step = (rng: Rng, x: Var, pool: readonly Var[], maxNumel: number) => Var | undefined;

const elementwise: Record<string, Step> = {
  tanh: (_r, x) => M.tanh(x),
  sigmoid: (_r, x) => M.sigmoid(x),
  sin: (_r, x) => M.sin(x),
  neg: (_r, x) => M.neg(x),
  square: (_r, x) => M.mul(x, x),
  affine: (r, x) => M.add(M.mul(x, Math.round(r.uniform(-2, 2) * 4) / 4), Math.round(r.uniform(-1, 1) * 4) / 4),
  binary: (r, x, pool, maxNumel) => {
    const others = pool.filter((y) => broadcastable(x.shape, y.shape) && numelOf(broadcastShapes('composition', x.shape, y.shape)) <= maxNumel);
    if (others.length === 0) return undefined;
    const y = r.pick(others);
    return r.pick([M.add, M.sub, M.mul])(x, y);
  },
};

const nonSmooth: Record<string, Step> = {
  abs: (_r, x) => M.abs(x),
  relu: (_r, x) => M.relu(x),
  maximum: (r, x, pool) => {
    const others = pool.filter((y) => broadcastable(x.shape, y.shape) && numelOf(broadcastShapes('composition', x.shape, y.shape)) <= 256);
    return others.length === 0 ? undefined : M.maximum(x, r.pick(others));
  },
  max: (r, x) => (x.numel < 4 ? undefined : M.max(x, r.int(0, x.ndim), r.next() < 0.5)),
};

const reindexOps: Record<string, Step> = {
  permute: (r, x) => (x.ndim < 2 ? undefined : M.permute(x, r.shuffle(x.shape.map((_, i) => i)))),
  flip: (r, x) => (x.ndim === 0 ? undefined : M.flip(x, r.int(0, x.ndim))),
  slice: (r, x) => {
    if (x.ndim === 0) return undefined;
    const d = r.int(0, x.ndim);
    const step = r.pick([1, 2, -1, -2]);
    return M.slice(x, x.shape.map((n, i) => (i === d && n > 1 ? r.int(0, n) : undefined)), [], x.shape.map((_, i) => (i === d ? step : 1)));
  },
  pad: (r, x, _p, maxNumel) => {
    if (x.ndim === 0 || x.numel * 3 > maxNumel) return undefined;
    const d = r.int(0, x.ndim);
    return M.padMeta(x, x.shape.map((_, i) => (i === d ? r.int(0, 3) : 0)), x.shape.map((_, i) => (i === d ? r.int(0, 3) : 0)), r.pick([0, 1]));
  },
  flatten: (_r, x) => (x.ndim < 2 ? undefined : M.flatten(x)),
  unsqueezeExpand: (r, x, _p, maxNumel) => {
    const n = r.pick([2, 3]);
    if (x.numel * n > maxNumel) return undefined;
    const d = r.int(0, x.ndim + 1);
    const y = M.unsqueeze(x, d);
    return M.expand(y, y.shape.map((s, i) => (i === d ? n : s)));
  },
  roll: (r, x) => (x.ndim === 0 ? undefined : M.roll(x, r.int(-5, 6), r.int(0, x.ndim))),
  // Guarded reads inside guarded reads: a pad of a pad with different fills, a shifted reindex
  // with its own overflow value (and sometimes Jittor's integer condition) over whatever came before.
  nestedPad: (r, x, _p, maxNumel) => {
    if (x.ndim === 0 || x.numel * 5 > maxNumel) return undefined;
    const d = r.int(0, x.ndim);
    const amounts = () => x.shape.map((_, i) => (i === d ? r.int(0, 3) : 0));
    const inner = M.padMeta(x, amounts(), amounts(), r.pick([0, 1, -0.5]));
    return M.padMeta(inner, amounts(), amounts(), r.pick([0, 2, -1]));
  },
  shiftWithOverflow: (r, x) => {
    if (x.ndim === 0) return undefined;
    const d = r.int(0, x.ndim);
    const shift = r.pick([-2, -1, 1, 2]);
    const conditions = r.next() < 0.3 ? [`(i${d}+${r.int(0, 2)})%2`] : [];
    return M.reindex(x, x.shape, x.shape.map((_, i) => (i === d ? `i${i}-(${shift})` : `i${i}`)), r.pick([0, 0.5, -1]), conditions);
  },
  // A constant index broadcasts one slice: its gradient is a reindexReduce with a constant index.
  constantIndex: (r, x, _p, maxNumel) => {
    const d = x.shape.findIndex((n) => n > 1);
    if (d < 0) return undefined;
    const n = r.pick([2, 3]);
    if ((x.numel / x.shape[d]) * n > maxNumel) return undefined;
    const k = r.int(0, x.shape[d]);
    return M.reindex(x, x.shape.map((s, i) => (i === d ? n : s)), x.shape.map((_, i) => (i === d ? String(k) : `i${i}`)));
  },
  reverseByReindex: (r, x) => {
    if (x.ndim === 0) return undefined;
    const d = r.int(0, x.ndim);
    return M.reindex(x, x.shape, x.shape.map((n, i) => (i === d ? `${n - 1}-i${i}` : `i${i}`)));
  },
};

/** Reductions skip inputs of fewer than 4 elements, so compositions keep some size. */
const reduceOps: Record<string, Step> = {
  sum: (r, x) => (x.numel < 4 ? undefined : M.sum(x, r.int(0, x.ndim), r.next() < 0.5)),
  mean: (r, x) => (x.numel < 4 ? undefined : M.mean(x, r.int(0, x.ndim), r.next() < 0.5)),
  blockSum: (r, x) => {
    const d = x.shape.findIndex((n) => n % 2 === 0 && n > 0);
    if (d < 0) return undefined;
    return M.reindexReduce(x, 'add', x.shape.map((n, i) => (i === d ? n / 2 : n)), x.shape.map((_, i) => (i === d ? `i${i}/2` : `i${i}`)));
  },
  // Sums into one cell along a dim whose index is a constant (the others keep fn's identity).
  constantScatter: (r, x) => {
    const d = x.shape.findIndex((n) => n > 1);
    if (d < 0) return undefined;
    const n = x.shape[d] + r.int(0, 2);
    const k = r.int(0, n);
    return M.reindexReduce(x, 'add', x.shape.map((s, i) => (i === d ? n : s)), x.shape.map((_, i) => (i === d ? String(k) : `i${i}`)));
  },
  logsumexp: (r, x) => (x.numel < 4 ? undefined : M.logsumexp(x, r.int(0, x.ndim), true)),
};

/** Node's environment, or none in a browser. */
function processEnv(): Readonly<Record<string, string | undefined>> {
  return (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
}

/** Seeds the backends' batteries run by default: bounded so a backend's run stays near a minute. */
export const DEFAULT_COMPOSITION_RUNS = 100;

function envCount(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number, min: number): number {
  const text = env[name];
  const n = text === undefined || text === '' ? fallback : Number(text);
  if (!Number.isSafeInteger(n) || n < min) throw new ArgumentError(`${name} must be an integer >= ${min}, got '${text}'`, 'compositionSeeds');
  return n;
}

/**
 * The composition seeds a battery runs: METAOP_COMPOSITION_RUNS of them (default 100) starting at
 * METAOP_COMPOSITION_SEED (default 1). A long run past the default seeds is
 * `METAOP_COMPOSITION_SEED=101 METAOP_COMPOSITION_RUNS=2000 npx vitest run packages/backend-js/test/battery.test.ts -t compositions`.
 */
export function compositionSeeds(env: Readonly<Record<string, string | undefined>> = processEnv()): number[] {
  const n = envCount(env, 'METAOP_COMPOSITION_RUNS', DEFAULT_COMPOSITION_RUNS, 0);
  const first = envCount(env, 'METAOP_COMPOSITION_SEED', 1, 0);
  return Array.from({ length: n }, (_, i) => first + i);
}

/** A deterministic random graph over 1..3 broadcast-compatible float inputs. */
export function randomComposition(seed: number, options: CompositionOptions = {}): OpCase {
  const setup = new Rng(hashString(`composition:${seed}`));
  const first = randomShape(setup);
  const shapes = [first];
  const count = setup.int(1, 4);
  for (let k = 1; k < count; k++) shapes.push(compatibleShape(setup, first));
  const nOps = options.ops ?? setup.int(3, 9);
  const maxNumel = options.maxNumel ?? 256;
  const smooth = options.smooth ?? false;
  // Reductions shrink graphs fast: draw them less often than the other families.
  const families: Record<string, Step>[] = [elementwise, elementwise, reindexOps, reindexOps, reduceOps];
  if (!smooth) families.push(nonSmooth);
  const name = `composition/${seed}${smooth ? '-smooth' : ''}`;
  return {
    name,
    covers: ['composition'],
    inputs: shapes.map((s) => F(s, { min: -1.5, max: 1.5 })),
    build: (...xs: Var[]) => {
      const rng = new Rng(hashString(name));
      // Combine every input into one Var first, so the output depends on all of them.
      let x = xs[0];
      for (const y of xs.slice(1)) x = rng.pick([M.add, M.mul, M.sub])(x, y);
      const pool: Var[] = [...xs, x];
      for (let step = 0; step < nOps; step++) {
        const family = rng.pick(families);
        const names = Object.keys(family);
        let next: Var | undefined;
        for (let tries = 0; tries < 4 && next === undefined; tries++) next = family[rng.pick(names)](rng, x, pool, maxNumel);
        if (next === undefined) continue;
        x = next;
        pool.push(x);
      }
      return x;
    },
  };
}
