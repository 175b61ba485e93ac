// Weights packed once per plan (restage's pack kernels, packed-input.ts), checked on a compiled
// backend: results equal a float64 reference and the per-launch path (METAOP_PACK_ONCE=0) bit
// for bit; a plan packs a weight once over repeated calls, and again after every write into it
// (assign, an optimizer step, a backend write, an in-place write noted with noteWrite); two
// models of one structure keep their own copies; plan buffers are counted and freed. Each check
// returns null when the backend behaves, else what went wrong.
import { flagScope, memory, noteWrite, OutOfMemoryError, type HostStorage, type Var } from '@metaop/core';
import * as M from '@metaop/ops';
import type { CompiledBackend } from '../compiled-backend.js';
import { explain } from '../explain.js';
import type { NamedCheck } from './key-checks.js';

/** A layer whose weight the c and bang schedules pack: x, w and the float64 reference of y. */
interface Layer {
  readonly name: string;
  readonly x: readonly number[];
  readonly w: readonly number[];
  apply(x: Var, w: Var): Var;
  /** y and the sum of |terms| of each element (the scale of its rounding error), in float64. */
  reference(x: Float32Array, w: Float32Array): { y: Float64Array; scale: Float64Array };
}

function conv(name: string, [n, c, h]: readonly number[], [co, k]: readonly number[], stride: number, padding: number): Layer {
  const oh = Math.floor((h + 2 * padding - k) / stride) + 1;
  return {
    name,
    x: [n, c, h, h],
    w: [co, c, k, k],
    apply: (x, w) => M.conv2d(x, w, { stride, padding }),
    reference(x, w) {
      const y = new Float64Array(n * co * oh * oh);
      const scale = new Float64Array(y.length);
      for (let b = 0; b < n; b++)
        for (let o = 0; o < co; o++)
          for (let i = 0; i < oh; i++)
            for (let j = 0; j < oh; j++) {
              let s = 0;
              let a = 0;
              for (let ci = 0; ci < c; ci++)
                for (let u = 0; u < k; u++)
                  for (let v = 0; v < k; v++) {
                    const r = i * stride + u - padding;
                    const q = j * stride + v - padding;
                    if (r < 0 || r >= h || q < 0 || q >= h) continue;
                    const t = x[((b * c + ci) * h + r) * h + q] * w[((o * c + ci) * k + u) * k + v];
                    s += t;
                    a += Math.abs(t);
                  }
              const at = ((b * co + o) * oh + i) * oh + j;
              y[at] = s;
              scale[at] = a;
            }
      return { y, scale };
    },
  };
}

/** x @ w^T, the weight of a linear layer stored [out, in]. */
function linear(name: string, rows: number, inputs: number, outputs: number): Layer {
  return {
    name,
    x: [rows, inputs],
    w: [outputs, inputs],
    apply: (x, w) => M.matmul(x, M.transpose(w, 0, 1)),
    reference(x, w) {
      const y = new Float64Array(rows * outputs);
      const scale = new Float64Array(y.length);
      for (let r = 0; r < rows; r++)
        for (let o = 0; o < outputs; o++) {
          let s = 0;
          let a = 0;
          for (let i = 0; i < inputs; i++) {
            const t = x[r * inputs + i] * w[o * inputs + i];
            s += t;
            a += Math.abs(t);
          }
          y[r * outputs + o] = s;
          scale[r * outputs + o] = a;
        }
      return { y, scale };
    },
  };
}

/** Shapes whose weights get packed: a 7x7 map (ResNet layer4), a strided 1x1 (downsample), a batch-2 3x3, a linear. */
export const packedLayers: readonly Layer[] = [
  conv('3x3 conv on a 7x7 map', [1, 32, 7], [32, 3], 1, 1),
  conv('1x1 stride-2 conv', [1, 32, 14], [64, 1], 2, 0),
  conv('3x3 stride-2 conv, batch 2', [2, 16, 14], [32, 3], 2, 1),
  linear('linear x @ W^T, 64 rows', 64, 128, 64),
];

