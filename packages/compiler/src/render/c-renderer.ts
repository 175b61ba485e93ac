// The CPU's C dialect: the C-family base (c-family.ts) plus the CPU policy — OpenMP pragmas as
// the schedule decided them (parallel loops, thread teams, SIMD and parallel reductions, the
// process's thread budget) and register tiles printed with GCC vector types.
import { assertNever, isFloat, reduceIdentity, type IndexExpr, type ReduceFn } from '@metaop/core';
import type { Accumulator, Expr, Kernel, Stmt } from '../ir/loop-ir.js';
import { CFamilyRenderer, type LoopStmt } from './c-family.js';
import { cHelpers, cVectorTypes } from './c-helpers.js';
import { isVectorTileLoop, laneClass, laneZero, LANES, vectorAccumulators } from './vector-tiles.js';
import { collapseChain, cThreadHelpers, hasParallel, teamRuns } from './openmp.js';

export class CRenderer extends CFamilyRenderer {
  /** Emit OpenMP pragmas for parallel and vectorised loops. */
  openmp = true;
  /**
   * With OpenMP: a kernel with parallel loops takes its thread count from the process's budget,
   * passed after its buffers: bufs[n] points at the budget's counters, bufs[n + 1] is the caller's
   * budget (see cThreadHelpers). Off, OpenMP's own default thread count applies.
   */
  threadBudget = false;
  /** Render register tiles with explicit vector types (C family only). */
  vectorTiles = true;
  /** Floats per vector register in those tiles (8: AVX2; 16: AVX-512) unless a kernel chose its own. */
  vectorLanes = LANES;
  /** The width for the kernel being rendered. */
  protected lanes = LANES;
  protected vectorAccs = new Set<number>();
  /** Parallel loops shared out by the pragma of a loop around them (collapse). */
  private collapsed = new Set<LoopStmt>();
  /** The loop is printed inside a thread team's region: a work-sharing loop, not a region of its own. */
  private inTeam: { last: boolean } | null = null;
  private budgeted = false;

  protected override enter(kernel: Kernel): void {
    this.collapsed.clear();
    const n = kernel.buffers.length;
    const variant = kernel.nonFinite;
    this.budgeted = this.openmp && this.threadBudget && (hasParallel(kernel.body) || (variant !== undefined && hasParallel(variant.body)));
    if (this.budgeted) this.emit(`const int mo_nt = mo_threads_take(bufs[${n}], bufs[${n + 1}]);`);
  }

  protected override leave(kernel: Kernel): void {
    if (this.budgeted) this.emit(`mo_threads_give(bufs[${kernel.buffers.length}], mo_nt);`);
  }

  /** One body of the kernel, with its own register-tile width and accumulators. */
  protected override renderBody(body: readonly Stmt[], lanes: number | undefined): void {
    this.accs.clear();
    this.lanes = lanes ?? this.vectorLanes;
    this.vectorAccs = this.vectorTiles ? vectorAccumulators(body, new Map(), this.lanes) : new Set();
    this.stmts(body);
  }

  protected override preamble(): string[] {
    return [cHelpers, ...(this.vectorTiles ? [cVectorTypes] : []), ...(this.openmp && this.threadBudget ? [cThreadHelpers] : [])];
  }

  protected override loopHeader(loop: LoopStmt, reductionClause: string): string[] {
    const v = `i${loop.v}`;
    const out: string[] = [];
    const extent = this.loopExtent(loop);
    if (this.openmp && loop.schedule.parallel && !this.collapsed.has(loop)) {
      const chain = collapseChain(loop);
      chain.slice(1).forEach((l) => this.collapsed.add(l));
      const collapse = chain.length > 1 ? ` collapse(${chain.length})` : '';
      const simd = loop.schedule.vectorize ? ' simd' : '';
      if (this.inTeam) {
        // The region's end is a barrier: the last nest needs none of its own.
        out.push(`#pragma omp for${simd} schedule(static)${collapse}${loop.schedule.nowait || this.inTeam.last ? ' nowait' : ''}`);
        this.inTeam = null;
      } else {
        // A runtime trip count decides at run time whether threads pay off.
        const when = loop.dynamicSlot === undefined ? '' : ` if(${extent} > 32768)`;
        out.push(`#pragma omp parallel for${simd} schedule(static)${collapse}${this.numThreads()}${when}${reductionClause}`);
      }
    } else if (this.openmp && loop.schedule.vectorize) out.push(`#pragma omp simd${reductionClause}`);
    else return super.loopHeader(loop, reductionClause);
    out.push(`for (int64_t ${v} = 0; ${v} < ${extent}; ${v}++) {`);
    return out;
  }

  protected override stmts(list: readonly Stmt[]): void {
    const runs = this.openmp && list === this.kernel.body ? teamRuns(list) : [];
    for (let i = 0; i < list.length; ) {
      const run = runs.find(([start]) => start === i);
      if (!run) {
        this.stmt(list[i++]);
        continue;
      }
      // Top-level nests on one thread team: one region, a barrier after each nest not marked nowait.
      this.emit(`#pragma omp parallel${this.numThreads()}`);
      this.emit('{');
      this.depth++;
      for (; i < run[1]; i++) {
        this.inTeam = { last: i === run[1] - 1 };
        this.stmt(list[i]);
      }
      this.inTeam = null;
      this.depth--;
      this.emit('}');
    }
  }

