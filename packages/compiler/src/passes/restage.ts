// Restage: a heavy reduction first copies some inputs into scratch buffers laid out for its hot
// loop, which then reads the copies with no tests and with unit stride:
// - padding: an input read through bounds tests (a convolution's borders) gets a zero-bordered
//   copy, so the tests disappear;
// - packing: an input read with a large stride along the output's contiguous axis (the weight of
//   x @ W^T) gets a copy with that dimension innermost, so it can be vectorised.
// Each copy costs one pass over the input; the multiply-adds reuse every element many times.
import {
  convertValue,
  formatCond,
  iadd,
  ic,
  indexBounds,
  isFloat,
  iv,
  numberKey,
  simplifyCond,
  simplifyIndex,
  type DType,
  type IndexCond,
  type IndexExpr,
  type Range,
  type UnaryFn,
} from '@metaop/core';
import type { Expr, Kernel, KernelBuffer, NonFiniteVariant, PackKernel, Stmt } from '../ir/loop-ir.js';
import { strideOf } from './linear.js';
import { kernelRanges } from './ranges.js';
import { loadsIn } from '../ir/transform.js';
import { pickVectorAxis, pickVectorWidth, type Axis, type VectorWidths } from './vector-axis.js';

export interface RestageOptions {
  /** Minimum multiply-adds per element of the input before a padded copy pays off. */
  readonly minReuse: number;
  /** Minimum kernel work. */
  readonly minWork: number;
  /** Input buffers whose packed copies are split out into pack kernels (Kernel.packs) that a plan runs once per input value. */
  readonly hoist?: ReadonlySet<number>;
}

type Load = Extract<Expr, { op: 'load' }>;

/** Inf/NaN checks a kernel makes at run time: every element of some input buffers, some params. */
interface Checks {
  readonly buffers: ReadonlySet<number>;
  readonly params: ReadonlyMap<number, DType>;
}

const noChecks: Checks = { buffers: new Set(), params: new Map() };

function merge(...cs: (Checks | undefined)[]): Checks | undefined {
  if (cs.some((c) => c === undefined)) return undefined;
  const all = cs as Checks[];
  return { buffers: new Set(all.flatMap((c) => [...c.buffers])), params: new Map(all.flatMap((c) => [...c.params])) };
}

const checkCount = (c: Checks) => c.buffers.size + c.params.size;

function cheaper(a: Checks | undefined, b: Checks | undefined): Checks | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return checkCount(b) < checkCount(a) ? b : a;
}

/** Unary functions that map finite values to finite values. */
const finiteUnary: ReadonlySet<UnaryFn> = new Set(['neg', 'abs', 'floor', 'ceil', 'round', 'sin', 'cos', 'tanh', 'sigmoid', 'erf', 'not']);

/**
 * The run-time checks under which `e` is finite, or undefined when none can tell (exp, products
 * and sums may overflow; accumulators and random values are not inputs).
 */
function finiteUnder(e: Expr, buffers: readonly KernelBuffer[]): Checks | undefined {
  if (!isFloat(e.dtype)) return noChecks;
  switch (e.op) {
    case 'const':
      return Number.isFinite(convertValue(e.value, e.dtype)) ? noChecks : undefined;
    case 'coord':
      return noChecks;
    case 'param':
      return { buffers: new Set(), params: new Map([[e.slot, e.dtype]]) };
    case 'load': {
      const b = buffers[e.buf];
      // A window's buffer extends past what the kernel may read; its start is a param.
      if (b.role !== 'input' || b.offsetSlot !== undefined) return undefined;
      const always = e.valid.kind === 'bool' && e.valid.value && e.dynamic.length === 0;
      if (!always && !Number.isFinite(convertValue(e.fill, e.dtype))) return undefined;
      return { buffers: new Set([e.buf]), params: new Map() };
    }
    case 'cast':
      // float64 to float32 may overflow.
      return isFloat(e.a.dtype) && e.dtype === 'float32' && e.a.dtype !== 'float32' ? undefined : finiteUnder(e.a, buffers);
    case 'unary':
      return finiteUnary.has(e.fn) ? finiteUnder(e.a, buffers) : undefined;
    case 'binary':
      return e.fn === 'max' || e.fn === 'min' ? merge(finiteUnder(e.a, buffers), finiteUnder(e.b, buffers)) : undefined;
    case 'select':
      return merge(finiteUnder(e.a, buffers), finiteUnder(e.b, buffers));
    default:
      return undefined;
  }
}

