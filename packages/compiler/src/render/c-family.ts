// The C-family base renderer: it walks the loop IR and prints C-like code — statements,
// accumulators, expressions with PyTorch's cast and integer semantics, index arithmetic. Dialects
// (the CPU's C with OpenMP and GCC vectors, JavaScript, BANG C, CUDA) subclass it and override the
// hooks that differ (types, loops, math, helpers). It holds no policy of any one target.
import {
  assertNever,
  indexBounds,
  convertValue,
  isFloat,
  numberKey,
  reduceIdentity,
  type BinaryFn,
  type DType,
  type IndexCond,
  type IndexExpr,
  type Range,
  type ReduceFn,
  type UnaryFn,
} from '@metaop/core';
import type { Accumulator, Expr, Kernel, NonFiniteVariant, Stmt } from '../ir/loop-ir.js';
import { exprChildren } from '../ir/transform.js';
import { kernelRanges } from '../passes/ranges.js';
import { cFamilyHelpers } from './c-helpers.js';

export type LoopStmt = Extract<Stmt, { s: 'loop' }>;

export class CFamilyRenderer {
  /** Dialect name, used in kernel keys. */
  readonly dialect: string = 'c';
  /** The symbol the driver looks up. */
  readonly entry: string = 'metaop_kernel';

  protected kernel!: Kernel;
  protected ranges: Range[] = [];
  protected accs = new Map<number, Accumulator>();
  protected lines: string[] = [];
  protected depth = 0;
  private temp = 0;

  /** A complete translation unit: helpers and the kernel function named `entry`. */
  render(kernel: Kernel): string {
    return [...this.preamble(), this.renderFunction(kernel)].join('\n');
  }

  /** Just the kernel function (several can share one translation unit after preamble()). */
  renderFunction(kernel: Kernel, entry: string = this.entry): string {
    this.kernel = kernel;
    this.ranges = kernelRanges(kernel);
    this.lines = [];
    this.depth = 1;
    this.temp = 0;
    for (const line of this.bufferBindings()) this.emit(line);
    const variant = kernel.nonFinite;
    this.enter(kernel);
    if (!variant) this.renderBody(kernel.body, kernel.vectorLanes);
    else {
      // One uniform flag, computed where the kernel runs, picks the body (see NonFiniteVariant).
      this.emit(`if (${this.nonFiniteFlag(variant)}) {`);
      this.depth++;
      this.renderBody(variant.body, variant.vectorLanes);
      this.depth--;
      this.emit('} else {');
      this.depth++;
      this.renderBody(kernel.body, kernel.vectorLanes);
      this.depth--;
      this.emit('}');
    }
    this.leave(kernel);
    return [this.signature(entry), ...this.lines, this.epilogue()].join('\n') + '\n';
  }

  /** Emitted after the buffer bindings, before the body (the CPU dialect takes its threads here). */
  protected enter(_kernel: Kernel): void {}

  /** Emitted after the body. */
  protected leave(_kernel: Kernel): void {}

  /** One body of the kernel (a kernel may have a non-finite variant besides). */
  protected renderBody(body: readonly Stmt[], _lanes: number | undefined): void {
    this.accs.clear();
    this.stmts(body);
  }


  /**
   * Emits the scan of the variant's buffers and params and returns the flag: x - x is 0 exactly
   * for finite x (NaN for Inf and NaN), which holds under IEEE semantics, as NaN-propagating max
   * and min already need (no -ffinite-math-only).
   */
  protected nonFiniteFlag(variant: NonFiniteVariant): string {
    const test = (x: string) => `(${x} - ${x} != 0)`;
    this.emit(this.declare('nonfinite', 'int32', '0'));
    for (const b of variant.buffers) this.emit(this.scanLoop('j', this.kernel.buffers[b].numel, `nonfinite |= ${test(`b${b}[j]`)};`));
    for (const p of variant.params) this.emit(`nonfinite |= ${test(this.param(p.slot, p.dtype))};`);
    return 'nonfinite';
  }

