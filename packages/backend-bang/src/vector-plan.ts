// The BANG vector path as data: which innermost loops run as NRAM tiles of `__bang_*` intrinsics,
// and with which operations. Pure analysis of the loop IR; bang-renderer.ts prints the plan.
// Covered: float32 element-wise loops whose loads and store are contiguous (per row, or over whole
// rows with `__bang_cycle_*` for a row-periodic operand), and contiguous innermost add-reductions.
// Anything else (other dtypes, gathers, masks, NaN-sensitive max/min, comparisons) returns null and
// the loop stays on the scalar path.
import { condAxes, formatIndex, ibin, ic, indexAxes, iv, simplifyIndex, substituteIndex, type IndexExpr } from '@metaop/core';
import type { Accumulator, Expr, Stmt } from '@metaop/compiler';

type LoopStmt = Extract<Stmt, { s: 'loop' }>;

export type VecBinary = 'add' | 'sub' | 'mul' | 'div';
export type VecUnary = 'neg' | 'abs' | 'exp' | 'log' | 'sqrt' | 'rsqrt' | 'tanh' | 'sigmoid' | 'relu';

/** A value inside a tile: an NRAM vector slot, a scalar hoisted out of the loop, or a cycle segment. */
export type Operand = { readonly kind: 'vec'; readonly slot: number } | { readonly kind: 'scalar'; readonly id: number } | { readonly kind: 'cycle'; readonly seg: number };

export type VecOp =
  | { readonly op: 'load'; readonly dst: number; readonly buf: number; readonly base: IndexExpr }
  | { readonly op: 'binary'; readonly fn: VecBinary; readonly dst: number; readonly a: Operand; readonly b: Operand }
  | { readonly op: 'unary'; readonly fn: VecUnary; readonly dst: number; readonly a: number }
  | { readonly op: 'fill'; readonly dst: number; readonly scalar: number };

/** A row of `period` elements staged once and repeated to `unit` elements; or the reciprocal of one. */
export type Segment = { readonly buf: number; readonly base: IndexExpr } | { readonly recipOf: number };

export interface VectorPlan {
  readonly kind: 'store' | 'sum';
  /** Loop variables covered: [v], or [u, v] when whole rows of a 2-deep nest form one flat range. */
  readonly vars: readonly number[];
  /** Row length in flat mode (extent of v), else 0. */
  readonly period: number;
  /** Elements per padded count: 64, or lcm(period, 64) in flat mode. */
  readonly unit: number;
  readonly ops: readonly VecOp[];
  readonly slots: number;
  readonly segments: readonly Segment[];
  /** Scalar expressions (independent of `vars`), by id. */
  readonly scalars: readonly Expr[];
  readonly result: Operand;
  /** Store target (kind 'store'): buffer and flat index at vars = 0. */
  readonly out?: { readonly buf: number; readonly base: IndexExpr };
  /** Accumulator (kind 'sum'). */
  readonly acc?: number;
}

const COUNT_ALIGN = 64;
/**
 * Shortest loops worth a vector: below these a padded 64-lane tile (and, for sums, the pooling
 * that follows) costs more than the scalar loop, e.g. the 5-tap rows of a 5x5 convolution.
 */
const MIN_STORE = 32;
const MIN_SUM = COUNT_ALIGN;
/** Largest expanded segment (elements) worth staging for flat mode. */
const MAX_UNIT = 8192;
const UNARY = new Set<string>(['neg', 'abs', 'exp', 'log', 'sqrt', 'rsqrt', 'tanh', 'sigmoid']);

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** e(v+1) - e(v) when it is a constant, else undefined. */
function strideOf(e: IndexExpr, v: number): number | undefined {
  const d = simplifyIndex(ibin('-', substituteIndex(e, (a) => (a === v ? ibin('+', iv(v), ic(1)) : iv(a))), e));
  return d.kind === 'const' ? d.value : undefined;
}

function atZero(e: IndexExpr, vars: readonly number[]): IndexExpr {
  return simplifyIndex(substituteIndex(e, (a) => (vars.includes(a) ? ic(0) : iv(a))));
}

function segmentKey(s: Segment): string {
  return 'recipOf' in s ? `1/${s.recipOf}` : `b${s.buf}[${formatIndex(s.base)}]`;
}

