// Loops over moving windows of a realized tensor (x.at(step), narrow, slices with a moving start,
// chunks, a matmul reading the window), as a training loop takes batches: each must compile its
// kernels once and then only replay plans, with values equal to the oracle's.
import { flagScope, getBackend, withBackend, type Var } from '@metaop/core';
import { add, chunk, conv2d, matmul, mul, narrow, pad, slice, sum, tensor } from '@metaop/ops';
import type { CompiledBackend } from '../compiled-backend.js';
import { RECOMPILE_LIMIT } from '../recompile-watch.js';

/** A window loop: step i of STEPS reads x (shape [STEPS, ...xShape]) and w. */
export interface WindowLoop {
  readonly name: string;
  readonly xShape?: readonly number[];
  readonly wShape?: readonly number[];
  /** Compare with the oracle every this many steps (the oracle's convolutions are slow). */
  readonly checkEvery?: number;
  build(x: Var, w: Var, i: number): Var;
}

export const STEPS = 20;

export const windowLoops: readonly WindowLoop[] = [
  { name: 'x.at(i).dataSync()', build: (x, _, i) => x.at(i) },
  { name: 'x.at(i) * 2 + 1', build: (x, _, i) => add(mul(x.at(i), 2), 1) },
  { name: 'narrow(x, 0, i, 1) summed', build: (x, _, i) => sum(narrow(x, 0, i, 1), [0]) },
  { name: 'moving slice with step 2 in another dim', build: (x, _, i) => slice(x, [i, 1, 0], [i + 1, 4, 6], [1, 2, 1]) },
  { name: 'x.at(i) @ w (an LSTM input step)', build: (x, w, i) => matmul(x.at(i), w) },
  { name: 'chunk(x, 20)[i] plus x.at(i) again', build: (x, _, i) => add(chunk(x, STEPS, 0)[i], x.at(i)) },
  {
    // Big enough for the C backend to restage the window into a zero-bordered copy.
    name: 'conv2d of narrow(x, 0, i, 1) with padding',
    xShape: [8, 16, 16],
    wShape: [8, 8, 3, 3],
    checkEvery: 6,
    build: (x, w, i) => conv2d(narrow(x, 0, i, 1), w, { padding: 1 }),
  },
];

const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function data(n: number, salt: number): number[] {
  return Array.from({ length: n }, (_, k) => Math.fround(Math.sin(k * 1.7 + salt) * 3));
}

export interface WindowReport {
  /** Kernels compiled by steps 2..STEPS (after the first step compiled its own). */
  readonly kernelsAfterFirst: number;
  /** Plans served from the cache in steps 2..STEPS. */
  readonly planHits: number;
  /** Kernels compiled by the first step. */
  readonly firstStep: number;
  /** Steps whose values differ from the oracle's, in words. */
  readonly mismatches: readonly string[];
}

/** Runs the loop on `backend` (a compiled one) and on the oracle. */
export function runWindowLoop(backend: string, loop: WindowLoop): WindowReport {
  const xShape = [STEPS, ...(loop.xShape ?? [4, 6])];
  const wShape = loop.wShape ?? [6, 5];
  const make = () => [tensor(data(numel(xShape), 1), xShape).realize(), tensor(data(numel(wShape), 2), wShape).realize()];
  const values = (name: string, i: number): number[] =>
    withBackend(name, () => {
      const [x, w] = make();
      return Array.from(loop.build(x, w, i).dataSync());
    });
  return withBackend(backend, () => {
    const be = getBackend() as CompiledBackend;
    const [x, w] = make();
    const mismatches: string[] = [];
    const start = be.stats();
    let afterFirst = start;
    for (let i = 0; i < STEPS; i++) {
      const got = Array.from(loop.build(x, w, i).dataSync());
      if (i === 0) afterFirst = be.stats();
      if (i % (loop.checkEvery ?? 1) !== 0) continue;
      const want = values('reference', i);
      const bad = got.findIndex((g, k) => !(Math.abs(g - want[k]) <= 1e-4 * (1 + Math.abs(want[k]))));
      if (got.length !== want.length || bad >= 0) mismatches.push(`step ${i}: element ${bad}: ${got[bad]} vs ${want[bad]}`);
    }
    const end = be.stats();
    return {
      firstStep: afterFirst.kernelsCompiled - start.kernelsCompiled,
      kernelsAfterFirst: end.kernelsCompiled - afterFirst.kernelsCompiled,
      planHits: end.planHits - afterFirst.planHits,
      mismatches,
    };
  });
}