  /** `for j in 0..n: body` on one line. */
  protected scanLoop(j: string, n: number, body: string): string {
    return `for (int64_t ${j} = 0; ${j} < ${this.intLit(n)}; ${j}++) ${body}`;
  }

  /** Text that must precede the kernel functions (includes and helpers). */
  preambleText(): string {
    return this.preamble().join('\n');
  }

  // ---- structure hooks ------------------------------------------------------------------------

  protected preamble(): string[] {
    return [cFamilyHelpers];
  }

  protected signature(entry: string): string {
    return `void ${entry}(void** restrict bufs, const double* restrict params) {`;
  }

  protected epilogue(): string {
    return '}';
  }

  protected bufferBindings(): string[] {
    return this.kernel.buffers.map((b, i) => {
      const t = this.typeName(b.dtype);
      const at = b.offsetSlot === undefined ? '' : ` + (int64_t)params[${b.offsetSlot}]`;
      return b.role === 'input' ? `const ${t}* restrict b${i} = (const ${t}*)bufs[${i}]${at};` : `${t}* restrict b${i} = (${t}*)bufs[${i}];`;
    });
  }

  protected typeName(dtype: DType): string {
    switch (dtype) {
      case 'float32':
        return 'float';
      case 'float64':
        return 'double';
      case 'int32':
        return 'int32_t';
      case 'uint8':
      case 'bool':
        return 'uint8_t';
      default:
        return assertNever(dtype);
    }
  }

  protected declare(name: string, dtype: DType, value: string): string {
    return `${this.typeName(dtype)} ${name} = ${value};`;
  }

  /** A loop's header lines; `clauses` is dialect text for the loop (OpenMP's reduction clauses on the CPU). */
  protected loopHeader(loop: LoopStmt, _clauses: string): string[] {
    const v = `i${loop.v}`;
    const out: string[] = [];
    const extent = this.loopExtent(loop);
    if (loop.schedule.unroll) out.push(`#pragma GCC unroll ${Math.min(loop.extent, 16)}`);
    out.push(`for (int64_t ${v} = 0; ${v} < ${extent}; ${v}++) {`);
    return out;
  }

  /** The trip count: a literal, or a parameter for a loop whose extent is known at run time. */
  protected loopExtent(loop: LoopStmt): string {
    return loop.dynamicSlot === undefined ? this.intLit(loop.extent) : `(int64_t)params[${loop.dynamicSlot}]`;
  }

  protected intLit(v: number): string {
    return Math.abs(v) > 2147483647 ? `${v}LL` : String(v);
  }

  // ---- statements ------------------------------------------------------------------------------

  protected emit(line: string): void {
    this.lines.push('  '.repeat(this.depth) + line);
  }

  protected stmts(list: readonly Stmt[]): void {
    for (const s of list) this.stmt(s);
  }

  /**
   * For device dialects whose kernel body runs on every thread of a launch: the statements of
   * `list` for which `spread` holds (they hold a loop bound to the launch's threads) run as they
   * are; each run of the others goes inside `guard` (a line opening a block that one thread enters).
   */
  protected oneThreadOutside(list: readonly Stmt[], spread: (s: Stmt) => boolean, guard: string): void {
    for (let i = 0; i < list.length; ) {
      if (spread(list[i])) {
        this.stmt(list[i++]);
        continue;
      }
      let j = i;
      while (j < list.length && !spread(list[j])) j++;
      this.emit(guard);
      this.depth++;
      this.stmts(list.slice(i, j));
      this.depth--;
      this.emit('}');
      i = j;
    }
  }

  protected stmt(s: Stmt): void {
    switch (s.s) {
      case 'loop':
        return this.loop(s);
      case 'def': {
        const v = this.exprWithTemps([s.value]);
        this.emit(this.declare(`t${s.id}`, s.value.dtype, v[0]));
        return;
      }
      case 'store': {
        const [value] = this.exprWithTemps([s.value]);
        this.emit(`b${s.buf}[${this.index(s.index)}] = ${value};`);
        return;
      }
      case 'accInit':
        return this.accInit(s.acc);
      case 'accUpdate':
        return this.accUpdate(s);
      case 'scatter':
        return this.scatter(s);
      case 'barrier':
      case 'blockReduce':
        return this.blockLevel(s);
      default:
        return assertNever(s);
    }
  }

