// Lowering: one kernel group becomes a loop nest. Reindex-class ops compose into index
// expressions on the loads (never into buffers), element-wise ops into expressions, and the
// reduce-class stage into accumulators or scatter updates.
import {
  contiguousStrides,
  iadd,
  iand,
  ic,
  icmp,
  imul,
  iv,
  ibin,
  formatCond,
  formatIndex,
  reduceIdentity,
  simplifyCond,
  simplifyIndex,
  substituteCond,
  substituteIndex,
  type AxisRanges,
  type IndexCond,
  type IndexExpr,
  type OpNode,
  type Var,
} from '@metaop/core';
import type { Accumulator, DynamicIndex, Expr, Kernel, KernelBuffer, Stmt } from './ir/loop-ir.js';
import { invertScatter, type Inversion } from './invert.js';
import type { KernelGroup } from './partition.js';

/** Where a runtime param comes from: a field of a graph node, re-read on every run. */
export interface ParamSource {
  readonly v: Var;
  readonly field: 'value' | 'seed' | 'offset' | 'numel' | 'start';
}

export interface LoweredKernel {
  readonly kernel: Kernel;
  /** Vars bound to buffers 0..n-1 (inputs first, then the output). */
  readonly bufferVars: readonly Var[];
  /** Values of the runtime params, in slot order. */
  readonly params: readonly number[];
  /** The node field each param slot reads. */
  readonly paramSources: readonly ParamSource[];
}

/** Reads the current value of a param source. */
export function paramValue(p: ParamSource): number {
  return fieldValue(p.v, p.field);
}

/** paramValue without the ParamSource object (a replayed plan evaluates its params this way). */
export function fieldValue(v: Var, field: ParamSource['field']): number {
  if (field === 'numel') return v.numel;
  const node = v.node as OpNode;
  if (node.op === 'constant' && field === 'value') return node.value;
  if (node.op === 'random') return field === 'seed' ? node.seed : node.offset;
  if (node.op === 'slice' && field === 'start') {
    const strides = contiguousStrides(node.inputs[0].shape);
    return node.starts.reduce((flat, s, d) => flat + s * strides[d], 0);
  }
  throw new Error(`compiler: Var #${v.id} has no param field ${field}`);
}

const TRUE: IndexCond = { kind: 'bool', value: true };

/** Constants kept in the source: small integers and halves, which rarely change between runs. */
export function isStructural(value: number): boolean {
  return (Number.isInteger(value) && Math.abs(value) <= 16) || Math.abs(value) === 0.5 || !Number.isFinite(value);
}

function isTrue(c: IndexCond): boolean {
  return c.kind === 'bool' && c.value;
}

/**
 * Whether a slice of a kernel input reads from a runtime start (a moving window such as
 * x.at(step) compiles once). Steps stay in the kernel; negative steps keep their starts there too.
 */
export function startsAtRunTime(node: Extract<OpNode, { op: 'slice' }>): boolean {
  return node.steps.every((s) => s > 0);
}

function andCond(a: IndexCond, b: IndexCond): IndexCond {
  if (a.kind === 'bool') return a.value ? b : a;
  if (b.kind === 'bool') return b.value ? a : b;
  return iand(a, b);
}

function flattenIndex(idx: readonly IndexExpr[], shape: readonly number[]): IndexExpr {
  const strides = contiguousStrides(shape);
  let e: IndexExpr = ic(0);
  idx.forEach((x, d) => {
    if (shape[d] !== 1) e = iadd(e, imul(x, ic(strides[d])));
  });
  return e;
}

/** Coordinates of a flat row-major index within `shape`. */
function unflattenIndex(flat: IndexExpr, shape: readonly number[]): IndexExpr[] {
  const strides = contiguousStrides(shape);
  return shape.map((d, k) => (d === 1 ? ic(0) : ibin('%', ibin('/', flat, ic(strides[k])), ic(d))));
}

/**
 * Coordinates in `to` of the element at `idx` in `from` (same elements, row-major). Dims are
 * matched in groups of equal size products, so unit dims and untouched dims map directly and only
 * genuinely merged or split dims go through a flat index.
 */
