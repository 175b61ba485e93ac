// Fuzzing op construction: random shapes, dims, dtypes and options (valid, edge and garbage values)
// through the public ops. Each call either returns a Var whose shape is the one an independent
// rule (PyTorch's, or MetaOp's documented one) gives, or throws a typed MetaOpError, never a
// TypeError or RangeError. Nothing is computed: construction only. METAOP_FUZZ_RUNS=N for more.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MetaOpError, OutOfMemoryError, ShapeError, type DType, type Var } from '@metaop/core';
import * as M from '@metaop/ops';
import { fuzzRuns } from '@metaop/ops/testing';

type Shape = number[];
/** A reference shape, or null where the call must throw a MetaOpError. */
type Expected = Shape | null;

interface OpFuzz {
  readonly name: string;
  readonly args: fc.Arbitrary<unknown[]>;
  /** Builds the Vars from the drawn arguments and calls the op. */
  call(args: unknown[]): Var | Var[];
  /** The reference rule for the same arguments. */
  expected(args: unknown[]): Expected | Expected[];
}

// ---- value generators: mostly sensible, sometimes edge, sometimes garbage ----------------------------
const garbage = fc.constantFrom(NaN, Infinity, -Infinity, 1.5, -0.5, 2 ** 53, -(2 ** 31), 1e300);
const size = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 4 }) }, { weight: 1, arbitrary: fc.constant(1) });
const shapeArb = (min = 0, max = 4) => fc.array(size, { minLength: min, maxLength: max });
const dimArb = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: -5, max: 5 }) }, { weight: 1, arbitrary: garbage });
const smallInt = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: -3, max: 6 }) }, { weight: 1, arbitrary: garbage });
const dtypeArb = fc.constantFrom<DType>('float32', 'float64', 'int32', 'uint8', 'bool');

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
/** torch's dim wrapping: [-n, n) (a 0-d tensor accepts -1 and 0), else null. */
function wrap(d: unknown, n: number): number | null {
  const m = Math.max(n, 1);
  if (!isInt(d) || d < -m || d >= m) return null;
  return d < 0 ? d + m : d;
}
function broadcastRef(...shapes: Shape[]): Expected {
  const n = Math.max(0, ...shapes.map((s) => s.length));
  const out: Shape = [];
  for (let k = 0; k < n; k++) {
    let d = 1;
    for (const s of shapes) {
      const v = s[s.length - n + k] ?? 1;
      if (v !== 1 && d !== 1 && v !== d) return null;
      if (v !== 1) d = v;
    }
    out.push(d);
  }
  return out;
}
const v = (shape: Shape, dtype: DType = 'float32'): Var => M.zeros(shape, dtype);

/** Half the time arguments built to fit each other (so the valid paths are exercised), half free. */
const related = <T extends unknown[]>(fit: fc.Arbitrary<T>, free: fc.Arbitrary<T>): fc.Arbitrary<unknown[]> => fc.oneof(fit, free);
/** A list as long as `shape`'s rank, sometimes one off. */
const perDim = (shape: Shape, item: fc.Arbitrary<unknown>) =>
  fc.constantFrom(0, 0, 0, -1, 1).chain((off) => {
    const n = Math.max(0, shape.length + off);
    return fc.array(item, { minLength: n, maxLength: n });
  });