  protected numThreads(): string {
    return this.budgeted ? ' num_threads(mo_nt)' : '';
  }

  protected override loop(s: LoopStmt): void {
    if (this.vectorAccs.size > 0 && isVectorTileLoop(s, this.accs, this.lanes) && this.vectorAccs.has((s.body[0] as { acc: number }).acc)) {
      this.vectorTileLoop(s);
      return;
    }
    const clauses = s.schedule.parallel && s.role === 'reduce' ? this.parallelReduction(s.body) : s.schedule.vectorize ? this.reductionClause(s.schedule.reductions ?? []) : '';
    for (const line of this.loopHeader(s, clauses)) this.emit(line);
    this.depth++;
    this.stmts(s.body);
    this.depth--;
    this.emit('}');
  }

  /** OpenMP reduction clauses for the SIMD reductions the schedule lists on a vectorised loop. */
  protected reductionClause(accIds: readonly number[]): string {
    return accIds.map((id) => ` reduction(${this.reductionOp(this.accs.get(id) as Accumulator)}:acc${id})`).join('');
  }

  /** The OpenMP reduction identifier of an accumulator: float max/min propagate NaN (c-helpers). */
  protected reductionOp(acc: Accumulator): string {
    switch (acc.fn) {
      case 'add':
        return '+';
      case 'mul':
        return '*';
      case 'max':
      case 'min':
        return isFloat(acc.dtype) ? `mo_${acc.fn}_${acc.dtype === 'float32' ? 'f' : 'd'}` : acc.fn;
      case 'argmax':
      case 'argmin':
        throw new Error(`${acc.fn} accumulators have no OpenMP reduction`);
      default:
        return assertNever(acc.fn);
    }
  }

  protected override accRef(acc: Accumulator, tile: readonly IndexExpr[]): string {
    if (acc.tile.length > 0 && this.vectorAccs.has(acc.id)) return `((float*)acc${acc.id})[${this.tileOffset(acc, tile)}]`;
    return super.accRef(acc, tile);
  }

  /** acc[.., block] += value over `lanes` lanes at once, with GCC vector types. */
  protected vectorTileLoop(s: LoopStmt): void {
    const u = s.body[0] as Extract<Stmt, { s: 'accUpdate' }>;
    const acc = this.accs.get(u.acc) as Accumulator;
    const v = `i${s.v}`;
    this.emit(`for (int64_t ${v} = 0; ${v} < ${s.extent / this.lanes}; ${v}++) {`);
    this.depth++;
    const memo = new Map<Expr, string>();
    const classes = new Map<Expr, 'uniform' | 'varying' | undefined>();
    const vec = (e: Expr): string => {
      const hit = memo.get(e);
      if (hit) return hit;
      let out: string;
      if (laneClass(e, s.v, classes) === 'uniform') {
        const [scalar] = this.exprWithTemps([e]);
        const t = this.freshTemp();
        this.emit(`const mo_vf${this.lanes} ${t} = mo_bcastv${this.lanes}(${scalar});`);
        out = t;
      } else if (e.op === 'load') {
        out = `mo_loadv${this.lanes}(&b${e.buf}[${this.index(laneZero(e.index, s.v, this.lanes))}])`;
      } else if (e.op === 'binary') {
        const op = { add: '+', sub: '-', mul: '*', div: '/' }[e.fn as 'add' | 'sub' | 'mul' | 'div'];
        out = `(${vec(e.a)} ${op} ${vec(e.b)})`;
      } else {
        throw new Error(`vector tile: cannot vectorise ${e.op}`);
      }
      memo.set(e, out);
      return out;
    };
    const value = vec(u.value);
    const outer = u.tile.slice(0, -1);
    const shape = acc.tile;
    let stride = 1;
    const terms: string[] = [`${v}`];
    stride = shape[shape.length - 1] / this.lanes;
    for (let k = outer.length - 1; k >= 0; k--) {
      terms.push(`${this.index(outer[k])} * ${stride}`);
      stride *= shape[k];
    }
    this.emit(`acc${acc.id}[${terms.reverse().join(' + ')}] += ${value};`);
    this.depth--;
    this.emit('}');
  }

  /** OpenMP reduction clauses for a reduction loop split across threads. */
  protected parallelReduction(body: readonly Stmt[]): string {
    const ids = new Set<number>();
    const visit = (list: readonly Stmt[]) => {
      for (const b of list) {
        if (b.s === 'loop') visit(b.body);
        else if (b.s === 'accUpdate') ids.add(b.acc);
      }
    };
    visit(body);
    return [...ids]
      .map((id) => {
        return ` reduction(${this.reductionOp(this.accs.get(id) as Accumulator)}:acc${id})`;
      })
      .join('');
  }

  protected override accInit(acc: Accumulator): void {
    if (!this.vectorAccs.has(acc.id)) return super.accInit(acc);
    this.accs.set(acc.id, acc);
    const n = acc.tile.reduce((a, b) => a * b, 1) / this.lanes;
    this.emit(`mo_vf${this.lanes} acc${acc.id}[${n}];`);
    this.emit(`for (int t = 0; t < ${n}; t++) acc${acc.id}[t] = mo_bcastv${this.lanes}(${this.literal(reduceIdentity(acc.fn as ReduceFn, acc.dtype), acc.dtype)});`);
  }
}

/** Renders a kernel as C with the default renderer. */
export function renderC(kernel: Kernel): string {
  return new CRenderer().render(kernel);
}