/**
 * The run-time checks under which `e` is 0 whenever `load` reads 0, or undefined when it is not:
 * 0 * y is 0 only for finite y, so the other factors of a product must be finite.
 */
function zeroWhen(e: Expr, load: Expr, buffers: readonly KernelBuffer[]): Checks | undefined {
  if (e === load) return noChecks;
  switch (e.op) {
    case 'binary':
      if (e.fn === 'mul') {
        const viaA = merge(zeroWhen(e.a, load, buffers), finiteUnder(e.b, buffers));
        return cheaper(viaA, merge(zeroWhen(e.b, load, buffers), finiteUnder(e.a, buffers)));
      }
      if (e.fn === 'add' || e.fn === 'sub') return merge(zeroWhen(e.a, load, buffers), zeroWhen(e.b, load, buffers));
      return undefined;
    case 'unary':
      return e.fn === 'neg' ? zeroWhen(e.a, load, buffers) : undefined;
    case 'cast':
      return zeroWhen(e.a, load, buffers);
    default:
      return undefined;
  }
}

function ownBounds(src: { coords: readonly IndexExpr[]; shape: readonly number[] }, ranges: readonly Range[]): IndexCond {
  let c: IndexCond = { kind: 'bool', value: true };
  src.coords.forEach((x, d) => {
    const inside: IndexCond = { kind: 'and', a: { kind: 'cmp', op: '>=', a: x, b: ic(0) }, b: { kind: 'cmp', op: '<', a: x, b: ic(src.shape[d]) } };
    c = c.kind === 'bool' ? inside : { kind: 'and', a: c, b: inside };
  });
  return simplifyCond(c, ranges);
}

function work(stmts: readonly Stmt[]): number {
  return stmts.reduce((n, s) => n + (s.s === 'loop' ? s.extent * Math.max(1, work(s.body)) : 0), 0);
}

function strides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    out[d] = s;
    s *= shape[d];
  }
  return out;
}

function flatten(coords: readonly IndexExpr[], shape: readonly number[], st: readonly number[] = strides(shape)): IndexExpr {
  return coords.reduce<IndexExpr>((acc, c, d) => (shape[d] === 1 ? acc : iadd(acc, { kind: 'bin', op: '*', a: c, b: ic(st[d]) })), ic(0));
}

interface Plan {
  readonly before: number[];
  /** Scratch dims in source-dim order after padding (before permutation). */
  readonly shape: number[];
  /** Scratch layout: scratch dim k holds source dim perm[k]. */
  readonly perm: number[];
  readonly scratch: number;
  readonly fill: number;
}

/** Loads in the values that accumulators take. */
function updateLoads(stmts: readonly Stmt[], out: Load[] = []): Load[] {
  for (const s of stmts) {
    if (s.s === 'loop') updateLoads(s.body, out);
    else if (s.s === 'accUpdate') loadsIn(s.value, {}, out);
  }
  return out;
}

/** How a load reads along loop v: contiguously or not at all (ok), or through one source dim a copy can make innermost (pack). */
function along(e: Load, v: number): 'ok' | 'pack' | 'bad' {
  const s = strideOf(e.index, v);
  if (s === 0 || s === 1) return 'ok';
  const src = e.source;
  if (s === undefined || !src || e.dynamic.length > 0) return 'bad';
  // Only a read without bounds tests is packed (a padded read keeps its layout): else no copy helps.
  if (!(e.valid.kind === 'bool' && e.valid.value)) return 'bad';
  const moving = src.coords.map((c, d) => (strideOf(c, v) === 0 ? -1 : d)).filter((d) => d >= 0);
  return moving.length === 1 && strideOf(src.coords[moving[0]], v) === 1 ? 'pack' : 'bad';
}