const ops: OpFuzz[] = [
  {
    name: 'reshape',
    args: fc.tuple(shapeArb(), fc.array(fc.oneof(size, fc.constant(-1), garbage), { maxLength: 4 })),
    call: ([s, t]) => M.reshape(v(s as Shape), t as Shape),
    expected: ([s, t]) => {
      const to = t as number[];
      const total = prod(s as Shape);
      if (to.filter((d) => d === -1).length > 1 || to.some((d) => d !== -1 && (!isInt(d) || d < 0))) return null;
      const known = prod(to.filter((d) => d !== -1));
      if (to.includes(-1)) return known === 0 || total % known !== 0 ? null : to.map((d) => (d === -1 ? total / known : d));
      return known === total ? to : null;
    },
  },
  {
    name: 'permute',
    args: related(
      shapeArb().chain((s) => fc.tuple(fc.constant(s), perDim(s, fc.integer({ min: -s.length, max: Math.max(0, s.length - 1) })))),
      fc.tuple(shapeArb(), fc.array(dimArb, { maxLength: 4 })),
    ),
    call: ([s, p]) => M.permute(v(s as Shape), p as number[]),
    expected: ([s, p]) => {
      const shape = s as Shape;
      const w = (p as unknown[]).map((d) => wrap(d, shape.length));
      if (w.length !== shape.length || w.some((d) => d === null) || new Set(w).size !== w.length) return null;
      return w.map((d) => shape[d as number]);
    },
  },
  {
    name: 'slice',
    args: fc.tuple(
      shapeArb(),
      fc.array(fc.option(smallInt), { maxLength: 4 }),
      fc.array(fc.option(smallInt), { maxLength: 4 }),
      fc.array(fc.option(fc.oneof(fc.integer({ min: -3, max: 3 }), garbage)), { maxLength: 4 }),
    ),
    call: ([s, a, b, c]) => M.slice(v(s as Shape), nulls(a), nulls(b), nulls(c)),
    expected: ([s, a, b, c]) => {
      const shape = s as Shape;
      const [starts, stops, steps] = [nulls(a), nulls(b), nulls(c)];
      if (starts.length > shape.length || stops.length > shape.length || steps.length > shape.length) return null;
      const out: Shape = [];
      for (let d = 0; d < shape.length; d++) {
        const r = pySliceLength(shape[d], starts[d], stops[d], steps[d] ?? 1);
        if (r === null) return null;
        out.push(r);
      }
      return out;
    },
  },
  {
    name: 'padMeta',
    args: related(
      shapeArb().chain((s) => fc.tuple(fc.constant(s), perDim(s, smallInt), perDim(s, smallInt))),
      fc.tuple(shapeArb(), fc.array(smallInt, { maxLength: 4 }), fc.array(smallInt, { maxLength: 4 })),
    ),
    call: ([s, b, a]) => M.padMeta(v(s as Shape), b as number[], a as number[], 0),
    expected: ([s, b, a]) => {
      const [shape, before, after] = [s as Shape, b as number[], a as number[]];
      if (before.length !== shape.length || after.length !== shape.length) return null;
      if ([...before, ...after].some((p) => !isInt(p) || p < 0)) return null;
      return shape.map((d, k) => d + before[k] + after[k]);
    },
  },
  {
    name: 'pad',
    args: fc.tuple(shapeArb(), fc.array(smallInt, { maxLength: 6 }), fc.constantFrom('constant', 'reflect', 'replicate', 'circular', 'bogus')),
    call: ([s, p, mode]) => M.pad(v(s as Shape), p as number[], mode as 'constant'),
    expected: ([s, p, mode]) => {
      // torch.nn.functional.pad: pairs from the last dim; negative amounts crop, and a dim may not end negative.
      const [shape, padding] = [s as Shape, p as number[]];
      if (padding.length % 2 !== 0 || padding.length / 2 > shape.length || padding.some((x) => !isInt(x))) return null;
      if (!['constant', 'reflect', 'replicate', 'circular'].includes(mode as string)) return null;
      const out = [...shape];
      for (let k = 0; k < padding.length / 2; k++) {
        const d = shape.length - 1 - k;
        const [lo, hi] = [padding[2 * k], padding[2 * k + 1]];
        const cropped = shape[d] + Math.min(lo, 0) + Math.min(hi, 0);
        if (cropped < 0) return null;
        if (mode === 'reflect' && (lo > 0 || hi > 0) && (Math.max(lo, 0) >= cropped || Math.max(hi, 0) >= cropped)) return null;
        if (mode === 'circular' && (Math.max(lo, 0) > cropped || Math.max(hi, 0) > cropped)) return null;
        if (mode === 'replicate' && (lo > 0 || hi > 0) && cropped === 0) return null;
        out[d] = shape[d] + lo + hi;
      }
      return out;
    },
  },
  {
    name: 'sum',
    args: fc.tuple(shapeArb(), fc.option(fc.oneof(dimArb, fc.array(dimArb, { maxLength: 3 })), { nil: undefined }), fc.boolean()),
    call: ([s, d, k]) => M.sum(v(s as Shape), d as number[], k as boolean),
    expected: ([s, d, k]) => reduceRef(s as Shape, d, k as boolean),
  },
  {
    name: 'max',
    args: fc.tuple(shapeArb(), fc.option(fc.oneof(dimArb, fc.array(dimArb, { maxLength: 3 })), { nil: undefined }), fc.boolean()),
    call: ([s, d, k]) => M.max(v(s as Shape), d as number[], k as boolean),
    // As torch.amax: reducing over an empty dim raises (there is no maximum).
    expected: ([s, d, k]) => {
      const shape = s as Shape;
      const r = reduceRef(shape, d, k as boolean);
      const list = d === undefined ? shape.map((_, i) => i) : typeof d === 'number' ? [d] : (d as number[]);
      return r !== null && list.some((x) => shape[wrap(x, shape.length) as number] === 0) ? null : r;
    },
  },
  {
    name: 'matmul',
    args: related(
      fc
        .tuple(shapeArb(0, 2), size, size, size, fc.constantFrom(0, 1, 2, 3), fc.constantFrom<DType>('float32', 'float64', 'int32'))
        .map(([batch, n, k, m, kind, dt]) => [
          kind === 1 ? [k] : [...batch, n, k],
          kind === 2 ? [k] : [...batch.slice(1), k, m],
          dt,
          kind === 3 ? 'float32' : dt,
        ]),
      fc.tuple(shapeArb(0, 4), shapeArb(0, 4), dtypeArb, dtypeArb),
    ),
    call: ([a, b, da, db]) => M.matmul(v(a as Shape, da as DType), v(b as Shape, db as DType)),
    expected: ([a, b, da, db]) => {
      let [x, y] = [[...(a as Shape)], [...(b as Shape)]];
      // PyTorch's matmul refuses mixed dtypes (no promotion) and bool operands.
      if (x.length === 0 || y.length === 0 || da === 'bool' || db === 'bool' || da !== db) return null;
      const [vx, vy] = [x.length === 1, y.length === 1];
      if (vx) x = [1, ...x];
      if (vy) y = [...y, 1];
      if (x[x.length - 1] !== y[y.length - 2]) return null;
      const batch = broadcastRef(x.slice(0, -2), y.slice(0, -2));
      if (batch === null) return null;
      return [...batch, ...(vx ? [] : [x[x.length - 2]]), ...(vy ? [] : [y[y.length - 1]])];
    },
  },
  {
    name: 'conv2d',
    args: fc.tuple(
      fc.oneof(
        fc
          .tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))
          .map(([n, cg, g, h, w, kh, kw]) => [[n, cg * g, h, w], [g * 2, cg, kh, kw]]),
        fc.tuple(shapeArb(3, 5), shapeArb(3, 5)),
      ),
      fc.record({
        stride: fc.option(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(1, 2) }, smallInt, fc.array(smallInt, { minLength: 1, maxLength: 3 })), { nil: undefined, freq: 2 }),
        padding: fc.option(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(0, 1) }, smallInt, fc.constantFrom('same', 'valid')), { nil: undefined, freq: 2 }),
        dilation: fc.option(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(1, 2) }, smallInt), { nil: undefined, freq: 2 }),
        groups: fc.option(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(1, 2) }, smallInt), { nil: undefined, freq: 2 }),
      }),
    ),
    call: ([xw, o]) => M.conv2d(v((xw as Shape[])[0]), v((xw as Shape[])[1]), strip(o) as M.Conv2dOptions),
    expected: ([xw, o]) => {
      const [x, w] = xw as Shape[];
      const opt = strip(o) as { stride?: unknown; padding?: unknown; dilation?: unknown; groups?: unknown };
      if (x.length !== 4 || w.length !== 4) return null;
      const [N, C, H, W] = x;
      const [O, Cg, KH, KW] = w;
      const g = opt.groups ?? 1;
      if (!isInt(g) || g < 1 || C % g !== 0 || O % g !== 0 || Cg * g !== C) return null;
      const pairOf = (p: unknown, min: number): [number, number] | null => {
        const q = typeof p === 'number' ? [p, p] : (p as number[]);
        return q.length === 2 && q.every((e) => isInt(e) && e >= min) ? [q[0], q[1]] : null;
      };
      const s = pairOf(opt.stride ?? 1, 1);
      const dl = pairOf(opt.dilation ?? 1, 1);
      if (s === null || dl === null) return null;
      let p: [number, number] | null;
      if (opt.padding === 'same') {
        if (s[0] !== 1 || s[1] !== 1) return null;
        p = null;
      } else p = opt.padding === 'valid' ? [0, 0] : pairOf(opt.padding ?? 0, 0);
      if (p === null && opt.padding !== 'same') return null;
      const out = (L: number, k: number, pp: number, d: number, st: number) => Math.floor((L + 2 * pp - d * (k - 1) - 1) / st) + 1;
      const [OH, OW] = p === null ? [H, W] : [out(H, KH, p[0], dl[0], s[0]), out(W, KW, p[1], dl[1], s[1])];
      // An empty kernel has no output position either (torch: "Kernel size can't be greater than actual input size").
      if (OH <= 0 || OW <= 0 || KH === 0 || KW === 0 || O === 0) return null;
      return [N, O, OH, OW];
    },
  },
  {
    name: 'concat',
    args: fc.tuple(fc.array(shapeArb(0, 3), { maxLength: 3 }), dimArb),
    call: ([ss, d]) => M.concat((ss as Shape[]).map((s) => v(s)), d as number),
    expected: ([ss, d]) => {
      const shapes = ss as Shape[];
      if (shapes.length === 0) return null;
      const k = wrap(d, shapes[0].length);
      if (k === null || shapes[0].length === 0) return null;
      if (shapes.some((s) => s.length !== shapes[0].length || s.some((x, i) => i !== k && x !== shapes[0][i]))) return null;
      return shapes[0].map((x, i) => (i === k ? shapes.reduce((n, s) => n + s[k], 0) : x));
    },
  },
  {
    name: 'gather',
    args: related(
      shapeArb(1, 4).chain((s) =>
        fc.tuple(fc.constant(s), fc.integer({ min: -s.length, max: s.length - 1 }), fc.tuple(...s.map((d) => fc.integer({ min: 0, max: d + 1 }))), fc.constantFrom<DType>('int32', 'uint8', 'float32')),
      ),
      fc.tuple(shapeArb(), dimArb, shapeArb(), dtypeArb),
    ),
    call: ([s, d, t, dt]) => M.gather(v(s as Shape), d as number, v(t as Shape, dt as DType)),
    expected: ([s, d, t, dt]) => {
      const [x, idx] = [s as Shape, t as Shape];
      const k = wrap(d, x.length);
      if (k === null || dt === 'float32' || dt === 'float64' || idx.length !== x.length) return null;
      return idx.some((n, i) => i !== k && n > x[i]) ? null : idx;
    },
  },
  {
    name: 'broadcast',
    args: fc.tuple(shapeArb(), fc.array(fc.oneof(size, garbage), { maxLength: 4 })),
    call: ([s, t]) => M.broadcast(v(s as Shape), t as Shape),
    expected: ([s, t]) => {
      const to = t as number[];
      if (to.some((d) => !isInt(d) || d < 0)) return null;
      const b = broadcastRef(s as Shape, to);
      return b !== null && b.length === to.length && b.every((d, i) => d === to[i]) ? to : null;
    },
  },
  {
    name: 'where',
    args: fc.tuple(shapeArb(), shapeArb(), shapeArb()),
    call: ([c, a, b]) => M.where(v(c as Shape, 'bool'), v(a as Shape), v(b as Shape)),
    expected: ([c, a, b]) => broadcastRef(c as Shape, a as Shape, b as Shape),
  },
  {
    name: 'reindex',
    args: fc.tuple(shapeArb(), fc.array(fc.oneof(size, garbage), { maxLength: 4 }), fc.array(fc.constantFrom('i0', 'i1+1', 'i0*2-1', '0', 'i3', 'i0 ; 1'), { maxLength: 4 })).map(
      ([s, t, e]) => [s, t, e.length > 0 && e[0] === '0' ? s.map((_, k) => e[k % e.length]) : e],
    ),
    call: ([s, t, e]) => M.reindex(v(s as Shape), t as Shape, e as string[]),
    expected: ([s, t, e]) => {
      const [shape, to, exprs] = [s as Shape, t as number[], e as string[]];
      if (to.some((d) => !isInt(d) || d < 0) || exprs.length !== shape.length) return null;
      const uses = exprs.map((x) => (x.includes(';') ? Infinity : x.includes('i3') ? 3 : x.includes('i1') ? 1 : x.includes('i0') ? 0 : -1));
      return uses.every((u) => u < to.length) ? to : null;
    },
  },
  {
    name: 'transpose/unsqueeze/squeeze/flatten',
    args: fc.tuple(shapeArb(), dimArb, dimArb, fc.constantFrom(0, 1, 2, 3)),
    call: ([s, a, b, which]) => {
      const x = v(s as Shape);
      if (which === 0) return M.transpose(x, a as number, b as number);
      if (which === 1) return M.unsqueeze(x, a as number);
      if (which === 2) return M.squeeze(x, a as number);
      return M.flatten(x, a as number, b as number);
    },
    expected: ([s, a, b, which]) => {
      const shape = s as Shape;
      const n = shape.length;
      if (which === 0) {
        // MetaOp's transpose() with the default dims leaves a 0-d or 1-D Var as it is (like .t()).
        if (n < 2 && a === -2 && b === -1) return shape;
        const [p, q] = [wrap(a, n), wrap(b, n)];
        if (p === null || q === null) return null;
        if (n === 0) return [];
        const out = [...shape];
        [out[p], out[q]] = [out[q], out[p]];
        return out;
      }
      if (which === 1) {
        const p = wrap(a, n + 1);
        return p === null ? null : [...shape.slice(0, p), 1, ...shape.slice(p)];
      }
      if (which === 2) {
        const p = wrap(a, n);
        return p === null ? null : shape.filter((d, i) => !(i === p && d === 1));
      }
      const [p, q] = [wrap(a, n), wrap(b, n)];
      if (p === null || q === null || p > q) return null;
      return n === 0 ? [1] : [...shape.slice(0, p), prod(shape.slice(p, q + 1)), ...shape.slice(q + 1)];
    },
  },
  {
    name: 'narrow/roll/repeat/chunk',
    args: fc.tuple(shapeArb(1, 4), dimArb, smallInt, smallInt, fc.array(smallInt, { maxLength: 5 }), fc.constantFrom(0, 1, 2, 3)),
    call: ([s, d, a, b, r, which]) => {
      const x = v(s as Shape);
      if (which === 0) return M.narrow(x, d as number, a as number, b as number);
      if (which === 1) return M.roll(x, a as number, d as number);
      if (which === 2) return M.repeat(x, r as number[]);
      return M.chunk(x, a as number, d as number);
    },
    expected: ([s, d, a, b, r, which]) => {
      const shape = s as Shape;
      const k = wrap(d, shape.length);
      if (which === 2) {
        const reps = r as number[];
        if (reps.length < shape.length || reps.some((x) => !isInt(x) || x < 0)) return null;
        const src = [...reps.slice(0, reps.length - shape.length).map(() => 1), ...shape];
        return src.map((x, i) => x * reps[i]);
      }
      if (k === null || !isInt(a)) return null;
      if (which === 1) return shape;
      if (which === 0) {
        const start = a < 0 ? a + shape[k] : a;
        return !isInt(b) || start < 0 || b < 0 || start + b > shape[k] ? null : shape.map((x, i) => (i === k ? b : x));
      }
      // torch.chunk: chunks > 0; pieces of ceil(len / chunks), the last smaller.
      if (a <= 0) return null;
      const len = shape[k];
      const piece = Math.max(1, Math.ceil(len / a));
      const out: Expected[] = [];
      for (let at = 0; at < len; at += piece) out.push(shape.map((x, i) => (i === k ? Math.min(piece, len - at) : x)));
      return len === 0 ? Array.from({ length: a }, () => shape) : out;
    },
  },
];

