// The BANG C dialect of the shared C-like renderer. Each kernel becomes one or more `__mlu_global__`
// functions (a new launch where a scatter must see its initialised output), the outermost parallel
// loop split across `taskDim` by `taskId`, innermost loops on the vector path (NRAM tiles staged
// with `__memcpy` and computed with `__bang_*` intrinsics, see vector-plan.ts) where they qualify
// and on the scalar path (plain C reading GDRAM pointers) otherwise, plus an `extern "C"` launcher:
// `<<<dim, Union1, queue>>>` under cncc, the emulator's task loop on a host compiler.
import { CFamilyRenderer, cFamilyHelpers, type Accumulator, type Expr, type Kernel, type NonFiniteVariant, type Stmt } from '@metaop/compiler';
import type { DType } from '@metaop/core';
import { nramBufferBytes, taskCount, type BangTarget } from './targets.js';
import { planLoop, planRows, type Operand, type VecOp, type VectorPlan } from './vector-plan.js';

type LoopStmt = Extract<Stmt, { s: 'loop' }>;

/** A launch of one body of a kernel with a non-finite variant: it runs when the flag is `runs`. */
interface PhaseGuard {
  readonly variant: NonFiniteVariant;
  readonly runs: boolean;
}

/** Largest add-reduction tile (lane sums per tile, folded into the accumulator by a tree of `__bang_add`). */
const MAX_SUM_TILE = 2048;

/** Tiles a vector-path sum adds into its NRAM lane sums before they are pooled into the accumulator. */
const SUM_FOLD = 16;

/** A loop split across tasks: parallel output loops. Reductions stay whole (no cross-task combine). */
function taskSplit(s: Stmt): boolean {
  return s.s === 'loop' && s.schedule.parallel === true && s.role !== 'reduce';
}

/** The shared C-family scalar helpers as MLU device functions. */
const scalarHelpers = cFamilyHelpers.replaceAll('static inline', '__mlu_func__');

function some(s: Stmt, test: (s: Stmt) => boolean): boolean {
  return test(s) || (s.s === 'loop' && s.body.some((b) => some(b, test)));
}

/** Buffers a statement reads (loads, and the targets it accumulates into) and writes. */
function access(s: Stmt, out = { reads: new Set<number>(), writes: new Set<number>() }) {
  const expr = (e: Expr): void => {
    if (e.op === 'load') out.reads.add(e.buf);
    if (e.op === 'load') e.dynamic.forEach((d) => expr(d.value));
    if (e.op === 'cast' || e.op === 'unary') expr(e.a);
    if (e.op === 'binary') [e.a, e.b].forEach(expr);
    if (e.op === 'select') [e.cond, e.a, e.b].forEach(expr);
  };
  if (s.s === 'loop') s.body.forEach((b) => access(b, out));
  else if (s.s === 'store' || s.s === 'scatter') {
    out.writes.add(s.buf);
    if (s.s === 'scatter') out.reads.add(s.buf);
    expr(s.value);
    if (s.s === 'scatter') s.dynamic.forEach((d) => expr(d.value));
  } else if (s.s === 'def' || s.s === 'accUpdate') expr(s.value);
  return out;
}

/**
 * Top-level statements split into launches. Tasks of one launch run in any order, so a statement
 * that touches a buffer an earlier statement of the launch wrote (a scatter after its output's
 * init) starts a new launch on the same queue.
 */
function phasesOf(body: readonly Stmt[]): Stmt[][] {
  const phases: Stmt[][] = [[]];
  let written = new Set<number>();
  for (const s of body) {
    const { reads, writes } = access(s);
    if ([...reads, ...writes].some((b) => written.has(b))) {
      phases.push([]);
      written = new Set();
    }
    phases[phases.length - 1].push(s);
    writes.forEach((b) => written.add(b));
  }
  return phases;
}

export class BangRenderer extends CFamilyRenderer {
  override readonly dialect: string;
  override readonly entry = 'metaop_kernel';
  private readonly nramBytes: number;
  private readonly tasks: number;

  constructor(readonly target: BangTarget) {
    super();
    this.dialect = `bang-${target.name}`;
    this.nramBytes = nramBufferBytes(target);
    this.tasks = taskCount(target);
  }

  /** A whole translation unit; the launcher is named after the kernel (the symbol the driver loads). */
  override render(kernel: Kernel): string {
    return [...this.preamble(), this.renderFunction(kernel, kernel.name)].join('\n');
  }