/**
 * The axis the tile pass will vectorise, by its rule (vector-axis.ts) but counting reads a copy can
 * make contiguous: output channels of strided or 7x7 convolutions get their weights packed.
 */
function vectorAxis(kernel: Kernel, widths: VectorWidths): number | undefined {
  const main = kernel.body[kernel.body.length - 1];
  const spatial: Axis[] = [];
  let store: Extract<Stmt, { s: 'store' }> | undefined;
  const visit = (stmts: readonly Stmt[]) => {
    for (const s of stmts) {
      if (s.s === 'loop') {
        if (s.role === 'spatial') spatial.push({ v: s.v, extent: s.extent });
        visit(s.body);
      } else if (s.s === 'store') store = s;
    }
  };
  if (!main) return undefined;
  visit([main]);
  const loads = updateLoads([main]);
  if (!store || loads.length === 0) return undefined;
  const storeIndex = store.index;
  const packs = (a: Axis) => loads.filter((e) => along(e, a.v) === 'pack').length;
  const axisFor = (lanes: number) =>
    pickVectorAxis(
      spatial,
      storeIndex,
      lanes,
      (a) => loads.every((e) => along(e, a.v) !== 'bad'),
      (a, b) => packs(a) - packs(b) || b.extent - a.extent,
    );
  return axisFor(pickVectorWidth(widths, axisFor))?.v;
}