function isZero(e: Expr): boolean {
  return e.op === 'const' && e.value === 0;
}

class Planner {
  readonly ops: VecOp[] = [];
  readonly segments: Segment[] = [];
  readonly scalars: Expr[] = [];
  slots = 0;
  private readonly memo = new Map<Expr, Operand | null>();
  private readonly deps = new Map<Expr, boolean>();

  constructor(
    readonly vars: readonly number[],
    readonly period: number,
  ) {}

  private mentions(axes: Set<number>): boolean {
    return this.vars.some((v) => axes.has(v));
  }

  /** Whether e changes along the vector range. */
  depends(e: Expr): boolean {
    const hit = this.deps.get(e);
    if (hit !== undefined) return hit;
    let d: boolean;
    switch (e.op) {
      case 'load':
        d = this.mentions(indexAxes(e.index)) || this.mentions(condAxes(e.valid)) || e.dynamic.some((x) => this.depends(x.value));
        break;
      case 'coord':
        d = this.mentions(indexAxes(e.index));
        break;
      case 'random':
        d = this.mentions(indexAxes(e.counter));
        break;
      case 'test':
        d = this.mentions(condAxes(e.cond));
        break;
      case 'cast':
      case 'unary':
        d = this.depends(e.a);
        break;
      case 'binary':
        d = this.depends(e.a) || this.depends(e.b);
        break;
      case 'select':
        d = this.depends(e.cond) || this.depends(e.a) || this.depends(e.b);
        break;
      default:
        d = false;
    }
    this.deps.set(e, d);
    return d;
  }

  private slot(): number {
    return this.slots++;
  }

  private scalar(e: Expr): Operand {
    const found = this.scalars.indexOf(e);
    if (found >= 0) return { kind: 'scalar', id: found };
    this.scalars.push(e);
    return { kind: 'scalar', id: this.scalars.length - 1 };
  }

  private segment(s: Segment): number {
    const i = this.segments.findIndex((x) => segmentKey(x) === segmentKey(s));
    if (i >= 0) return i;
    this.segments.push(s);
    return this.segments.length - 1;
  }

  operand(e: Expr): Operand | null {
    if (this.memo.has(e)) return this.memo.get(e) as Operand | null;
    const r = this.classify(e);
    this.memo.set(e, r);
    return r;
  }

  private classify(e: Expr): Operand | null {
    if (!this.depends(e)) return e.dtype === 'float32' ? this.scalar(e) : null;
    if (e.dtype !== 'float32') return null;
    switch (e.op) {
      case 'load':
        return this.load(e);
      case 'binary': {
        if (e.fn !== 'add' && e.fn !== 'sub' && e.fn !== 'mul' && e.fn !== 'div') return null;
        const a = this.operand(e.a);
        const b = this.operand(e.b);
        if (!a || !b || (a.kind !== 'vec' && b.kind !== 'vec')) return null;
        const other = a.kind === 'vec' ? b : a;
        if (other.kind === 'cycle' && e.fn === 'div' && b.kind === 'cycle') {
          return this.emit({ op: 'binary', fn: 'mul', dst: this.slot(), a, b: { kind: 'cycle', seg: this.segment({ recipOf: b.seg }) } });
        }
        return this.emit({ op: 'binary', fn: e.fn, dst: this.slot(), a, b });
      }
      case 'unary': {
        const a = this.operand(e.a);
        if (!UNARY.has(e.fn) || a?.kind !== 'vec') return null;
        return this.emit({ op: 'unary', fn: e.fn as VecUnary, dst: this.slot(), a: a.slot });
      }
      case 'select': {
        // where(x > 0, x, 0): relu, with the same NaN answer (0) as the oracle's select.
        const c = e.cond;
        if (c.op !== 'binary' || c.fn !== 'gt' || c.a !== e.a || !isZero(c.b) || !isZero(e.b)) return null;
        const a = this.operand(e.a);
        if (a?.kind !== 'vec') return null;
        return this.emit({ op: 'unary', fn: 'relu', dst: this.slot(), a: a.slot });
      }
      default:
        return null;
    }
  }

  private emit(op: VecOp): Operand {
    this.ops.push(op);
    return { kind: 'vec', slot: op.dst };
  }

