// Map nests onto a device's grid of thread blocks, as schedule data (LoopSchedule.bind, barrier and
// blockReduce statements, Kernel.shared) that device renderers print:
// - a parallel output loop with many iterations is bound to the grid: each thread of the launch
//   takes iterations in turn (grid-stride);
// - a parallel output loop with too few iterations to fill the device thread by thread, whose body
//   has loops worth sharing (a row reduction, a softmax denominator, a row of outputs), gives each
//   iteration a block instead: the loops of its body are bound to the block's threads, each thread
//   summing a strided share of a reduction, and the partial values are combined by a blockReduce
//   (warp shuffles, then shared memory) in a fixed order, so every run gives the same result (arg
//   reductions combine their positions too, giving the serial loop's first best position);
// - a body without output loops that is a reduction (a full sum, mean, max) runs as one block the
//   same way.
// Everything else keeps running on the thread that reaches it.
import { ibin, ic, iv, type DType, type IndexExpr } from '@metaop/core';
import type { Accumulator, Expr, Kernel, KernelBuffer, LoopBinding, SharedBuffer, Stmt } from '../ir/loop-ir.js';
import { rewriteStmts, substitution } from '../ir/transform.js';
import { bufferAccess } from './launch-phases.js';
import { kernelRanges } from './ranges.js';

export interface GpuMapOptions {
  /** Threads per block of every launch: a multiple of the warp size, 32. */
  readonly blockThreads: number;
  /**
   * A full reduction of at least two chunks of this many terms runs on several blocks: each sums
   * one chunk into a scratch cell, then one block adds the cells (and the tail) in order. Absent:
   * full reductions run on one block.
   */
  readonly fullChunk?: number;
  /** Most blocks of such a reduction (the chunks grow beyond fullChunk to stay within it; default 1024). */
  readonly maxBlocks?: number;
  /** A parallel loop of fewer iterations than this gives each iteration a block (when its body qualifies). */
  readonly blockBelow: number;
  /** Fewest iterations of a loop in such a body before the block's threads share it (default: one warp, 32). */
  readonly minShare?: number;
}

export const WARP = 32;

type LoopStmt = Extract<Stmt, { s: 'loop' }>;

const bound = (l: LoopStmt, bind: LoopBinding): LoopStmt => ({ ...l, schedule: { ...l.schedule, bind } });

/** Reductions whose partial values may be combined across threads in a fixed tree (arg reductions with their positions). */
function combinable(acc: Accumulator): boolean {
  return acc.tile.length === 0 && !acc.compensated;
}

/** Accumulators a statement list updates (at any depth), in order of first update; null when it stores or scatters. */
function updatedOnly(stmts: readonly Stmt[], into: number[] = []): number[] | null {
  for (const s of stmts) {
    if (s.s === 'store' || s.s === 'scatter' || s.s === 'barrier' || s.s === 'blockReduce') return null;
    if (s.s === 'accUpdate' && !into.includes(s.acc)) into.push(s.acc);
    if (s.s === 'loop' && updatedOnly(s.body, into) === null) return null;
  }
  return into;
}

function has(stmts: readonly Stmt[], test: (s: Stmt) => boolean): boolean {
  return stmts.some((s) => test(s) || (s.s === 'loop' && has(s.body, test)));
}

function maxAcc(stmts: readonly Stmt[]): number[] {
  return stmts.flatMap((s) => (s.s === 'accInit' ? [s.acc.id] : s.s === 'loop' ? maxAcc(s.body) : []));
}

function declared(stmts: readonly Stmt[], into = new Set<number>()): Set<number> {
  for (const s of stmts) {
    if (s.s === 'accInit') into.add(s.acc.id);
    else if (s.s === 'loop') declared(s.body, into);
  }
  return into;
}

export function gpuMap(kernel: Kernel, options: GpuMapOptions): Kernel {
  if (options.blockThreads % WARP !== 0 || options.blockThreads < WARP || options.blockThreads > 1024) {
    throw new Error(`gpu-map: ${options.blockThreads} threads per block (a multiple of ${WARP}, at most 1024)`);
  }
  if (kernel.blockThreads !== undefined && kernel.blockThreads !== options.blockThreads) {
    throw new Error(`gpu-map: ${kernel.name} was mapped for ${kernel.blockThreads} threads per block`);
  }
  const m = new GpuMapping(kernel, options);
  const body = m.acrossBlocks(kernel.body) ?? m.blockBody(kernel.body, true) ?? kernel.body.map((s) => m.nest(s));
  return {
    ...kernel,
    body,
    buffers: m.buffers,
    loopExtents: m.extents,
    notes: [...kernel.notes, ...m.notes],
    blockThreads: options.blockThreads,
    ...(m.shared.length > 0 ? { shared: m.shared } : {}),
  };
}