function reshapeIndex(idx: readonly IndexExpr[], from: readonly number[], to: readonly number[]): IndexExpr[] {
  const out: IndexExpr[] = to.map(() => ic(0));
  const fromDims = from.map((_, d) => d).filter((d) => from[d] !== 1);
  const toDims = to.map((_, d) => d).filter((d) => to[d] !== 1);
  let i = 0;
  let j = 0;
  while (i < fromDims.length && j < toDims.length) {
    const fg = [fromDims[i++]];
    const tg = [toDims[j++]];
    let fp = from[fg[0]];
    let tp = to[tg[0]];
    while (fp !== tp) {
      if (fp < tp) {
        if (i >= fromDims.length) break;
        fg.push(fromDims[i]);
        fp *= from[fromDims[i++]];
      } else {
        if (j >= toDims.length) break;
        tg.push(toDims[j]);
        tp *= to[toDims[j++]];
      }
    }
    if (fp !== tp) return unflattenIndex(flattenIndex(idx, from), to);
    if (fg.length === 1 && tg.length === 1) {
      out[tg[0]] = idx[fg[0]];
      continue;
    }
    const flat = flattenIndex(fg.map((d) => idx[d]), fg.map((d) => from[d]));
    const coords = unflattenIndex(flat, tg.map((d) => to[d]));
    tg.forEach((d, k) => (out[d] = coords[k]));
  }
  return out;
}

function boundsCond(idx: readonly IndexExpr[], shape: readonly number[]): IndexCond {
  let c: IndexCond = TRUE;
  idx.forEach((x, d) => {
    c = andCond(c, andCond(icmp('>=', x, ic(0)), icmp('<', x, ic(shape[d]))));
  });
  return c;
}

class Lowering {
  readonly buffers: KernelBuffer[] = [];
  readonly bufferVars: Var[] = [];
  readonly params: number[] = [];
  readonly paramSources: ParamSource[] = [];
  readonly extents: number[] = [];
  readonly notes: string[] = [];
  private readonly bufferOf = new Map<Var, number>();
  /** Buffers that read an input from a runtime offset, by the slice Var they serve. */
  private readonly windowOf = new Map<Var, number>();
  private readonly memo = new Map<string, Expr>();
  private epilogueStage: Var | null = null;
  private accId = 0;

  constructor(
    private readonly group: KernelGroup,
    private readonly gatherForm: boolean,
  ) {
    for (const v of group.inputs) this.addBuffer(v, 'input');
    // Windows are inputs too, so they come before the output buffer.
    for (const v of group.members) {
      const node = v.node as OpNode;
      if (node.op !== 'slice' || !this.isInput(node.inputs[0]) || !startsAtRunTime(node)) continue;
      const x = node.inputs[0];
      this.windowOf.set(v, this.buffers.length);
      this.buffers.push({ dtype: x.dtype, numel: x.numel, role: 'input', offsetSlot: this.param(v, 'start') });
      this.bufferVars.push(x);
    }
  }

  addBuffer(v: Var, role: 'input' | 'output'): number {
    const existing = this.bufferOf.get(v);
    if (existing !== undefined && role === 'input') return existing;
    const n = this.buffers.length;
    this.buffers.push({ dtype: v.dtype, numel: v.numel, role });
    this.bufferVars.push(v);
    if (role === 'input') this.bufferOf.set(v, n);
    return n;
  }

  loopVar(extent: number): number {
    this.extents.push(extent);
    return this.extents.length - 1;
  }

  get ranges(): AxisRanges {
    return this.extents.map((e) => [0, Math.max(0, e - 1)] as const);
  }

  simplify(e: IndexExpr): IndexExpr {
    return simplifyIndex(e, this.ranges);
  }

  simplifyC(c: IndexCond): IndexCond {
    return simplifyCond(c, this.ranges);
  }

  param(v: Var, field: ParamSource['field']): number {
    const source = { v, field };
    this.params.push(paramValue(source));
    this.paramSources.push(source);
    return this.params.length - 1;
  }

  /** The value of Var `v` at coordinates `idx`, needed only where `guard` holds. */
  value(v: Var, idx: readonly IndexExpr[], guard: IndexCond): Expr {
    const key = `${v.id}|${idx.map(formatIndex).join(',')}|${formatCond(guard)}`;
    const hit = this.memo.get(key);
    if (hit) return hit;
    const e = this.compute(v, idx.map((x) => this.simplify(x)), guard);
    this.memo.set(key, e);
    return e;
  }

