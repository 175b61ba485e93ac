// The CUDA dialect of the C-family renderer. Each launch phase of a kernel (launchPhases: a
// scatter's init before its update, ...) becomes a `__global__` function taking its buffers and
// params by value. It prints the GPU mapping the schedule chose (passes/gpu-map.ts): a loop bound
// to the grid is a grid-stride loop over blockIdx/threadIdx, one bound to blocks strides over
// blockIdx, one bound to threads strides over threadIdx (a block's share of work: what is not
// bound runs on its thread 0), a blockReduce is a warp-shuffle tree and a shared-memory step.
// Top-level statements outside bound loops run on thread 0 of block 0. An `extern "C"` launcher
// per kernel enqueues the phases in order: `kernel<<<grid, block>>>` under nvcc, the emulator's
// fiber scheduler (emulation/cuda_emu.h) on a host compiler.
import { isFloat, reduceIdentity, type DType, type ReduceFn } from '@metaop/core';
import {
  CFamilyRenderer,
  cFamilyHelpers,
  launchPhases,
  WARP,
  type Accumulator,
  type Expr,
  type Kernel,
  type LoopStmt,
  type NonFiniteVariant,
  type Stmt,
} from '@metaop/compiler';

/** Threads per block of every launch. */
export const CUDA_BLOCK = 128;
/** Most blocks per launch: larger loops are covered by the grid-stride loop. */
export const CUDA_MAX_GRID = 1024;
/**
 * A parallel output loop with fewer iterations than this gives each a block whose threads share
 * its reductions and rows (passes/gpu-map.ts): bound to the grid, it would fill fewer than
 * 64 blocks of CUDA_BLOCK threads, one thread per output, each running its reduction alone.
 */
export const CUDA_BLOCK_BELOW = 64 * CUDA_BLOCK;
/** A full reduction of at least two chunks of this many terms (64 per thread) runs on a block per chunk. */
export const CUDA_FULL_CHUNK = 64 * CUDA_BLOCK;

/** The C-family helpers as host-and-device functions. */
const helpers = cFamilyHelpers.replaceAll('static inline', 'static inline __host__ __device__');

/** A loop whose iterations are shared by the blocks of the launch (bound to the grid or to blocks). */
function spreadLoop(s: Stmt): boolean {
  return s.s === 'loop' && (s.schedule.bind === 'grid' || s.schedule.bind === 'block');
}

/** Statements every thread of a block runs in a block's share of work: the rest runs on its thread 0. */
function allThreads(s: Stmt): boolean {
  return (s.s === 'loop' && s.schedule.bind === 'thread') || s.s === 'barrier' || s.s === 'blockReduce' || s.s === 'accInit' || s.s === 'def';
}

function some(s: Stmt, test: (s: Stmt) => boolean): boolean {
  return test(s) || (s.s === 'loop' && s.body.some((b) => some(b, test)));
}

/** Blocks a launch of this body needs: the grid-stride loops' iterations per block, one per block-bound iteration; 1 when none. */
function gridSize(body: readonly Stmt[], threads: number): number {
  let n = 1;
  const visit = (s: Stmt) => {
    if (s.s !== 'loop') return;
    if (s.schedule.bind === 'grid') n = Math.max(n, Math.ceil(s.extent / threads));
    else if (s.schedule.bind === 'block') n = Math.max(n, s.extent);
    else s.body.forEach(visit);
  };
  body.forEach(visit);
  return Math.min(CUDA_MAX_GRID, n);
}

/** Offsets of a shuffle tree that leaves the combination of lanes 0..n-1 in lane 0. */
function treeOffsets(n: number): number[] {
  const out: number[] = [];
  for (let o = 1; o < n; o *= 2) out.unshift(o);
  return out;
}

/** A launch of one body of a kernel with a non-finite variant: it runs when the flag is `runs`. */
interface PhaseGuard {
  readonly variant: NonFiniteVariant;
  readonly runs: boolean;
}

export class CudaRenderer extends CFamilyRenderer {
  override readonly dialect = 'cuda';
  override readonly entry = 'metaop_kernel';
  private phaseGuard: PhaseGuard | undefined;

  override render(kernel: Kernel): string {
    return [...this.preamble(), this.renderFunction(kernel, kernel.name)].join('\n');
  }