export function restagePaddedInputs(kernel: Kernel, options: RestageOptions, widths: VectorWidths = { lanes: 8 }): Kernel {
  const total = work(kernel.body);
  if (total < options.minWork) return kernel;
  const ranges = kernelRanges(kernel);
  const buffers: KernelBuffer[] = [...kernel.buffers];
  const plans = new Map<string, Plan>();
  const extents = [...kernel.loopExtents];
  const copies: Stmt[] = [];
  const packs: PackKernel[] = [];

  const lane = vectorAxis(kernel, widths);
  const planFor = (e: Load): Plan | undefined => {
    const src = e.source;
    if (!src || e.dynamic.length > 0) return undefined;
    const numel = src.shape.reduce((a, b) => a * b, 1);
    if (total / numel < options.minReuse) return undefined;
    // A padding read: its validity is exactly "my coordinates are inside my buffer".
    const padding = e.valid.kind !== 'bool' && (src.boundsOnly || formatCond(simplifyCond(e.valid, ranges)) === formatCond(ownBounds(src, ranges)));
    // Packing: one source dim moves with the vector axis at unit rate while the flat access does not.
    let perm = src.shape.map((_, d) => d);
    if (lane !== undefined && e.valid.kind === 'bool' && e.valid.value && along(e, lane) === 'pack') {
      const moving = src.coords.findIndex((c) => strideOf(c, lane) !== 0);
      perm = [...perm.filter((d) => d !== moving), moving];
    }
    const packing = perm.some((d, k) => d !== k);
    if (!padding && !packing) return undefined;
    if (!padding && !(e.valid.kind === 'bool' && e.valid.value)) return undefined;
    const before: number[] = [];
    const shape: number[] = [];
    for (let d = 0; d < src.shape.length; d++) {
      const [lo, hi] = indexBounds(src.coords[d], ranges);
      if (!Number.isFinite(lo) || !Number.isFinite(hi)) return undefined;
      const b = Math.max(0, -lo);
      before.push(b);
      shape.push(src.shape[d] + b + Math.max(0, hi - (src.shape[d] - 1)));
    }
    const padded = shape.reduce((a, b) => a * b, 1);
    if (padded > 4 * numel + 4096) return undefined;
    const key = `${e.buf}|${before.join(',')}|${shape.join(',')}|${perm.join(',')}|${numberKey(e.fill)}`;
    const existing = plans.get(key);
    if (existing) return existing;
    const scratch = buffers.length;
    const source = kernel.buffers[e.buf];
    // A packed weight (a realized input read with unit validity) is split out into its own kernel,
    // which a plan runs only when the input's storage changed; a padded copy stays per launch.
    const hoist = options.hoist?.has(e.buf) === true && !padding && source.role === 'input' && source.offsetSlot === undefined;
    buffers.push({ dtype: e.dtype, numel: padded, role: 'scratch', ...(hoist ? { packOf: e.buf } : {}) });
    // The copy: scratch[perm(c)] = src[c - before] inside the source, the fill outside; the loops
    // run over the scratch layout so its writes are contiguous.
    const scratchShape = perm.map((d) => shape[d]);
    const copyNest = (loopVars: readonly number[], from: number, to: number, loopRanges: readonly (readonly [number, number])[]): Stmt[] => {
      const vars = new Array<number>(shape.length);
      perm.forEach((d, k) => (vars[d] = loopVars[k]));
      const inner = vars.map((v, d) => iadd(iv(v), ic(-before[d])));
      let valid: IndexCond = { kind: 'bool', value: true };
      inner.forEach((c, d) => {
        if (before[d] === 0 && shape[d] === src.shape[d]) return;
        const inside: IndexCond = {
          kind: 'and',
          a: { kind: 'cmp', op: '>=', a: c, b: ic(0) },
          b: { kind: 'cmp', op: '<', a: c, b: ic(src.shape[d]) },
        };
        valid = valid.kind === 'bool' ? inside : { kind: 'and', a: valid, b: inside };
      });
      const read: Load = {
        op: 'load',
        buf: from,
        index: simplifyIndex(flatten(inner, src.shape, src.strides), loopRanges),
        dynamic: [],
        valid,
        fill: e.fill,
        dtype: e.dtype,
      };
      let body: Stmt[] = [{ s: 'store', buf: to, index: simplifyIndex(flatten(loopVars.map(iv), scratchShape), loopRanges), value: read }];
      for (let k = loopVars.length - 1; k >= 0; k--) body = [{ s: 'loop', v: loopVars[k], extent: scratchShape[k], role: 'spatial', schedule: {}, body }];
      return body;
    };
    if (hoist) {
      const loopExtents = [...scratchShape];
      const nest = copyNest(
        loopExtents.map((_, k) => k),
        0,
        1,
        loopExtents.map((n) => [0, Math.max(0, n - 1)] as const),
      );
      packs.push({
        buffer: scratch,
        source: e.buf,
        kernel: {
          name: 'pack',
          buffers: [
            { dtype: source.dtype, numel: source.numel, role: 'input' },
            { dtype: e.dtype, numel: padded, role: 'output' },
          ],
          paramCount: 0,
          loopExtents,
          body: nest,
          notes: [`packs b${e.buf} of the kernel it feeds into its scratch b${scratch} (dims ${perm.join(',')})`],
        },
      });
    } else {
      const loopVars = scratchShape.map((n) => {
        extents.push(n);
        return extents.length - 1;
      });
      copies.push(...copyNest(loopVars, e.buf, scratch, extents.map((n) => [0, Math.max(0, n - 1)] as const)));
    }
    const plan = { before, shape, perm, scratch, fill: e.fill };
    plans.set(key, plan);
    return plan;
  };

  // Checks the fast body relies on: the border selects it removed need these values finite.
  let checks: Checks = noChecks;
  const scanned = (c: Checks) => [...c.buffers].reduce((n, b) => n + buffers[b].numel, 0);
  // `exact`: the body for non-finite inputs, which keeps the selects whose removal needs checks.
  const rewriter = (exact: boolean) => {
    const memo = new Map<Expr, Expr>();
    const restaged: Load[] = [];
    const rewrite = (e: Expr): Expr => {
      const hit = memo.get(e);
      if (hit) return hit;
      let out: Expr = e;
      switch (e.op) {
        case 'load': {
          const plan = planFor(e);
          if (plan && e.source) {
            const shifted = e.source.coords.map((c, d) => iadd(c, ic(plan.before[d])));
            const coords = plan.perm.map((d) => shifted[d]);
            const shape = plan.perm.map((d) => plan.shape[d]);
            out = {
              op: 'load',
              buf: plan.scratch,
              index: simplifyIndex(flatten(coords, shape), ranges),
              dynamic: [],
              valid: { kind: 'bool', value: true },
              fill: 0,
              dtype: e.dtype,
              source: { coords, shape, boundsOnly: false },
            };
            restaged.push(e);
          }
          break;
        }
        case 'cast':
        case 'unary':
          out = { ...e, a: rewrite(e.a) };
          break;
        case 'binary':
          out = { ...e, a: rewrite(e.a), b: rewrite(e.b) };
          break;
        case 'select': {
          const a = rewrite(e.a);
          // select(inside(L), E, 0) where E is 0 whenever L is: the zero border of L's padded copy
          // already gives 0 there, so the test goes (gather-form convolution gradients). When that
          // needs other factors finite, the kernel checks them and keeps the test for Inf and NaN.
          const zero = e.b.op === 'const' && e.b.value === 0;
          const cond = e.cond.op === 'test' ? formatCond(simplifyCond(e.cond.cond, ranges)) : undefined;
          const padded = restaged.filter((l) => l.fill === 0 && formatCond(simplifyCond(l.valid, ranges)) === cond);
          const needs = zero ? padded.map((l) => zeroWhen(e.a, l, kernel.buffers)).reduce(cheaper, undefined) : undefined;
          const all = needs && merge(checks, needs);
          // Restage's own bar for a copy: the scan reads at most 1/minReuse as many elements as the nest multiplies.
          const affordable = all !== undefined && scanned(all) * options.minReuse <= total;
          if (needs && checkCount(needs) === 0) out = a;
          else if (needs && all && affordable && !exact) {
            checks = all;
            out = a;
          } else out = { ...e, cond: rewrite(e.cond), a, b: rewrite(e.b) };
          break;
        }
        default:
          break;
      }
      memo.set(e, out);
      return out;
    };
    const visit = (stmts: readonly Stmt[]): Stmt[] =>
      stmts.map((s): Stmt => {
        switch (s.s) {
          case 'loop':
            return { ...s, body: visit(s.body) };
          case 'accUpdate':
            return s.tile.length === 0 ? { ...s, value: rewrite(s.value) } : s;
          default:
            return s;
        }
      });
    return visit;
  };
  const body = rewriter(false)(kernel.body);
  if (plans.size === 0) return kernel;
  const notes = [...kernel.notes, `${plans.size} input${plans.size === 1 ? '' : 's'} restaged (padded or packed) in scratch buffers`];
  if (packs.length > 0) notes.push(`${packs.map((p) => `b${p.source}`).join(', ')} packed by a pack kernel the plan runs once per value of the input`);
  let nonFinite: NonFiniteVariant | undefined;
  if (checkCount(checks) > 0) {
    // The same copies (the plans exist now), then the nest with the border selects kept.
    nonFinite = {
      buffers: [...checks.buffers].sort((a, b) => a - b),
      params: [...checks.params].sort(([a], [b]) => a - b).map(([slot, dtype]) => ({ slot, dtype })),
      body: [...copies, ...rewriter(true)(kernel.body)],
    };
    const names = [...nonFinite.buffers.map((b) => `b${b}`), ...nonFinite.params.map((p) => `param${p.slot}`)].join(', ');
    notes.push(`border selects removed where ${names} are finite; a non-finite variant keeps them for Inf and NaN`);
  }
  return { ...kernel, buffers, loopExtents: extents, body: [...copies, ...body], notes, ...(nonFinite ? { nonFinite } : {}), ...(packs.length > 0 ? { packs } : {}) };
}