class GpuMapping {
  readonly shared: SharedBuffer[];
  readonly buffers: KernelBuffer[];
  readonly extents: number[];
  readonly notes: string[] = [];
  private readonly minShare: number;

  constructor(
    private readonly kernel: Kernel,
    private readonly options: GpuMapOptions,
  ) {
    this.shared = [...(kernel.shared ?? [])];
    this.buffers = [...kernel.buffers];
    this.extents = [...kernel.loopExtents];
    this.minShare = options.minShare ?? WARP;
  }

  private fresh(extent: number): number {
    this.extents.push(extent);
    return this.extents.length - 1;
  }

  /**
   * A body that is one reduction of many terms ([accInit, a flat reduce loop, stores]) on several
   * blocks, in two launches: block b sums terms [b*per, (b+1)*per) into scratch cell b; then one
   * block adds the cells and the tail past the last chunk, and stores. The chunks depend only on
   * the size, so the result is the same on every run. Null when the body is not such a reduction.
   */
  acrossBlocks(body: readonly Stmt[]): Stmt[] | null {
    const { fullChunk, maxBlocks = 1024 } = this.options;
    const [init, loop, ...rest] = body;
    if (fullChunk === undefined || init?.s !== 'accInit' || loop?.s !== 'loop' || loop.role !== 'reduce' || loop.dynamicSlot !== undefined) return null;
    const acc = init.acc;
    const fn = acc.fn;
    if (acc.tile.length > 0 || acc.compensated || !(fn === 'add' || fn === 'mul' || fn === 'max' || fn === 'min')) return null;
    if (loop.body.some((s) => s.s !== 'accUpdate' && s.s !== 'def') || loop.body.some((s) => s.s === 'accUpdate' && s.acc !== acc.id)) return null;
    if (rest.some((s) => s.s !== 'store' && s.s !== 'def')) return null;
    const n = loop.extent;
    const per = Math.max(fullChunk, Math.ceil(n / maxBlocks));
    const count = Math.floor(n / per);
    if (count < 2) return null;
    const tail = n - count * per;
    const cells = this.buffers.length;
    this.buffers.push({ dtype: acc.dtype, numel: count, role: 'scratch' });
    const [b, c, one] = [this.fresh(count), this.fresh(count), this.fresh(1)];
    const part: Accumulator = { ...acc, id: Math.max(acc.id, ...maxAcc(body)) + 1 };
    /** The reduce loop over `extent` terms from position at(v) on, bound to the threads, adding into `into`. */
    const piece = (extent: number, at: (v: number) => IndexExpr, into: number): LoopStmt => {
      const v = this.fresh(extent);
      const ranges = kernelRanges({ ...this.kernel, loopExtents: this.extents });
      const moved = rewriteStmts(loop.body, substitution((x) => (x === loop.v ? at(v) : iv(x)), ranges));
      const body = moved.map((s) => (s.s === 'accUpdate' ? { ...s, acc: into } : s));
      return { ...loop, v, extent, schedule: { ...loop.schedule, bind: 'thread' }, body };
    };
    const value = (buf: number, index: IndexExpr): Expr => ({ op: 'load', buf, index, dynamic: [], valid: { kind: 'bool', value: true }, fill: 0, dtype: acc.dtype });
    const chunks: Stmt = {
      s: 'loop',
      v: b,
      extent: count,
      role: 'spatial',
      schedule: { bind: 'block' },
      body: [
        { s: 'accInit', acc: part },
        piece(per, (r) => ibin('+', ibin('*', iv(b), ic(per)), iv(r)), part.id),
        this.blockReduce(part),
        { s: 'barrier' },
        { s: 'store', buf: cells, index: iv(b), value: { op: 'acc', acc: part.id, tile: [], dtype: acc.dtype } },
      ],
    };
    const combine: Stmt[] = [
      init,
      { s: 'loop', v: c, extent: count, role: 'reduce', schedule: { bind: 'thread' }, body: [{ s: 'accUpdate', acc: acc.id, tile: [], value: value(cells, iv(c)) }] },
      ...(tail > 0 ? [piece(tail, (t) => ibin('+', ic(count * per), iv(t)), acc.id)] : []),
      this.blockReduce(acc),
      { s: 'barrier' },
      ...rest,
    ];
    this.notes.push(`gpu-map: ${n} terms as ${count} blocks of ${per} (partial results in scratch b${cells}), then one block adds them${tail > 0 ? ` and the last ${tail}` : ''}`);
    // The second launch: one block (a loop of one iteration bound to blocks) reads the cells.
    return [chunks, { s: 'loop', v: one, extent: 1, role: 'spatial', schedule: { bind: 'block' }, body: combine }];
  }