  private isInput(v: Var): boolean {
    return this.bufferOf.has(v);
  }

  private compute(v: Var, idx: IndexExpr[], guard: IndexCond): Expr {
    if (v === this.epilogueStage) {
      return { op: 'acc', acc: 0, tile: [], dtype: v.dtype };
    }
    if (this.isInput(v)) {
      // The guard only keeps the read inside the buffer; a provably in-bounds read needs none
      // (where the value is unused, the enclosing select discards it).
      const inBounds = this.simplifyC(boundsCond(idx, v.shape));
      const valid = inBounds.kind === 'bool' && inBounds.value ? TRUE : this.simplifyC(guard);
      return {
        op: 'load',
        buf: this.bufferOf.get(v) as number,
        index: this.simplify(flattenIndex(idx, v.shape)),
        dynamic: [],
        valid,
        fill: 0,
        dtype: v.dtype,
        source: { coords: idx, shape: v.shape, boundsOnly: valid.kind === 'bool' && valid.value },
      };
    }
    const node = v.node as OpNode;
    switch (node.op) {
      case 'constant':
        return isStructural(node.value)
          ? { op: 'const', value: node.value, dtype: v.dtype }
          : { op: 'param', slot: this.param(v, 'value'), dtype: v.dtype };
      case 'index':
        return { op: 'coord', index: idx[node.dim], dtype: v.dtype };
      case 'random':
        return {
          op: 'random',
          dist: node.dist,
          seedSlot: this.param(v, 'seed'),
          offsetSlot: this.param(v, 'offset'),
          counter: this.simplify(flattenIndex(idx, v.shape)),
          dtype: v.dtype,
        };
      case 'cast':
        return { op: 'cast', a: this.value(node.inputs[0], idx, guard), dtype: v.dtype };
      case 'unary':
        return { op: 'unary', fn: node.fn, a: this.value(node.inputs[0], idx, guard), dtype: v.dtype };
      case 'binary':
        return {
          op: 'binary',
          fn: node.fn,
          a: this.value(node.inputs[0], idx, guard),
          b: this.value(node.inputs[1], idx, guard),
          dtype: v.dtype,
        };
      case 'ternary':
        return {
          op: 'select',
          cond: this.value(node.inputs[0], idx, guard),
          a: this.value(node.inputs[1], idx, guard),
          b: this.value(node.inputs[2], idx, guard),
          dtype: v.dtype,
        };
      case 'broadcast': {
        const x = node.inputs[0];
        const lead = v.ndim - x.ndim;
        return this.value(x, x.shape.map((d, k) => (d === 1 ? ic(0) : idx[k + lead])), guard);
      }
      case 'reshape': {
        const x = node.inputs[0];
        return this.value(x, reshapeIndex(idx, v.shape, x.shape).map((e) => this.simplify(e)), guard);
      }
      case 'permute': {
        const x = node.inputs[0];
        const src = new Array<IndexExpr>(x.ndim);
        node.perm.forEach((p, k) => (src[p] = idx[k]));
        return this.value(x, src, guard);
      }
      case 'slice': {
        const x = node.inputs[0];
        if (this.isInput(x) && startsAtRunTime(node)) return this.window(v, node, x, idx, guard);
        return this.value(x, idx.map((e, d) => iadd(ic(node.starts[d]), imul(e, ic(node.steps[d])))), guard);
      }
      case 'pad': {
        const x = node.inputs[0];
        const src = idx.map((e, d) => ibin('-', e, ic(node.before[d])));
        return this.guarded(x, src, this.simplifyC(boundsCond(src.map((e) => this.simplify(e)), x.shape)), guard, node.value, v, true);
      }
      case 'reindex': {
        const x = node.inputs[0];
        const map = (axis: number) => idx[axis];
        const src = node.indexes.map((e) => this.simplify(substituteIndex(e, map)));
        let valid = boundsCond(src, x.shape);
        for (const c of node.overflowConditions) valid = andCond(valid, { kind: 'not', a: substituteCond(c, map) });
        return this.guarded(x, src, this.simplifyC(valid), guard, node.overflowValue, v, node.overflowConditions.length === 0);
      }
      case 'gather': {
        const [x, indexVar] = node.inputs;
        if (!this.isInput(x)) throw new Error('compiler: a gather source must be materialized');
        const at = this.value(indexVar, idx, guard);
        const strides = contiguousStrides(x.shape);
        const staticPart = idx.reduce<IndexExpr>((acc, e, d) => (d === node.dim ? acc : iadd(acc, imul(e, ic(strides[d])))), ic(0));
        return {
          op: 'load',
          buf: this.bufferOf.get(x) as number,
          index: this.simplify(staticPart),
          dynamic: [{ value: at, stride: strides[node.dim], size: x.shape[node.dim] }],
          valid: this.simplifyC(guard),
          fill: 0,
          dtype: v.dtype,
        };
      }
      case 'reduce':
      case 'reindexReduce':
      case 'scatter':
      case 'argReduce':
        throw new Error(`compiler: ${node.op} Var #${v.id} should have been materialized or fused as the stage`);
    }
  }