  override renderFunction(kernel: Kernel, entry: string = this.entry): string {
    const variant = kernel.nonFinite;
    // With a non-finite variant, both bodies' launches are queued; every task of each launch
    // computes the flag, and the launches of the body it does not pick return at once.
    const bodies: { body: readonly Stmt[]; vectorLanes?: number; guard?: PhaseGuard }[] = variant
      ? [
          { body: kernel.body, vectorLanes: kernel.vectorLanes, guard: { variant, runs: false } },
          { body: variant.body, vectorLanes: variant.vectorLanes, guard: { variant, runs: true } },
        ]
      : [{ body: kernel.body, vectorLanes: kernel.vectorLanes }];
    const parts: string[] = [];
    for (const { body, vectorLanes, guard } of bodies) {
      for (const phase of phasesOf(body)) {
        this.phaseGuard = guard;
        parts.push(super.renderFunction({ ...kernel, body: phase, vectorLanes, nonFinite: undefined }, `${entry}_p${parts.length}`));
      }
    }
    this.phaseGuard = undefined;
    return [...parts, this.launcher(kernel, entry, parts.length)].join('\n');
  }

  /** Set while rendering a launch of a kernel with a non-finite variant. */
  private phaseGuard: PhaseGuard | undefined;

  protected override renderBody(body: readonly Stmt[], lanes: number | undefined): void {
    const guard = this.phaseGuard;
    if (guard) this.emit(`if (${guard.runs ? '!' : ''}${this.nonFiniteFlag(guard.variant)}) return;`);
    super.renderBody(body, lanes);
  }

  // ---- structure -------------------------------------------------------------------------------

  protected override preamble(): string[] {
    const t = this.target;
    return [
      `// BANG C generated by MetaOp for ${t.name} (__BANG_ARCH__ ${t.arch}): ${this.tasks} Union1 tasks per launch, ${this.nramBytes} bytes of NRAM per task.`,
      '#ifdef __BANG__',
      '#include <bang.h>',
      '#include <cnrt.h>',
      '#else',
      '#include "bang_emu.h"',
      '#endif',
      scalarHelpers,
      `__nram__ char metaop_nram[${this.nramBytes}];`,
      '#ifdef __BANG__',
      'static cnrtQueue_t metaop_queue(void) {',
      '  static cnrtQueue_t queue = 0;',
      '  if (!queue) cnrtQueueCreate(&queue);',
      '  return queue;',
      '}',
      '#endif',
      '',
    ];
  }

  protected override signature(entry: string): string {
    const bufs = this.kernel.buffers.map((b, i) => `${this.typeName(b.dtype)}* b${i}`);
    const params = Array.from({ length: this.kernel.paramCount }, (_, i) => `double p${i}`);
    return `__mlu_global__ void ${entry}(${[...bufs, ...params].join(', ')}) {`;
  }

  protected override bufferBindings(): string[] {
    return ['if (__is_mpu()) return;'];
  }

  private launcher(kernel: Kernel, entry: string, phases: number): string {
    const args = [
      ...kernel.buffers.map((b, i) => `((${this.typeName(b.dtype)}*)bufs[${i}]${b.offsetSlot === undefined ? '' : ` + (int64_t)params[${b.offsetSlot}]`})`),
      ...Array.from({ length: kernel.paramCount }, (_, i) => `params[${i}]`),
    ].join(', ');
    const ids = Array.from({ length: phases }, (_, p) => `${entry}_p${p}`);
    return [
      `extern "C" int ${entry}(void** bufs, const double* params) {`,
      `  cnrtDim3_t dim = {${this.tasks}, 1, 1};`,
      '#ifdef __BANG__',
      '  cnrtQueue_t queue = metaop_queue();',
      ...ids.map((f) => `  ${f}<<<dim, cnrtFuncTypeUnion1, queue>>>(${args});`),
      '  return (int)cnrtQueueSync(queue);',
      '#else',
      ...ids.map((f) => `  if (bang_emu_launch(dim, cnrtFuncTypeUnion1, metaop_nram, sizeof metaop_nram, [&] { ${f}(${args}); })) return 1;`),
      '  return 0;',
      '#endif',
      '}',
      '',
    ].join('\n');
  }

  /** Top-level statements without a task-split loop run on task 0 only. */
  protected override stmts(list: readonly Stmt[]): void {
    if (this.depth !== 1) return super.stmts(list);
    const split = (s: Stmt) => some(s, taskSplit);
    for (let i = 0; i < list.length; ) {
      if (split(list[i])) {
        this.stmt(list[i++]);
        continue;
      }
      let j = i;
      while (j < list.length && !split(list[j])) j++;
      this.emit('if (taskId == 0) {');
      this.depth++;
      super.stmts(list.slice(i, j));
      this.depth--;
      this.emit('}');
      i = j;
    }
  }