  /** Statements that only device dialects with blocks of threads print (set by passes/gpu-map.ts). */
  protected blockLevel(s: Extract<Stmt, { s: 'barrier' | 'blockReduce' }>): void {
    throw new Error(`the ${this.dialect} renderer has no blocks of threads: cannot print a ${s.s} statement`);
  }

  protected loop(s: LoopStmt): void {
    for (const line of this.loopHeader(s, '')) this.emit(line);
    this.depth++;
    this.stmts(s.body);
    this.depth--;
    this.emit('}');
  }

  /** Flat position of a tile cell: tiles are rendered as 1-D arrays. */
  protected tileOffset(acc: Accumulator, tile: readonly IndexExpr[]): string {
    let stride = 1;
    const terms: string[] = [];
    for (let k = acc.tile.length - 1; k >= 0; k--) {
      terms.push(stride === 1 ? this.index(tile[k]) : `${this.index(tile[k])} * ${stride}`);
      stride *= acc.tile[k];
    }
    return terms.reverse().join(' + ');
  }

  protected accRef(acc: Accumulator, tile: readonly IndexExpr[]): string {
    if (acc.tile.length === 0) return `acc${acc.id}`;
    return `acc${acc.id}[${this.tileOffset(acc, tile)}]`;
  }

  /** Declares a register tile and fills it with `init`. */
  protected declareTile(acc: Accumulator, init: string): void {
    const n = acc.tile.reduce((a, b) => a * b, 1);
    this.emit(`${this.typeName(acc.dtype)} acc${acc.id}[${n}];`);
    this.emit(`for (int t = 0; t < ${n}; t++) acc${acc.id}[t] = ${init};`);
  }

  protected accInit(acc: Accumulator): void {
    this.accs.set(acc.id, acc);
    if (acc.tile.length > 0) {
      if (acc.fn === 'argmax' || acc.fn === 'argmin') throw new Error('arg reductions are not tiled');
      this.declareTile(acc, this.literal(reduceIdentity(acc.fn, acc.dtype), acc.dtype));
      return;
    }
    if (acc.fn === 'argmax' || acc.fn === 'argmin') {
      const worst = acc.fn === 'argmax' ? reduceIdentity('max', acc.dtype) : reduceIdentity('min', acc.dtype);
      this.emit(this.declare(`acc${acc.id}`, acc.dtype, this.literal(worst, acc.dtype)));
      this.emit(this.declare(`pos${acc.id}`, 'int32', '0'));
    } else {
      this.emit(this.declare(`acc${acc.id}`, acc.dtype, this.literal(reduceIdentity(acc.fn, acc.dtype), acc.dtype)));
      if (acc.compensated) this.emit(this.declare(`acc${acc.id}c`, acc.dtype, this.literal(0, acc.dtype)));
    }
  }

  protected accUpdate(s: Extract<Stmt, { s: 'accUpdate' }>): void {
    const acc = this.accs.get(s.acc) as Accumulator;
    const [value] = this.exprWithTemps([s.value]);
    const a = this.accRef(acc, s.tile);
    if (acc.fn === 'argmax' || acc.fn === 'argmin') {
      const cmp = acc.fn === 'argmax' ? '>' : '<';
      const v = this.freshTemp();
      this.emit(this.declare(v, acc.dtype, value));
      const nan = isFloat(acc.dtype) ? ` || (${v} != ${v} && ${a} == ${a})` : '';
      this.emit(`if (${v} ${cmp} ${a}${nan}) { ${a} = ${v}; pos${acc.id} = ${this.castIndex(this.index(s.position as IndexExpr), 'int32')}; }`);
      return;
    }
    this.accumulateInto(acc, a, value);
  }