  /** A slice of input x read through a buffer that starts at the slice's (runtime) flat start. */
  private window(v: Var, node: Extract<OpNode, { op: 'slice' }>, x: Var, idx: readonly IndexExpr[], guard: IndexCond): Expr {
    const buf = this.windowOf.get(v) as number;
    // Slice construction proved start + i*step inside x for every i inside the slice.
    const inBounds = this.simplifyC(boundsCond(idx, v.shape));
    const valid = inBounds.kind === 'bool' && inBounds.value ? TRUE : this.simplifyC(guard);
    const strides = contiguousStrides(x.shape).map((s, d) => s * node.steps[d]);
    return {
      op: 'load',
      buf,
      index: this.simplify(idx.reduce<IndexExpr>((flat, e, d) => (v.shape[d] === 1 ? flat : iadd(flat, imul(e, ic(strides[d])))), ic(0))),
      dynamic: [],
      valid,
      fill: 0,
      dtype: v.dtype,
      // In the window's own coordinates, so a pass can copy exactly the window (restage).
      source: { coords: idx, shape: v.shape, boundsOnly: valid.kind === 'bool' && valid.value, strides },
    };
  }

  /**
   * x at src where `valid` holds, else `fill`; loads of x are guarded so they never leave x.
   * When x is itself guarded (pad of pad, guarded reindex of a guarded reindex), the inner load
   * carries its own predicate and fill, which must survive: the result is
   * valid ? (innerValid ? x : innerFill) : fill.
   */
  private guarded(x: Var, src: IndexExpr[], valid: IndexCond, guard: IndexCond, fill: number, v: Var, boundsOnly = false): Expr {
    if (valid.kind === 'bool') return valid.value ? this.value(x, src, guard) : { op: 'const', value: fill, dtype: v.dtype };
    const both = this.simplifyC(andCond(guard, valid));
    const inner = this.value(x, src, both);
    if (inner.op === 'load' && inner.dynamic.length === 0) {
      // The inner load's fill is unused when its predicate holds wherever `both` does (it is
      // true, or exactly the guard it was given): the outer predicate and fill replace it.
      if (isTrue(inner.valid) || formatCond(inner.valid) === formatCond(both)) {
        // Reading x directly with only its own bounds tested: a padded copy could serve it.
        const padding = boundsOnly && isTrue(guard) && inner.buf === this.bufferOf.get(x);
        return { ...inner, valid: both, fill, source: inner.source && { ...inner.source, boundsOnly: padding } };
      }
      // Same fill inside and out: one load valid where both predicates hold.
      if (Object.is(inner.fill, fill)) {
        return { ...inner, valid: this.simplifyC(andCond(both, inner.valid)), source: inner.source && { ...inner.source, boundsOnly: false } };
      }
    }
    return { op: 'select', cond: { op: 'test', cond: valid, dtype: 'bool' }, a: inner, b: { op: 'const', value: fill, dtype: v.dtype }, dtype: v.dtype };
  }