  override renderFunction(kernel: Kernel, entry: string = this.entry): string {
    const variant = kernel.nonFinite;
    const bodies: { body: readonly Stmt[]; guard?: PhaseGuard }[] = variant
      ? [
          { body: kernel.body, guard: { variant, runs: false } },
          { body: variant.body, guard: { variant, runs: true } },
        ]
      : [{ body: kernel.body }];
    const parts: string[] = [];
    const grids: number[] = [];
    const threads = kernel.blockThreads ?? CUDA_BLOCK;
    for (const { body, guard } of bodies) {
      for (const phase of launchPhases(body)) {
        this.phaseGuard = guard;
        grids.push(gridSize(phase, threads));
        parts.push(super.renderFunction({ ...kernel, body: phase, nonFinite: undefined }, `${entry}_p${parts.length}`));
      }
    }
    this.phaseGuard = undefined;
    return [...parts, this.launcher(kernel, entry, grids, threads)].join('\n');
  }

  protected override renderBody(body: readonly Stmt[], lanes: number | undefined): void {
    const guard = this.phaseGuard;
    if (guard) this.emit(`if (${guard.runs ? '!' : ''}${this.nonFiniteFlag(guard.variant)}) return;`);
    super.renderBody(body, lanes);
  }

  protected override preamble(): string[] {
    return [
      '// CUDA C++ generated by MetaOp.',
      '#ifdef __CUDACC__',
      '#else',
      '#include "cuda_emu.h"',
      '#endif',
      '#define restrict __restrict__',
      '#ifdef __CUDACC__',
      '#define MO_SHARED(T, name, n) __shared__ T name[n]',
      '#endif',
      helpers,
    ];
  }

  protected override signature(entry: string): string {
    const bufs = this.kernel.buffers.map((b, i) => `${b.role === 'input' ? 'const ' : ''}${this.typeName(b.dtype)}* __restrict__ b${i}`);
    const params = Array.from({ length: this.kernel.paramCount }, (_, i) => `double p${i}`);
    return `__global__ void ${entry}(${[...bufs, ...params].join(', ')}) {`;
  }

  protected override bufferBindings(): string[] {
    return [];
  }

  /** The kernel's block-shared buffers, declared at the top of each launch function. */
  protected override enter(kernel: Kernel): void {
    (kernel.shared ?? []).forEach((b, i) => this.emit(`MO_SHARED(${this.typeName(b.dtype)}, s${i}, ${b.size});`));
  }

  private launcher(kernel: Kernel, entry: string, grids: readonly number[], threads: number): string {
    const args = [
      ...kernel.buffers.map((b, i) => `((${this.typeName(b.dtype)}*)bufs[${i}]${b.offsetSlot === undefined ? '' : ` + (int64_t)params[${b.offsetSlot}]`})`),
      ...Array.from({ length: kernel.paramCount }, (_, i) => `params[${i}]`),
    ].join(', ');
    const launches = grids.map((g, p) => `  ${entry}_p${p}<<<${g}, ${threads}>>>(${args});`);
    return [
      `extern "C" int ${entry}(void** bufs, const double* params) {`,
      '#ifdef __CUDACC__',
      ...launches,
      '  return (int)cudaGetLastError();',
      '#else',
      ...grids.map((g, p) => `  MO_LAUNCH(dim3(${g}), dim3(${threads}), ${entry}_p${p}(${args}));`),
      '  return 0;',
      '#endif',
      '}',
      '',
    ].join('\n');
  }

  /**
   * Top level: with loops spread over the blocks, the statements without one run on thread 0 of
   * block 0; a one-block launch (a reduction the threads share) runs as a block's share of work.
   */
  protected override stmts(list: readonly Stmt[]): void {
    if (this.depth !== 1) return super.stmts(list);
    if (list.some((s) => some(s, spreadLoop))) this.oneThreadOutside(list, (s) => some(s, spreadLoop), 'if (blockIdx.x == 0 && threadIdx.x == 0) {');
    else this.blockShare(list);
  }

  /** A block's share of work: thread-bound loops, reductions and barriers on every thread, the rest on thread 0. */
  private blockShare(list: readonly Stmt[]): void {
    this.oneThreadOutside(list, allThreads, 'if (threadIdx.x == 0) {');
  }

  protected override loop(s: LoopStmt): void {
    if (s.schedule.bind !== 'block') return super.loop(s);
    for (const line of this.loopHeader(s, '')) this.emit(line);
    this.depth++;
    this.blockShare(s.body);
    this.depth--;
    this.emit('}');
  }

  protected override loopHeader(loop: LoopStmt, clauses: string): string[] {
    const v = `i${loop.v}`;
    const n = this.loopExtent(loop);
    switch (loop.schedule.bind) {
      case 'grid':
        return [`for (int64_t ${v} = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; ${v} < ${n}; ${v} += (int64_t)blockDim.x * gridDim.x) {`];
      case 'block':
        return [`for (int64_t ${v} = blockIdx.x; ${v} < ${n}; ${v} += gridDim.x) {`];
      case 'thread':
        return [`for (int64_t ${v} = threadIdx.x; ${v} < ${n}; ${v} += blockDim.x) {`];
      default:
        return super.loopHeader(loop, clauses);
    }
  }