  /** a = a ⊕ value; a compensated sum (Kahan) also updates its correction term acc<id>c. */
  protected accumulateInto(acc: Accumulator, a: string, value: string): void {
    if (!acc.compensated || acc.fn !== 'add') {
      this.emit(`${a} = ${this.combine(acc.fn as ReduceFn, a, value, acc.dtype)};`);
      return;
    }
    const [c, y, t, d] = [`acc${acc.id}c`, this.freshTemp(), this.freshTemp(), acc.dtype];
    this.emit(this.declare(y, d, this.binary('sub', value, c, d, d)));
    this.emit(this.declare(t, d, this.binary('add', a, y, d, d)));
    // Once the sum is Inf or NaN, (t - a) - y would be NaN (Inf - Inf) and turn a read of an
    // infinite sum into NaN; the correction is 0 then, so reads give the sum itself.
    const corrected = this.binary('sub', this.binary('sub', t, a, d, d), y, d, d);
    this.emit(`${c} = (${this.binary('sub', t, t, d, d)} == ${this.literal(0, d)}) ? ${corrected} : ${this.literal(0, d)};`);
    this.emit(`${a} = ${t};`);
  }

  /** acc ⊕ value in the dtype's semantics (NaN-propagating max/min, wrapping integers). */
  protected combine(fn: ReduceFn, a: string, v: string, dtype: DType): string {
    switch (fn) {
      case 'add':
        return this.binary('add', a, v, dtype, dtype);
      case 'mul':
        return this.binary('mul', a, v, dtype, dtype);
      case 'max':
        return this.binary('max', v, a, dtype, dtype);
      case 'min':
        return this.binary('min', v, a, dtype, dtype);
      default:
        return assertNever(fn);
    }
  }

  protected scatter(s: Extract<Stmt, { s: 'scatter' }>): void {
    const values = this.exprWithTemps([s.value, ...s.dynamic.map((d) => d.value)], s.dynamic.map((_, i) => i + 1));
    const conds: string[] = [];
    if (!(s.valid.kind === 'bool' && s.valid.value)) conds.push(this.cond(s.valid));
    let addr = this.index(s.index);
    s.dynamic.forEach((d, i) => {
      const t = values[i + 1];
      conds.push(`${t} >= 0 && ${t} < ${d.size}`);
      addr = `${addr} + ${this.toIndex(t)} * ${this.intLit(d.stride)}`;
    });
    const target = `b${s.buf}[${addr}]`;
    const dtype = this.kernel.buffers[s.buf].dtype;
    const update = `${target} = ${this.combine(s.fn, target, values[0], dtype)};`;
    this.emit(conds.length > 0 ? `if (${conds.join(' && ')}) { ${update} }` : update);
  }

  // ---- expressions -----------------------------------------------------------------------------

  protected freshTemp(): string {
    return `v${this.temp++}`;
  }

  /**
   * Renders expressions that belong to one statement. Subexpressions used more than once, the
   * loads under a select's arms, and the roots listed in `forced`, are bound to temporaries emitted
   * before the statement.
   */
  protected exprWithTemps(roots: readonly Expr[], forced: readonly number[] = []): string[] {
    const uses = new Map<Expr, number>();
    const count = (e: Expr) => {
      const n = (uses.get(e) ?? 0) + 1;
      uses.set(e, n);
      if (n > 1) return;
      for (const c of exprChildren(e)) count(c);
      // Dynamic gather indices are read three times in the rendered load: bind them once.
      if (e.op === 'load') for (const d of e.dynamic) uses.set(d.value, (uses.get(d.value) ?? 0) + 1);
    };
    roots.forEach(count);
    const eager = armLoads(roots, uses);
    const names = new Map<Expr, string>();
    const render = (e: Expr): string => {
      const named = names.get(e);
      if (named) return named;
      const text = this.expr(e, render);
      if (((uses.get(e) ?? 0) > 1 || eager.has(e)) && !trivial(e)) {
        const t = this.freshTemp();
        this.emit(this.declare(t, e.dtype, text));
        names.set(e, t);
        return t;
      }
      return text;
    };
    return roots.map((r, i) => {
      const text = render(r);
      if (forced.includes(i) && !names.has(r)) {
        const t = this.freshTemp();
        this.emit(this.declare(t, r.dtype, text));
        names.set(r, t);
        return t;
      }
      return text;
    });
  }