  /** Spatial loops over `shape`, innermost body built from the loop variables. */
  nest(shape: readonly number[], role: 'spatial' | 'reduce' | 'init', inner: (vars: IndexExpr[]) => Stmt[]): Stmt[] {
    const vars = shape.map((d) => this.loopVar(d));
    let body = inner(vars.map((n) => iv(n)));
    for (let k = shape.length - 1; k >= 0; k--) {
      body = [{ s: 'loop', v: vars[k], extent: shape[k], role, schedule: {}, body }];
    }
    return body;
  }

  lower(): Stmt[] {
    const { root, stage } = this.group;
    const out = this.addBuffer(root, 'output');
    if (!stage) {
      this.notes.push('element-wise');
      return this.nest(root.shape, 'spatial', (vars) => [
        { s: 'store', buf: out, index: this.simplify(flattenIndex(vars, root.shape)), value: this.value(root, vars, TRUE) },
      ]);
    }
    const node = stage.node as OpNode;
    if (node.op === 'reduce' || node.op === 'argReduce') return this.lowerReduce(stage, node, out);
    if (node.op === 'reindexReduce' || node.op === 'scatter') return this.lowerScatter(stage, node, out);
    throw new Error(`compiler: ${node.op} cannot be a kernel stage`);
  }

  private lowerReduce(stage: Var, node: Extract<OpNode, { op: 'reduce' | 'argReduce' }>, out: number): Stmt[] {
    const { root } = this.group;
    const x = node.inputs[0];
    const dims = node.op === 'reduce' ? node.dims : [node.dim];
    this.notes.push(node.op === 'reduce' ? `reduce(${node.fn}) over dims [${dims.join(', ')}]` : `${node.fn} over dim ${node.dim}`);
    if (root !== stage) this.notes.push('with an element-wise epilogue');
    const fn = node.fn;
    const acc: Accumulator = { id: this.accId++, fn, dtype: x.dtype, tile: [] };
    return this.nest(stage.shape, 'spatial', (outVars) => {
      const reduceVars = dims.map((d) => this.loopVar(x.shape[d]));
      const xIdx: IndexExpr[] = [];
      let k = 0;
      x.shape.forEach((_, d) => {
        const r = dims.indexOf(d);
        if (r >= 0) {
          xIdx.push(iv(reduceVars[r]));
          if (node.keepdim) k++;
        } else xIdx.push(outVars[k++]);
      });
      let inner: Stmt[] = [
        {
          s: 'accUpdate',
          acc: acc.id,
          tile: [],
          value: this.value(x, xIdx, TRUE),
          position: node.op === 'argReduce' ? iv(reduceVars[0]) : undefined,
        },
      ];
      for (let r = reduceVars.length - 1; r >= 0; r--) {
        inner = [{ s: 'loop', v: reduceVars[r], extent: x.shape[dims[r]], role: 'reduce', schedule: {}, body: inner }];
      }
      // The epilogue path keeps the flat index (element-wise ops and reshapes), so the root element
      // of this iteration sits at the stage's flat position.
      const flat = this.simplify(flattenIndex(outVars, stage.shape));
      const rootIdx = root === stage ? outVars : unflattenIndex(flat, root.shape).map((e) => this.simplify(e));
      this.epilogueStage = stage;
      const result = this.value(root, rootIdx, TRUE);
      this.epilogueStage = null;
      return [{ s: 'accInit', acc }, ...inner, { s: 'store', buf: out, index: flat, value: result }];
    });
  }