  /** A top-level statement: its first parallel output loop bound to the grid, or its iterations to blocks. */
  nest(s: Stmt): Stmt {
    if (s.s !== 'loop') return s;
    if (!s.schedule.parallel || s.role === 'reduce') return { ...s, body: s.body.map((b) => this.nest(b)) };
    if (s.extent < this.options.blockBelow && s.dynamicSlot === undefined) {
      const body = this.blockBody(s.body);
      if (body) return { ...bound(s, 'block'), body };
    }
    return bound(s, 'grid');
  }

  /**
   * One block's share of work: its loops bound to the threads, reductions combined; null when the
   * body does not qualify. `top`: the kernel's whole body, run as one block only for a reduction
   * (its output loops go to the grid instead).
   */
  blockBody(list: readonly Stmt[], top = false): Stmt[] | null {
    const accs = new Map<number, Accumulator>();
    const out: Stmt[] = [];
    let shares = false;
    const written = new Set<number>();
    for (const s of list) {
      // The block's threads would race on a buffer one statement writes and a later one reads
      // (no barrier orders them): such a body keeps one thread per iteration.
      const access = bufferAccess(s);
      if ([...access.reads].some((b) => written.has(b))) return null;
      access.writes.forEach((b) => written.add(b));
      switch (s.s) {
        case 'accInit':
          if (!combinable(s.acc)) return null;
          accs.set(s.acc.id, s.acc);
          out.push(s);
          break;
        case 'def':
        case 'store':
          out.push(s);
          break;
        case 'loop': {
          if (s.dynamicSlot !== undefined || has(s.body, (b) => b.s === 'scatter' || b.s === 'barrier' || b.s === 'blockReduce')) return null;
          const share = s.extent >= this.minShare;
          if (s.role === 'reduce') {
            // Each thread sums a strided share into its own copy of the list's accumulators.
            const updated = updatedOnly(s.body);
            if (updated === null || updated.some((a) => !accs.has(a))) return null;
            if (!share) {
              out.push(s); // short: every thread runs it whole (same values, same order)
              break;
            }
            out.push(bound(s, 'thread'));
            shares = true;
            for (const a of updated) out.push(this.blockReduce(accs.get(a) as Accumulator), { s: 'barrier' });
          } else {
            // Output loops: iterations write distinct cells; their own accumulators stay private.
            const inner = declared(s.body);
            if (has(s.body, (b) => b.s === 'accUpdate' && !inner.has(b.acc))) return null;
            if (!share || top) return null;
            out.push(bound(s, 'thread'));
            shares = true;
          }
          break;
        }
        default:
          return null;
      }
    }
    return shares ? out : null;
  }

  private blockReduce(acc: Accumulator): Stmt {
    const arg = acc.fn === 'argmax' || acc.fn === 'argmin';
    return { s: 'blockReduce', acc: acc.id, shared: this.sharedFor(acc.dtype), ...(arg ? { positions: this.sharedFor('int32', acc.dtype === 'int32' ? 1 : 0) } : {}) };
  }

  /** A shared buffer (one cell per warp) of this dtype: the `nth` of them, so an int32 argmax gets two. */
  private sharedFor(dtype: DType, nth = 0): number {
    const size = this.options.blockThreads / WARP;
    let seen = 0;
    for (let i = 0; i < this.shared.length; i++) {
      if (this.shared[i].dtype === dtype && this.shared[i].size === size && seen++ === nth) return i;
    }
    for (; seen <= nth; seen++) this.shared.push({ dtype, size });
    return this.shared.length - 1;
  }
}