  protected expr(e: Expr, sub: (e: Expr) => string): string {
    switch (e.op) {
      case 'load':
        return this.load(e, sub);
      case 'const':
        return this.literal(e.value, e.dtype);
      case 'param':
        return this.param(e.slot, e.dtype);
      case 'coord':
        return this.castIndex(this.index(e.index), e.dtype);
      case 'random':
        return this.random(e);
      case 'cast':
        return this.cast(sub(e.a), e.a.dtype, e.dtype);
      case 'unary':
        return this.unary(e.fn, sub(e.a), e.dtype);
      case 'binary':
        return this.binary(e.fn, sub(e.a), sub(e.b), e.a.dtype, e.dtype);
      case 'select':
        return this.select(sub(e.cond), sub(e.a), sub(e.b));
      case 'test':
        return this.test(e.cond);
      case 'acc': {
        const acc = this.accs.get(e.acc) as Accumulator;
        if (acc.fn === 'argmax' || acc.fn === 'argmin') return `pos${e.acc}`;
        if (e.sumLanes) {
          const parts = Array.from({ length: e.sumLanes }, (_, k) => this.accRef(acc, [...e.tile, { kind: 'const', value: k }]));
          return `(${parts.join(' + ')})`;
        }
        // Kahan's correction term holds the negated low-order part of the sum.
        if (acc.compensated) return this.binary('sub', this.accRef(acc, e.tile), `acc${acc.id}c`, acc.dtype, acc.dtype);
        return this.accRef(acc, e.tile);
      }
      case 'ref':
        return `t${e.id}`;
      default:
        return assertNever(e);
    }
  }

  protected load(e: Extract<Expr, { op: 'load' }>, sub: (e: Expr) => string): string {
    let addr = this.index(e.index);
    const conds: string[] = [];
    if (!(e.valid.kind === 'bool' && e.valid.value)) conds.push(this.cond(e.valid));
    for (const d of e.dynamic) {
      const t = sub(d.value);
      conds.push(`${t} >= 0 && ${t} < ${d.size}`);
      addr = `${addr} + ${this.toIndex(t)} * ${this.intLit(d.stride)}`;
    }
    const read = `b${e.buf}[${addr}]`;
    return conds.length === 0 ? read : `((${conds.join(' && ')}) ? ${read} : ${this.literal(e.fill, e.dtype)})`;
  }

  protected param(slot: number, dtype: DType): string {
    return dtype === 'float64' ? `params[${slot}]` : `((${this.typeName(dtype)})params[${slot}])`;
  }

  protected castIndex(index: string, dtype: DType): string {
    return `((${this.typeName(dtype)})(${index}))`;
  }

  protected random(e: Extract<Expr, { op: 'random' }>): string {
    const fn = e.dist === 'uniform' ? 'mo_uniform' : 'mo_normal';
    const counter = `(uint64_t)(${this.index(e.counter)}) + (uint64_t)params[${e.offsetSlot}]`;
    return `((${this.typeName(e.dtype)})${fn}(${counter}, (uint64_t)params[${e.seedSlot}]))`;
  }

  literal(value: number, dtype: DType): string {
    if (isFloat(dtype)) {
      // The exact value the dtype holds, in a decimal that parses back to it (-0 keeps its sign).
      const exact = convertValue(value, dtype);
      const suffix = dtype === 'float32' ? 'f' : '';
      if (Number.isNaN(exact)) return dtype === 'float32' ? 'NAN' : '((double)NAN)';
      if (exact === Infinity) return dtype === 'float32' ? 'INFINITY' : '((double)INFINITY)';
      if (exact === -Infinity) return dtype === 'float32' ? '(-INFINITY)' : '(-(double)INFINITY)';
      const text = numberKey(exact);
      const withPoint = /[.e]/.test(text) ? text : `${text}.0`;
      return text.startsWith('-') ? `(${withPoint}${suffix})` : `${withPoint}${suffix}`;
    }
    const v = convertValue(value, dtype);
    // -2147483648 is not an int literal in C (2147483648 does not fit).
    if (v === -2147483648) return '(-2147483647 - 1)';
    return v < 0 ? `(${v})` : String(v);
  }