  /** reindexReduce in gather form (see invert.ts): a reduction over the free input axes. */
  private lowerGather(stage: Var, node: Extract<OpNode, { op: 'reindexReduce' }>, out: number, inv: Inversion): Stmt[] {
    const x = node.inputs[0];
    this.notes.push(`reindexReduce(${node.fn}) in gather form (summing over input axes ${inv.free.map((a) => `i${a}`).join(', ') || 'none'})`);
    const acc: Accumulator = { id: this.accId++, fn: node.fn, dtype: x.dtype, tile: [] };
    return this.nest(stage.shape, 'spatial', (outVars) => {
      const freeVars = inv.free.map((a) => this.loopVar(x.shape[a]));
      const space = [...outVars, ...freeVars.map((v) => iv(v))];
      const map = (axis: number) => space[axis];
      const coords = inv.coords.map((e) => this.simplify(substituteIndex(e, map)));
      let valid = boundsCond(coords, x.shape);
      for (const c of inv.constraints) valid = andCond(valid, substituteCond(c, map));
      for (const c of node.overflowConditions) valid = andCond(valid, { kind: 'not', a: substituteCond(c, (a) => coords[a]) });
      let inner: Stmt[] = [{ s: 'accUpdate', acc: acc.id, tile: [], value: this.guarded(x, coords, this.simplifyC(valid), TRUE, 0, stage, node.overflowConditions.length === 0) }];
      for (let k = freeVars.length - 1; k >= 0; k--) {
        inner = [{ s: 'loop', v: freeVars[k], extent: x.shape[inv.free[k]], role: 'reduce', schedule: {}, body: inner }];
      }
      const result: Expr = { op: 'acc', acc: acc.id, tile: [], dtype: stage.dtype };
      return [{ s: 'accInit', acc }, ...inner, { s: 'store', buf: out, index: this.simplify(flattenIndex(outVars, stage.shape)), value: result }];
    });
  }

  private lowerScatter(stage: Var, node: Extract<OpNode, { op: 'reindexReduce' | 'scatter' }>, out: number): Stmt[] {
    const x = node.inputs[0];
    if (node.op === 'reindexReduce' && node.fn === 'add' && this.gatherForm) {
      const inv = invertScatter(node.indexes, x.shape, stage.shape);
      if (inv) return this.lowerGather(stage, node, out, inv);
    }
    this.notes.push(node.op === 'scatter' ? `scatter(${node.fn}) along dim ${node.dim}` : `reindexReduce(${node.fn})`);
    const identity: Expr = { op: 'const', value: reduceIdentity(node.fn, stage.dtype), dtype: stage.dtype };
    const init = this.nest([stage.numel], 'init', ([i]) => [{ s: 'store', buf: out, index: i, value: identity }]);
    const body = this.nest(x.shape, 'spatial', (vars) => {
      const value = this.value(x, vars, TRUE);
      if (node.op === 'reindexReduce') {
        const dst = node.indexes.map((e) => this.simplify(substituteIndex(e, (a) => vars[a])));
        let valid = boundsCond(dst, stage.shape);
        for (const c of node.overflowConditions) valid = andCond(valid, { kind: 'not', a: substituteCond(c, (a) => vars[a]) });
        return [
          {
            s: 'scatter',
            buf: out,
            fn: node.fn,
            index: this.simplify(flattenIndex(dst, stage.shape)),
            dynamic: [],
            valid: this.simplifyC(valid),
            value,
            // A target dim that is exactly one loop variable keeps that variable's writes apart.
            exclusive: dst.filter((e) => e.kind === 'idx').map((e) => (e as { axis: number }).axis),
          },
        ];
      }
      const at = this.value(node.inputs[1], vars, TRUE);
      const strides = contiguousStrides(stage.shape);
      const staticPart = vars.reduce<IndexExpr>((acc, e, d) => (d === node.dim ? acc : iadd(acc, imul(e, ic(strides[d])))), ic(0));
      const dyn: DynamicIndex = { value: at, stride: strides[node.dim], size: stage.shape[node.dim] };
      const exclusive = vars.filter((_, d) => d !== node.dim).map((e) => (e as { axis: number }).axis);
      return [{ s: 'scatter', buf: out, fn: node.fn, index: this.simplify(staticPart), dynamic: [dyn], valid: TRUE, value, exclusive }];
    });
    return [...init, ...body];
  }
}

/** Lowers one kernel group to loop IR (before schedule passes). */
export interface LowerOptions {
  /** Run invertible reindexReduce(add) stages as gather-form reductions (default true). */
  readonly gatherForm?: boolean;
}

export function lowerGroup(group: KernelGroup, options: LowerOptions = {}): LoweredKernel {
  const l = new Lowering(group, options.gatherForm ?? true);
  const body = l.lower();
  const kernel: Kernel = {
    name: `k${group.root.id}`,
    buffers: l.buffers,
    paramCount: l.params.length,
    loopExtents: l.extents,
    body,
    notes: l.notes,
  };
  return { kernel, bufferVars: l.bufferVars, params: l.params, paramSources: l.paramSources };
}