  private load(e: Extract<Expr, { op: 'load' }>): Operand | null {
    if (e.dynamic.length > 0 || e.valid.kind !== 'bool' || !e.valid.value) return null;
    const base = atZero(e.index, this.vars);
    const inner = strideOf(e.index, this.vars[this.vars.length - 1]);
    if (this.vars.length === 1) return inner === 1 ? this.emit({ op: 'load', dst: this.slot(), buf: e.buf, base }) : null;
    const outer = strideOf(e.index, this.vars[0]);
    if (inner === 1 && outer === this.period) return this.emit({ op: 'load', dst: this.slot(), buf: e.buf, base });
    if (inner === 1 && outer === 0) return { kind: 'cycle', seg: this.segment({ buf: e.buf, base }) };
    return null;
  }
}

function finish(p: Planner, kind: VectorPlan['kind'], result: Operand, unit: number, rest: Partial<VectorPlan>): VectorPlan {
  return { kind, vars: p.vars, period: p.period, unit, ops: p.ops, slots: p.slots, segments: p.segments, scalars: p.scalars, result, ...rest };
}

/** An element-wise store loop over `vars` ([v] or [u, v] with v's extent `period`). */
function planStore(body: readonly Stmt[], vars: readonly number[], period: number, isFloat32: (buf: number) => boolean): VectorPlan | null {
  if (body.length !== 1 || body[0].s !== 'store' || !isFloat32(body[0].buf)) return null;
  const store = body[0];
  const p = new Planner(vars, period);
  if (strideOf(store.index, vars[vars.length - 1]) !== 1) return null;
  if (vars.length === 2 && strideOf(store.index, vars[0]) !== period) return null;
  let result = p.operand(store.value);
  if (!result || result.kind === 'cycle') return null;
  if (result.kind === 'scalar') {
    // A value constant along the row (fills such as zeros/ones): broadcast it into a slot.
    const dst = p.slots++;
    p.ops.push({ op: 'fill', dst, scalar: result.id });
    result = { kind: 'vec', slot: dst };
  }
  const unit = period > 0 ? (period * COUNT_ALIGN) / gcd(period, COUNT_ALIGN) : COUNT_ALIGN;
  return finish(p, 'store', result, unit, { out: { buf: store.buf, base: atZero(store.index, vars) } });
}

/** A vectorisable innermost loop: per-row element-wise store, or a float32 add-reduction. */
export function planLoop(loop: LoopStmt, accs: ReadonlyMap<number, Accumulator>, isFloat32: (buf: number) => boolean): VectorPlan | null {
  if (!loop.schedule.vectorize) return null;
  if (loop.role === 'spatial') return loop.extent >= MIN_STORE ? planStore(loop.body, [loop.v], 0, isFloat32) : null;
  if (loop.role !== 'reduce' || loop.extent < MIN_SUM || loop.body.length !== 1 || loop.body[0].s !== 'accUpdate') return null;
  const update = loop.body[0];
  const acc = accs.get(update.acc);
  if (!acc || acc.fn !== 'add' || acc.dtype !== 'float32' || acc.tile.length > 0 || update.tile.length > 0) return null;
  const p = new Planner([loop.v], 0);
  const result = p.operand(update.value);
  if (result?.kind !== 'vec') return null;
  return finish(p, 'sum', result, COUNT_ALIGN, { acc: acc.id });
}

/**
 * Whole rows of a 2-deep element-wise nest as one flat range, when some operand repeats every row
 * (a broadcast bias): it is staged once and applied with `__bang_cycle_*`. Only for short rows,
 * where per-row tiles would be mostly padding.
 */
export function planRows(outer: LoopStmt, isFloat32: (buf: number) => boolean): VectorPlan | null {
  const inner = outer.body.length === 1 && outer.body[0].s === 'loop' ? outer.body[0] : null;
  if (!inner || outer.role !== 'spatial' || inner.role !== 'spatial' || !inner.schedule.vectorize || inner.schedule.parallel) return null;
  if (inner.extent >= 4 * COUNT_ALIGN || outer.extent * inner.extent < MIN_STORE) return null;
  const plan = planStore(inner.body, [outer.v, inner.v], inner.extent, isFloat32);
  if (!plan || plan.segments.length === 0 || plan.unit > MAX_UNIT) return null;
  return plan;
}