  protected cast(x: string, from: DType, to: DType): string {
    if (from === to) return x;
    if (to === 'bool') return `((uint8_t)((${x}) != 0))`;
    if (isFloat(to)) return `((${this.typeName(to)})(${x}))`;
    if (isFloat(from)) return to === 'int32' ? `mo_f2i(${x})` : `mo_f2u8(${x})`;
    return `((${this.typeName(to)})(${x}))`;
  }

  protected unary(fn: UnaryFn, x: string, dtype: DType): string {
    const f = dtype === 'float32' ? 'f' : '';
    const float = isFloat(dtype);
    switch (fn) {
      case 'neg':
        return float ? `(-${x})` : dtype === 'int32' ? `((int32_t)(0u - (uint32_t)(${x})))` : `((uint8_t)(-(${x})))`;
      case 'abs':
        return float ? `fabs${f}(${x})` : dtype === 'int32' ? `((int32_t)((${x}) < 0 ? 0u - (uint32_t)(${x}) : (uint32_t)(${x})))` : x;
      case 'exp':
      case 'log':
      case 'sqrt':
      case 'sin':
      case 'cos':
      case 'tanh':
      case 'erf':
      case 'floor':
      case 'ceil':
        return float ? `${fn}${f}(${x})` : x;
      case 'round':
        return float ? `rint${f}(${x})` : x;
      case 'rsqrt':
        return `(${this.literal(1, dtype)} / sqrt${f}(${x}))`;
      case 'sigmoid':
        return dtype === 'float32' ? `mo_sigmoidf(${x})` : `mo_sigmoid(${x})`;
      case 'not':
        return `((uint8_t)((${x}) == 0))`;
      default:
        return assertNever(fn);
    }
  }

  protected binary(fn: BinaryFn, a: string, b: string, operand: DType, _result: DType): string {
    const float = isFloat(operand);
    const f = operand === 'float32' ? 'f' : '';
    const wrap = (op: string) =>
      operand === 'int32' ? `((int32_t)((uint32_t)(${a}) ${op} (uint32_t)(${b})))` : `((uint8_t)((${a}) ${op} (${b})))`;
    switch (fn) {
      case 'add':
        return float ? `(${a} + ${b})` : wrap('+');
      case 'sub':
        return float ? `(${a} - ${b})` : wrap('-');
      case 'mul':
        return float ? `(${a} * ${b})` : wrap('*');
      case 'div':
        return float ? `(${a} / ${b})` : operand === 'int32' ? `mo_idiv(${a}, ${b})` : `((uint8_t)mo_idiv(${a}, ${b}))`;
      case 'mod':
        return float ? (operand === 'float32' ? `mo_fmodf(${a}, ${b})` : `mo_fmodd(${a}, ${b})`) : operand === 'int32' ? `mo_imod(${a}, ${b})` : `((uint8_t)mo_imod(${a}, ${b}))`;
      case 'pow':
        return `pow${f}(${a}, ${b})`;
      case 'max':
        return float ? `((${a} > ${b} || ${a} != ${a}) ? ${a} : ${b})` : `((${a} > ${b}) ? ${a} : ${b})`;
      case 'min':
        return float ? `((${a} < ${b} || ${a} != ${a}) ? ${a} : ${b})` : `((${a} < ${b}) ? ${a} : ${b})`;
      case 'lt':
        return `((uint8_t)(${a} < ${b}))`;
      case 'le':
        return `((uint8_t)(${a} <= ${b}))`;
      case 'gt':
        return `((uint8_t)(${a} > ${b}))`;
      case 'ge':
        return `((uint8_t)(${a} >= ${b}))`;
      case 'eq':
        return `((uint8_t)(${a} == ${b}))`;
      case 'ne':
        return `((uint8_t)(${a} != ${b}))`;
      case 'and':
        return `((uint8_t)(${a} & ${b}))`;
      case 'or':
        return `((uint8_t)(${a} | ${b}))`;
      case 'xor':
        return `((uint8_t)(${a} ^ ${b}))`;
      default:
        return assertNever(fn);
    }
  }