function nulls(a: unknown): (number | undefined)[] {
  return (a as (number | null)[]).map((x) => (x === null ? undefined : x));
}
function strip(o: unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o as Record<string, unknown>).filter(([, x]) => x !== undefined));
}
/** Python's slice over a dim of `len`: the element count, or null for a bad bound or step. */
function pySliceLength(len: number, start: number | undefined, stop: number | undefined, step: number): number | null {
  if (!isInt(step) || step === 0 || [start, stop].some((x) => x !== undefined && !isInt(x))) return null;
  const clamp = (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi);
  const fix = (x: number | undefined, dflt: number, lo: number, hi: number) => (x === undefined ? dflt : clamp(x < 0 ? x + len : x, lo, hi));
  if (step > 0) return Math.max(0, Math.ceil((fix(stop, len, 0, len) - fix(start, 0, 0, len)) / step));
  return Math.max(0, Math.ceil((fix(start, len - 1, -1, len - 1) - fix(stop, -1, -1, len - 1)) / -step));
}
function reduceRef(shape: Shape, dims: unknown, keepdim: boolean): Expected {
  const list = dims === undefined ? shape.map((_, i) => i) : typeof dims === 'number' ? [dims] : (dims as unknown[]);
  const w = list.map((d) => wrap(d, shape.length));
  if (w.some((d) => d === null) || new Set(w).size !== w.length) return null;
  return keepdim ? shape.map((d, i) => (w.includes(i) ? 1 : d)) : shape.filter((_, i) => !w.includes(i));
}