/**
 * The recompile warnings printed while `run` ran: notices go through console.warn, which is
 * replaced for the duration.
 */
export function recompileWarnings(run: () => void): string[] {
  const seen: string[] = [];
  const saved = console.warn;
  console.warn = (...args: unknown[]) => {
    const text = args.map(String).join(' ');
    if (text.includes('compiled new kernels')) seen.push(text);
    else saved(...args);
  };
  try {
    run();
  } finally {
    console.warn = saved;
  }
  return seen;
}

/** Null when the loop compiles once, replays one plan, matches the oracle and warns nothing; else what went wrong. */
export function checkWindowLoop(backend: string, loop: WindowLoop): string | null {
  let report: WindowReport | undefined;
  const warnings = recompileWarnings(() => flagScope({ notices: true }, () => (report = runWindowLoop(backend, loop))));
  const r = report as WindowReport;
  const problems = [...r.mismatches, ...warnings];
  if (r.kernelsAfterFirst !== 0) problems.push(`${r.kernelsAfterFirst} kernels compiled after the first step`);
  if (r.planHits !== STEPS - 1) problems.push(`${r.planHits} plan hits in ${STEPS - 1} steps`);
  return problems.length === 0 ? null : `${loop.name}: ${problems.join('; ')}`;
}

/** A loop that genuinely compiles new kernels every run, and the words its one warning must hold. */
export interface RecompilingLoop {
  readonly name: string;
  readonly says: readonly string[];
  build(x: Var, i: number): Var;
}

export const recompilingLoops: readonly RecompilingLoop[] = [
  { name: 'a pad width changing every run', says: ["pad attribute 'before'"], build: (x, i) => pad(x.at(0, 0), [i, 1], 'constant', 0) },
  {
    name: 'a moving slice of an unrealized tensor',
    says: ["slice attribute 'starts'", 'Realize the tensor being sliced first'],
    build: (x, i) => mul(x, 2).at(i),
  },
];

/** Null when the loop warns exactly once, with its words and the caller's test-file line, and its values equal the oracle's. */
export function checkRecompileWarning(backend: string, loop: RecompilingLoop): string | null {
  const make = () => tensor(data(STEPS * 24, 1), [STEPS, 4, 6]).realize();
  const problems: string[] = [];
  const warnings = recompileWarnings(() =>
    flagScope({ notices: true }, () =>
      withBackend(backend, () => {
        const x = make();
        for (let i = 0; i < RECOMPILE_LIMIT + 4; i++) {
          const got = Array.from(loop.build(x, i).dataSync());
          const want = withBackend('reference', () => Array.from(loop.build(make(), i).dataSync()));
          if (got.some((g, k) => g !== want[k])) problems.push(`step ${i}: [${got.join(', ')}] vs [${want.join(', ')}]`);
        }
      }),
    ),
  );
  const ok = warnings.length === 1 && loop.says.every((w) => warnings[0].includes(w)) && /\.test\.ts:\d+/.test(warnings[0]);
  if (!ok) problems.push(`expected one warning with ${loop.says.join(', ')} and a test file line, got: ${warnings.join(' | ') || 'none'}`);
  return problems.length === 0 ? null : `${loop.name}: ${problems.join('; ')}`;
}