  protected select(c: string, a: string, b: string): string {
    return `(${c} ? ${a} : ${b})`;
  }

  protected test(c: IndexCond): string {
    return `((uint8_t)(${this.cond(c)}))`;
  }

  // ---- index expressions -----------------------------------------------------------------------

  protected nonNegative(e: IndexExpr): boolean {
    return indexBounds(e, this.ranges)[0] >= 0;
  }

  index(e: IndexExpr): string {
    switch (e.kind) {
      case 'const':
        return e.value < 0 ? `(${this.intLit(e.value)})` : this.intLit(e.value);
      case 'idx':
        return `i${e.axis}`;
      case 'bin': {
        const a = this.index(e.a);
        const b = this.index(e.b);
        switch (e.op) {
          case '+':
          case '-':
          case '*':
            return `(${a} ${e.op} ${b})`;
          case '/':
            return e.b.kind === 'const' && e.b.value > 0 && this.nonNegative(e.a) ? this.plainDiv(a, b) : this.floorDiv(a, b);
          case '%':
            return e.b.kind === 'const' && e.b.value > 0 && this.nonNegative(e.a) ? `(${a} % ${b})` : this.floorMod(a, b);
          case 'min':
            return this.indexMin(a, b);
          case 'max':
            return this.indexMax(a, b);
        }
      }
    }
  }

  /** Division of a non-negative index by a positive constant. */
  protected plainDiv(a: string, b: string): string {
    return `(${a} / ${b})`;
  }

  /** Converts an integer data value to the index type. */
  protected toIndex(x: string): string {
    return `(int64_t)${x}`;
  }

  protected floorDiv(a: string, b: string): string {
    return `mo_fdiv(${a}, ${b})`;
  }

  protected floorMod(a: string, b: string): string {
    return `mo_fmod(${a}, ${b})`;
  }

  protected indexMin(a: string, b: string): string {
    return `mo_min(${a}, ${b})`;
  }

  protected indexMax(a: string, b: string): string {
    return `mo_max(${a}, ${b})`;
  }

  cond(c: IndexCond): string {
    switch (c.kind) {
      case 'bool':
        return c.value ? '1' : '0';
      case 'cmp':
        return `(${this.index(c.a)} ${c.op} ${this.index(c.b)})`;
      case 'and':
        return `(${this.cond(c.a)} && ${this.cond(c.b)})`;
      case 'or':
        return `(${this.cond(c.a)} || ${this.cond(c.b)})`;
      case 'not':
        return `(!${this.cond(c.a)})`;
    }
  }
}


/**
 * The loads only a select's arm would evaluate (not through a subexpression bound to a
 * temporary, which runs anyway). Every load guards its own reads (lower.ts), so it may run
 * whichever arm is taken; read before the select, it is a plain load. A load only inside
 * `c ? b[i] : 0` is a conditional load, which GCC vectorises as a masked load, and GCC 12 drops
 * the lane permutation of grouped masked loads (GCC PR 114375: a reversed read then reads forwards).
 */
function armLoads(roots: readonly Expr[], uses: ReadonlyMap<Expr, number>): Set<Expr> {
  const out = new Set<Expr>();
  const shared = new Set<Expr>();
  const visit = (e: Expr, inArm: boolean) => {
    if ((uses.get(e) ?? 0) > 1) {
      if (shared.has(e)) return;
      shared.add(e);
      inArm = false;
    }
    if (e.op === 'load' && inArm) out.add(e);
    if (e.op === 'select') {
      visit(e.cond, inArm);
      visit(e.a, true);
      visit(e.b, true);
    } else for (const c of exprChildren(e)) visit(c, inArm);
  };
  for (const r of roots) visit(r, false);
  return out;
}

function trivial(e: Expr): boolean {
  return e.op === 'const' || e.op === 'param' || e.op === 'ref' || e.op === 'acc';
}