const counts = new Map<string, { ok: number; typed: number }>();

function check(op: OpFuzz, args: unknown[]): void {
  const want = op.expected(args);
  let got: Var | Var[] | undefined;
  let error: unknown;
  try {
    got = op.call(args);
  } catch (e) {
    error = e;
  }
  const label = `${op.name}(${args.map((a) => JSON.stringify(a)).join(', ')})`;
  const c = counts.get(op.name) ?? { ok: 0, typed: 0 };
  counts.set(op.name, c);
  if (error !== undefined) {
    // Typed errors only: never a TypeError, RangeError or an internal Error.
    expect(error, `${label} threw ${String(error)}`).toBeInstanceOf(MetaOpError);
    expect(want, `${label} threw ${String(error)} but the reference gives a shape`).toBeNull();
    c.typed++;
    return;
  }
  expect(want, `${label} returned a Var but the reference raises`).not.toBeNull();
  const shapes = Array.isArray(got) ? got.map((g) => [...g.shape]) : [...(got as Var).shape];
  expect(shapes, label).toEqual(want);
  c.ok++;
}

describe('op construction fuzz', () => {
  for (const op of ops) {
    it(`${op.name}: a Var of the reference shape or a typed error`, () => {
      fc.assert(
        fc.property(op.args, (args) => check(op, args)),
        { numRuns: fuzzRuns(400) },
      );
    });
  }

  it('shapes whose element count passes 2^53 are refused at construction; byte overflow at realize', () => {
    for (const f of [() => M.zeros([2 ** 31, 2 ** 31]), () => M.randn([2 ** 40, 2 ** 20]), () => M.broadcast(v([1, 1]), [2 ** 27, 2 ** 27])]) {
      expect(f).toThrow(ShapeError);
    }
    expect(() => M.add(v([2 ** 27, 1]), v([2 ** 27]))).toThrow(/more than 2\^53/);
    const big = M.broadcast(v([1]), [2 ** 51]);
    expect(() => big.realize()).toThrow(OutOfMemoryError);
    expect(() => big.realize()).toThrow(/realize: the broadcast result float32\[2251799813685248\] needs about 9\.01e\+15 bytes/);
  });

  it('reports the counts', () => {
    const lines = [...counts].map(([n, c]) => `${n}: ${c.ok} built, ${c.typed} typed errors`);
    console.log(`op construction fuzz:\n  ${lines.join('\n  ')}`);
    expect(counts.size).toBe(ops.length);
  });
});