const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Deterministic values in [-1, 1) (an LCG: no library random generator involved). */
function values(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Where y differs from the float64 reference by more than float32 rounding allows, else null. */
function againstReference(layer: Layer, y: Var, x: Float32Array, w: Float32Array): string | null {
  const got = y.dataSync();
  const ref = layer.reference(x, w);
  if (got.length !== ref.y.length) return `${layer.name}: ${got.length} values, the reference has ${ref.y.length}`;
  for (let i = 0; i < got.length; i++) {
    const bound = 1e-5 * ref.scale[i] + 1e-6;
    if (!(Math.abs(got[i] - ref.y[i]) <= bound)) return `${layer.name}: y[${i}] = ${got[i]}, the float64 reference ${ref.y[i]} (bound ${bound})`;
  }
  return null;
}

function compiled(backend: string): CompiledBackend {
  const b = M.setBackend(backend) as CompiledBackend;
  if (typeof b.releasePlans !== 'function') throw new Error(`${backend} is not a compiled backend`);
  return b;
}

/** Pack kernels the plan of `y` has whose source is a realized input (kept with the plan). */
function keptPacks(b: CompiledBackend, y: Var): number {
  return b.kernelsFor([y]).reduce((n, k) => n + k.packs.filter((p) => k.inputs[p.input].isRealized).length, 0);
}

function matchesReference(backend: string, layer: Layer): string | null {
  const b = compiled(backend);
  const xs = values(numel(layer.x), 11);
  const ws = values(numel(layer.w), 12);
  const x = M.tensor(xs, layer.x);
  const w = M.tensor(ws, layer.w);
  try {
    if (keptPacks(b, layer.apply(x, w)) === 0) return `${layer.name}: the plan packs no weight, so the check tests nothing`;
    const once = layer.apply(x, w);
    const wrong = againstReference(layer, once, xs, ws);
    if (wrong) return wrong;
    const perLaunch = flagScope({ packOnce: false }, () => {
      if (keptPacks(b, layer.apply(x, w)) !== 0) return undefined;
      return layer.apply(x, w).dataSync();
    });
    if (perLaunch === undefined) return `${layer.name}: with packOnce off the plan still has pack kernels`;
    const a = once.dataSync();
    for (let i = 0; i < a.length; i++) if (!Object.is(a[i], perLaunch[i])) return `${layer.name}: y[${i}] = ${a[i]} packed once, ${perLaunch[i]} packed per launch`;
    return null;
  } finally {
    x.dispose();
    w.dispose();
  }
}

/** Repeated inference with new inputs: the weight is packed once, every result is right. */
function packsOnce(backend: string): string | null {
  const layer = packedLayers[0];
  const b = compiled(backend);
  const ws = values(numel(layer.w), 21);
  const w = M.tensor(ws, layer.w);
  try {
    const before = b.stats().packs;
    for (let call = 0; call < 4; call++) {
      const xs = values(numel(layer.x), 100 + call);
      const x = M.tensor(xs, layer.x);
      const y = layer.apply(x, w);
      const wrong = againstReference(layer, y, xs, ws);
      x.dispose();
      y.dispose();
      if (wrong) return `call ${call}: ${wrong}`;
    }
    const packs = b.stats().packs - before;
    return packs === 1 ? null : `4 calls with one weight ran ${packs} pack kernels, expected 1`;
  } finally {
    w.dispose();
  }
}

/** Two weights through one plan (two models of one structure): each packed once, neither result stale. */
function twoModels(backend: string): string | null {
  const layer = packedLayers[0];
  const b = compiled(backend);
  const ws = [values(numel(layer.w), 31), values(numel(layer.w), 32)];
  const w = ws.map((v) => M.tensor(v, layer.w));
  const xs = values(numel(layer.x), 33);
  const x = M.tensor(xs, layer.x);
  try {
    const before = b.stats().packs;
    const hits = b.stats().planHits;
    for (let round = 0; round < 3; round++) {
      for (let m = 0; m < 2; m++) {
        const y = layer.apply(x, w[m]);
        const wrong = againstReference(layer, y, xs, ws[m]);
        y.dispose();
        if (wrong) return `round ${round}, model ${m}: ${wrong}`;
      }
    }
    if (b.stats().planHits - hits < 5) return 'the two models did not share a plan; the check tests nothing';
    const packs = b.stats().packs - before;
    return packs === 2 ? null : `3 rounds over two weights ran ${packs} pack kernels, expected 2`;
  } finally {
    for (const v of [x, ...w]) v.dispose();
  }
}

/** Every way of writing new values into a weight makes the next call re-pack it and use them. */
function repacksAfterWrites(backend: string): string | null {
  const layer = packedLayers[0];
  const b = compiled(backend);
  const xs = values(numel(layer.x), 41);
  const x = M.tensor(xs, layer.x);
  let ws = values(numel(layer.w), 42);
  const w = M.tensor(ws, layer.w);
  const writes: [string, (next: Float32Array) => void, number][] = [
    ['nothing written', () => undefined, 0],
    ['assign (a loaded state dict, an optimizer step)', (next) => w.assign(M.tensor(next, layer.w)), 1],
    ["the backend's write into the same storage", (next) => b.write(w.storage as HostStorage, next), 1],
    ['an in-place write noted with noteWrite (a collective)', (next) => {
      const s = w.storage as HostStorage;
      (s.array as Float32Array).set(next);
      noteWrite(s);
    }, 1],
    ['nothing written again', () => undefined, 0],
  ];
  try {
    M.tidy(() => layer.apply(x, w).dataSync());
    for (const [i, [what, write, expected]] of writes.entries()) {
      if (expected > 0) ws = values(numel(layer.w), 50 + i);
      write(ws);
      const before = b.stats().packs;
      const y = layer.apply(x, w);
      const wrong = againstReference(layer, y, xs, ws);
      y.dispose();
      if (wrong) return `after ${what}: ${wrong}`;
      const packs = b.stats().packs - before;
      if (packs !== expected) return `after ${what}: ${packs} pack kernels ran, expected ${expected}`;
    }
    return null;
  } finally {
    x.dispose();
    w.dispose();
  }
}

/** Steps of gradient descent on a conv weight: losses bit for bit those of per-launch packing, one re-pack per site per step. */
function trainingSteps(backend: string): string | null {
  const layer = packedLayers[0];
  const b = compiled(backend);
  const run = (): { losses: number[]; packs: number[]; planBytes: number[] } => {
    const xs = M.tensor(values(numel(layer.x), 61), layer.x);
    const w = M.tensor(values(numel(layer.w), 62), layer.w);
    const out = { losses: [] as number[], packs: [] as number[], planBytes: [] as number[] };
    for (let step = 0; step < 4; step++) {
      const before = b.stats().packs;
      const loss = M.tidy(() => {
        const l = layer.apply(xs, w).square().mean();
        const g = M.grad(l, [w])[0];
        M.realize([l, g]);
        w.assign(M.sub(w, M.mul(g, 0.05)));
        return l;
      });
      out.losses.push(loss.item());
      loss.dispose();
      out.packs.push(b.stats().packs - before);
      out.planBytes.push(memory().planBytes);
    }
    xs.dispose();
    w.dispose();
    return out;
  };
  const once = run();
  const perLaunch = flagScope({ packOnce: false }, run);
  for (let s = 0; s < once.losses.length; s++) {
    if (!Object.is(once.losses[s], perLaunch.losses[s])) return `step ${s}: loss ${once.losses[s]} packed once, ${perLaunch.losses[s]} packed per launch`;
  }
  if (once.losses[3] >= once.losses[0]) return `the loss did not fall (${once.losses.join(', ')}): the steps did not train`;
  if (once.packs[0] < 1 || once.packs.some((p) => p !== once.packs[0])) return `pack kernels per step: ${once.packs.join(', ')}; expected the same number (>= 1) every step`;
  if (once.planBytes.some((p) => p !== once.planBytes[0])) return `plan bytes per step: ${once.planBytes.join(', ')}; last step's copies were not freed`;
  return null;
}

/** Plan buffers: counted in planBytes (not liveBytes) as the packed sizes, freed by releasePlans. */
function planMemory(backend: string): string | null {
  const layer = packedLayers[0];
  const b = compiled(backend);
  b.releasePlans();
  if (memory().planBytes !== 0) return `releasePlans left ${memory().planBytes} plan bytes`;
  const x = M.tensor(values(numel(layer.x), 71), layer.x);
  const w = M.tensor(values(numel(layer.w), 72), layer.w);
  try {
    const packed = b
      .kernelsFor([layer.apply(x, w)])
      .flatMap((k) => k.packs.map((p) => k.kernel.buffers[p.buffer]))
      .reduce((n, buf) => n + buf.numel * (buf.dtype === 'float64' ? 8 : 4), 0);
    const live = memory().liveBytes;
    const y = layer.apply(x, w).realize();
    y.dispose();
    if (memory().liveBytes !== live) return `liveBytes ${memory().liveBytes} after the call, ${live} before`;
    if (packed === 0 || memory().planBytes !== packed) return `planBytes ${memory().planBytes}, the packed buffers hold ${packed}`;
    // The memory limit counts plan bytes: 200 more bytes fit under live + plan + 300, not under live + plan + 100.
    const held = memory().liveBytes + memory().planBytes;
    const fits = (slack: number) => {
      try {
        flagScope({ memoryLimit: held + slack }, () => M.tensor(new Float32Array(50), [50])).dispose();
        return true;
      } catch (e) {
        if (!(e instanceof OutOfMemoryError)) throw e;
        return false;
      }
    };
    if (!fits(300) || fits(100)) return `a 200-byte tensor under limits of live + plan bytes + 300 / + 100: ${fits(300)} / ${fits(100)}; expected true / false`;
    b.releasePlans();
    return memory().planBytes === 0 ? null : `releasePlans left ${memory().planBytes} plan bytes`;
  } finally {
    x.dispose();
    w.dispose();
  }
}

/** explain() shows the pack kernels beside the kernel they feed. */
function explained(backend: string): string | null {
  const layer = packedLayers[0];
  compiled(backend);
  const x = M.tensor(values(numel(layer.x), 81), layer.x);
  const w = M.tensor(values(numel(layer.w), 82), layer.w);
  try {
    const e = explain(layer.apply(x, w), { backend });
    const packs = e.kernels.flatMap((k) => k.packs);
    if (packs.length !== 1) return `explain shows ${packs.length} pack kernels, expected 1`;
    if (packs[0].input !== w) return 'the pack kernel does not read the weight';
    if (!e.text.includes(`pack kernel ${packs[0].name}`) || !e.text.includes(packs[0].loopIR)) return `explain's text does not show the pack kernel:\n${e.text}`;
    return null;
  } finally {
    x.dispose();
    w.dispose();
  }
}

export function packOnceChecks(backend: string): NamedCheck[] {
  return [
    ...packedLayers.map((layer) => ({ name: `${layer.name}: equals float64 and the per-launch path bit for bit`, run: () => matchesReference(backend, layer) })),
    { name: 'repeated inference packs the weight once', run: () => packsOnce(backend) },
    { name: 'two models sharing a plan keep their own copies', run: () => twoModels(backend) },
    { name: 'every write into the weight re-packs it', run: () => repacksAfterWrites(backend) },
    { name: 'training re-packs once per step, losses equal the per-launch path', run: () => trainingSteps(backend) },
    { name: 'plan buffers are counted in planBytes and by the memory limit, and freed', run: () => planMemory(backend) },
    { name: 'the pack kernel is planned and says what it packs', run: () => explained(backend) },
  ];
}