  /** Declares the task's share [lo<v>, hi<v>) of a parallel loop's iterations. */
  private taskRange(loop: LoopStmt): string {
    const [v, e] = [loop.v, this.intLit(loop.extent)];
    return `const int64_t c${v} = (${e} + taskDim - 1) / taskDim, lo${v} = (int64_t)taskId * c${v}, hi${v} = mo_min(${e}, lo${v} + c${v});`;
  }

  protected override loopHeader(loop: LoopStmt, reductionClause: string): string[] {
    if (!taskSplit(loop)) return super.loopHeader(loop, reductionClause);
    const v = loop.v;
    return [this.taskRange(loop), `for (int64_t i${v} = lo${v}; i${v} < hi${v}; i${v}++) {`];
  }

  protected override loop(s: LoopStmt): void {
    const f32 = (buf: number) => this.kernel.buffers[buf].dtype === 'float32';
    const plan = planRows(s, f32) ?? planLoop(s, this.accs, f32);
    if (!plan || !this.vector(plan, s)) super.loop(s);
  }

  // ---- the vector path ------------------------------------------------------------------------------

  /** Prints `plan` over loop `range` (rows in flat mode); false when its tiles do not fit in NRAM. */
  private vector(plan: VectorPlan, range: LoopStmt): boolean {
    const scale = plan.period || 1;
    const total = range.extent * scale;
    const sum = plan.kind === 'sum';
    const fixed = plan.segments.length * plan.unit * 4;
    const slots = plan.slots + (sum ? 1 : 0);
    let tile = Math.floor((this.nramBytes - fixed) / (slots * 4) / plan.unit) * plan.unit;
    tile = Math.min(tile, Math.ceil(total / plan.unit) * plan.unit, sum ? MAX_SUM_TILE : Infinity);
    if (tile < plan.unit) return false;

    const v = range.v;
    const [o, n, np] = [`o${v}`, `n${v}`, `np${v}`];
    let offset = 0;
    const carve = (name: string, elems: number) => {
      this.emit(`float* ${name} = (float*)(metaop_nram + ${offset});`);
      offset += elems * 4;
    };
    this.emit('{');
    this.depth++;
    this.emit(`// vector path: NRAM tiles of ${tile} floats${plan.period ? `, whole rows of ${plan.period}` : ''}`);
    for (let k = 0; k < plan.slots; k++) carve(`nv${k}`, tile);
    plan.segments.forEach((_, k) => carve(`ns${k}`, plan.unit));
    if (sum) carve('nacc', tile);
    this.exprWithTemps(plan.scalars).forEach((x, k) => this.emit(`const float s${k} = ${x};`));
    plan.segments.forEach((seg, k) => {
      if ('recipOf' in seg) this.emit(`__bang_recip(ns${k}, ns${seg.recipOf}, ${plan.unit});`);
      else {
        const bytes = plan.period * 4;
        this.emit(`__memcpy(ns${k}, b${seg.buf} + ${this.index(seg.base)}, ${bytes}, GDRAM2NRAM, ${bytes}, 0, ${plan.unit / plan.period - 1});`);
      }
    });
    if (sum) this.emit(`__bang_write_zero(nacc, ${tile});`);
    let lo = '0';
    let hi = this.intLit(total);
    if (taskSplit(range)) {
      this.emit(this.taskRange(range));
      const times = scale === 1 ? '' : ` * ${scale}`;
      [lo, hi] = [`lo${v}${times}`, `hi${v}${times}`];
    }
    this.emit(`for (int64_t ${o} = ${lo}; ${o} < ${hi}; ${o} += ${tile}) {`);
    this.depth++;
    this.emit(`const int ${n} = (int)mo_min(${tile}, ${hi} - ${o});`);
    this.emit(`const int ${np} = (${n} + ${plan.unit - 1}) / ${plan.unit} * ${plan.unit};`);
    for (const op of plan.ops) this.vecOp(op, o, n, np, plan.unit);
    const res = this.operand(plan.result);
    if (plan.out) {
      this.emit(`__memcpy(b${plan.out.buf} + ${this.index(plan.out.base)} + ${o}, ${res}, ${n} * 4, NRAM2GDRAM);`);
    } else {
      this.emit(`for (int j = ${n}; j < ${np}; j++) ${res}[j] = 0.0f; // padding lanes must not add to the sum`);
      this.emit(`__bang_add(nacc, nacc, ${res}, ${np});`);
      // Lane sums stay short: every SUM_FOLD tiles they are pooled into the accumulator.
      this.emit(`if (((${o} - ${lo}) / ${tile}) % ${SUM_FOLD} == ${SUM_FOLD - 1}) {`);
      this.depth++;
      this.foldSum(plan, tile);
      this.emit(`__bang_write_zero(nacc, ${tile});`);
      this.depth--;
      this.emit('}');
    }
    this.depth--;
    this.emit('}');
    if (sum) this.foldSum(plan, tile);
    this.depth--;
    this.emit('}');
    return true;
  }