  protected override blockLevel(s: Extract<Stmt, { s: 'barrier' | 'blockReduce' }>): void {
    if (s.s === 'barrier') return this.emit('__syncthreads();');
    const acc = this.accs.get(s.acc) as Accumulator;
    const warps = (this.kernel.blockThreads ?? CUDA_BLOCK) / WARP;
    const arg = acc.fn === 'argmax' || acc.fn === 'argmin';
    const [a, t] = [`acc${acc.id}`, this.typeName(acc.dtype)];
    const worst = arg ? reduceIdentity(acc.fn === 'argmax' ? 'max' : 'min', acc.dtype) : reduceIdentity(acc.fn as ReduceFn, acc.dtype);
    // The values combined: the accumulator, and an arg reduction's position (identity 0, as its init).
    const cells = [{ v: a, sh: `s${s.shared}`, identity: this.literal(worst, acc.dtype) }];
    if (arg) cells.push({ v: `pos${acc.id}`, sh: `s${s.positions as number}`, identity: '0' });
    const step = (o: number) => {
      const shfl = (v: string) => `__shfl_down_sync(0xffffffffu, ${v}, ${o})`;
      if (!arg) return `{ ${t} o = ${shfl(a)}; ${a} = ${this.combine(acc.fn as ReduceFn, a, 'o', acc.dtype)}; }`;
      return `{ ${t} o = ${shfl(a)}; int32_t q = ${shfl(`pos${acc.id}`)}; if (${this.argBetter(acc, 'o', 'q')}) { ${a} = o; pos${acc.id} = q; } }`;
    };
    // Lane 0 of each warp ends with its warp's value, combined in a fixed tree; warp 0 then
    // combines the warps' values from shared memory the same way and shares the result.
    const fold = (lanes: number) => treeOffsets(lanes).forEach((o) => this.emit(step(o)));
    this.emit(`// acc${acc.id}: combine the block's ${warps * WARP} partial values`);
    fold(WARP);
    this.emit(`if ((threadIdx.x & ${WARP - 1}) == 0) { ${cells.map((c) => `${c.sh}[threadIdx.x / ${WARP}] = ${c.v};`).join(' ')} }`);
    this.emit('__syncthreads();');
    this.emit(`if (threadIdx.x < ${WARP}) {`);
    this.depth++;
    for (const c of cells) this.emit(`${c.v} = threadIdx.x < ${warps} ? ${c.sh}[threadIdx.x] : ${c.identity};`);
    fold(warps);
    this.emit(`if (threadIdx.x == 0) { ${cells.map((c) => `${c.sh}[0] = ${c.v};`).join(' ')} }`);
    this.depth--;
    this.emit('}');
    this.emit('__syncthreads();');
    for (const c of cells) this.emit(`${c.v} = ${c.sh}[0];`);
  }

  /**
   * Whether value o at position q beats the arg accumulator: what the serial loop would have kept
   * of the two, the first position of the best value (of the first NaN, for floats).
   */
  private argBetter(acc: Accumulator, o: string, q: string): string {
    const [a, p] = [`acc${acc.id}`, `pos${acc.id}`];
    const cmp = acc.fn === 'argmax' ? '>' : '<';
    const plain = `${o} ${cmp} ${a} || (${o} == ${a} && ${q} < ${p})`;
    if (!isFloat(acc.dtype)) return plain;
    return `${o} != ${o} ? (${a} == ${a} || ${q} < ${p}) : (${a} == ${a} && (${plain}))`;
  }

  protected override loopExtent(loop: LoopStmt): string {
    return loop.dynamicSlot === undefined ? this.intLit(loop.extent) : `(int64_t)p${loop.dynamicSlot}`;
  }

  protected override param(slot: number, dtype: DType): string {
    return dtype === 'float64' ? `p${slot}` : `((${this.typeName(dtype)})p${slot})`;
  }

  protected override random(e: Extract<Expr, { op: 'random' }>): string {
    const fn = e.dist === 'uniform' ? 'mo_uniform' : 'mo_normal';
    const counter = `(uint64_t)(${this.index(e.counter)}) + (uint64_t)p${e.offsetSlot}`;
    return `((${this.typeName(e.dtype)})${fn}(${counter}, (uint64_t)p${e.seedSlot}))`;
  }
}