  /**
   * acc ⊕= the sum of the NRAM lane partial sums: halves added pairwise with __bang_add while both
   * halves are whole 64-float counts (a tree, not a chain of additions), then the last lanes one by one.
   */
  private foldSum(plan: VectorPlan, tile: number): void {
    let m = tile;
    for (; m % 128 === 0; m /= 2) this.emit(`__bang_add(nacc, nacc, nacc + ${m / 2}, ${m / 2});`);
    const acc = this.accs.get(plan.acc as number) as Accumulator;
    this.emit(`for (int j = 0; j < ${m}; j++) {`);
    this.depth++;
    this.accumulateInto(acc, `acc${acc.id}`, 'nacc[j]');
    this.depth--;
    this.emit('}');
  }

  private operand(x: Operand): string {
    return x.kind === 'vec' ? `nv${x.slot}` : x.kind === 'scalar' ? `s${x.id}` : `ns${x.seg}`;
  }

  private vecOp(op: VecOp, o: string, n: string, np: string, unit: number): void {
    const d = `nv${op.dst}`;
    switch (op.op) {
      case 'load':
        return this.emit(`__memcpy(${d}, b${op.buf} + ${this.index(op.base)} + ${o}, ${n} * 4, GDRAM2NRAM);`);
      case 'fill':
        return this.emit(`__bang_write_value(${d}, ${np}, s${op.scalar});`);
      case 'unary': {
        const a = `nv${op.a}`;
        if (op.fn === 'neg') return this.emit(`__bang_mul_scalar(${d}, ${a}, -1.0f, ${np});`);
        if (op.fn === 'rsqrt') return this.emit(`__bang_active_sqrt(${d}, ${a}, ${np}); __bang_recip(${d}, ${d}, ${np});`);
        return this.emit(`__bang_active_${op.fn}(${d}, ${a}, ${np});`);
      }
      case 'binary':
        return this.emit(this.vecBinary(op, d, np, unit));
    }
  }

  private vecBinary(op: Extract<VecOp, { op: 'binary' }>, d: string, np: string, unit: number): string {
    const [a, b] = [this.operand(op.a), this.operand(op.b)];
    const { fn } = op;
    const kinds = `${op.a.kind}-${op.b.kind}`;
    switch (kinds) {
      case 'vec-vec':
        return fn === 'div' ? `__bang_recip(${d}, ${b}, ${np}); __bang_mul(${d}, ${a}, ${d}, ${np});` : `__bang_${fn}(${d}, ${a}, ${b}, ${np});`;
      case 'vec-scalar':
        return fn === 'div' ? `__bang_mul_scalar(${d}, ${a}, 1.0f / ${b}, ${np});` : `__bang_${fn}_scalar(${d}, ${a}, ${b}, ${np});`;
      case 'scalar-vec':
        if (fn === 'sub') return `__bang_mul_scalar(${d}, ${b}, -1.0f, ${np}); __bang_add_scalar(${d}, ${d}, ${a}, ${np});`;
        if (fn === 'div') return `__bang_recip(${d}, ${b}, ${np}); __bang_mul_scalar(${d}, ${d}, ${a}, ${np});`;
        return `__bang_${fn}_scalar(${d}, ${b}, ${a}, ${np});`;
      case 'vec-cycle':
        return `__bang_cycle_${fn}(${d}, ${a}, ${b}, ${np}, ${unit});`;
      case 'cycle-vec':
        if (fn === 'sub') return `__bang_cycle_sub(${d}, ${b}, ${a}, ${np}, ${unit}); __bang_mul_scalar(${d}, ${d}, -1.0f, ${np});`;
        if (fn === 'div') return `__bang_recip(${d}, ${b}, ${np}); __bang_cycle_mul(${d}, ${d}, ${a}, ${np}, ${unit});`;
        return `__bang_cycle_${fn}(${d}, ${b}, ${a}, ${np}, ${unit});`;
      default:
        throw new Error(`bang renderer: no vector form for ${fn} on ${kinds} operands`);
    }
  }

  // ---- scalar path: params are kernel arguments p<slot> ------------------------------------------

  protected override param(slot: number, dtype: DType): string {
    return dtype === 'float64' ? `p${slot}` : `((${this.typeName(dtype)})p${slot})`;
  }

  protected override random(e: Extract<Expr, { op: 'random' }>): string {
    const fn = e.dist === 'uniform' ? 'mo_uniform' : 'mo_normal';
    const counter = `(uint64_t)(${this.index(e.counter)}) + (uint64_t)p${e.offsetSlot}`;
    return `((${this.typeName(e.dtype)})${fn}(${counter}, (uint64_t)p${e.seedSlot}))`;
  }
}
