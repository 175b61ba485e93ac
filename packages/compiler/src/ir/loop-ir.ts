// The backend-neutral loop IR: loops with schedule annotations, loads through index expressions
// and validity predicates, ALU expressions, accumulators and stores. Renderers walk this IR.
import type {
  ArgReduceFn,
  BinaryFn,
  DType,
  IndexCond,
  IndexExpr,
  RandomDist,
  ReduceFn,
  UnaryFn,
} from '@metaop/core';

/** A data-dependent address term: `value * stride`, valid when 0 <= value < size (gather/scatter). */
export interface DynamicIndex {
  readonly value: Expr;
  readonly stride: number;
  readonly size: number;
}

/**
 * Where a load reads, per dimension of its source buffer. `boundsOnly` says the load's validity
 * is exactly "every coordinate inside the source" (padding), so a pass may read a padded copy
 * instead and drop the test.
 */
export interface LoadSource {
  readonly coords: readonly IndexExpr[];
  readonly shape: readonly number[];
  readonly boundsOnly: boolean;
  /** Element strides of the dims in the buffer when they are not `shape`'s contiguous ones (a window of a larger input). */
  readonly strides?: readonly number[];
}

/** Scalar expressions. Index expressions inside refer to loop variables by number (i<v>). */
export type Expr =
  | {
      readonly op: 'load';
      readonly buf: number;
      readonly index: IndexExpr;
      readonly dynamic: readonly DynamicIndex[];
      /** When false the load is skipped and yields `fill` (padding, overflow, masked gathers). */
      readonly valid: IndexCond;
      readonly fill: number;
      readonly dtype: DType;
      /** Per-dimension view of the access, when the load reads a buffer through static indices. */
      readonly source?: LoadSource;
    }
  | { readonly op: 'const'; readonly value: number; readonly dtype: DType }
  /** A runtime scalar from the params array: values that change between runs (seeds, most constants). */
  | { readonly op: 'param'; readonly slot: number; readonly dtype: DType }
  /** The integer value of an index expression, as data (the `index` meta-op). */
  | { readonly op: 'coord'; readonly index: IndexExpr; readonly dtype: DType }
  | {
      readonly op: 'random';
      readonly dist: RandomDist;
      /** Param slots holding the Philox key and the counter of element 0. */
      readonly seedSlot: number;
      readonly offsetSlot: number;
      readonly counter: IndexExpr;
      readonly dtype: DType;
    }
  | { readonly op: 'cast'; readonly a: Expr; readonly dtype: DType }
  | { readonly op: 'unary'; readonly fn: UnaryFn; readonly a: Expr; readonly dtype: DType }
  /** `dtype` is the result type; operands share `a.dtype`. */
  | { readonly op: 'binary'; readonly fn: BinaryFn; readonly a: Expr; readonly b: Expr; readonly dtype: DType }
  | { readonly op: 'select'; readonly cond: Expr; readonly a: Expr; readonly b: Expr; readonly dtype: DType }
  /** Whether an index condition holds, as a bool value. */
  | { readonly op: 'test'; readonly cond: IndexCond; readonly dtype: 'bool' }
  /** The current value of an accumulator cell (after its reduction loops finished). */
  | {
      readonly op: 'acc';
      readonly acc: number;
      readonly tile: readonly IndexExpr[];
      readonly dtype: DType;
      /** When set, the accumulator's last tile dim holds this many partial sums (vector lanes) to add up. */
      readonly sumLanes?: number;
    }
  /** A value bound earlier by a `def` statement. */
  | { readonly op: 'ref'; readonly id: number; readonly dtype: DType };

export interface LoopSchedule {
  /**
   * Iterations shared among threads (OpenMP on C). Parallel loops perfectly nested in a parallel
   * loop (each the only statement of the one above) are shared out with it as one iteration space
   * (OpenMP collapse on C; grid axes on a device).
   */
  parallel?: boolean;
  /**
   * On a top-level parallel nest: the next top-level statement, also a parallel nest, neither reads
   * what this one writes nor writes what it reads, so threads go on to it without a barrier. (The
   * top-level parallel nests of a kernel run on one thread team on C.)
   */
  nowait?: boolean;
  /** Vectorise this (innermost) loop; the number is the preferred lane count. */
  vectorize?: number;
  /**
   * Scalar accumulators a vectorised reduce loop combines across lanes: each one is a SIMD
   * reduction (a `reduction` clause on C), so no lane reads another lane's partial value.
   */
  reductions?: readonly number[];
  /** Fully unroll this loop (small constant extent). */
  unroll?: boolean;
  /**
   * Which threads of a device launch share this loop's iterations (set by passes/gpu-map.ts):
   * 'grid': every thread of the launch, one iteration each in turn (grid-stride);
   * 'block': the blocks, one iteration per block in turn; its body runs on all threads of the block;
   * 'thread': the threads of one block (block-stride), inside a 'block' loop or in a one-block launch.
   * Unbound loops run whole on the thread that reaches them.
   */
  bind?: LoopBinding;
}

export type LoopBinding = 'grid' | 'block' | 'thread';

/** A block-local buffer of a device kernel (CUDA `__shared__`): one per block, `size` elements. */
export interface SharedBuffer {
  readonly dtype: DType;
  readonly size: number;
}

export type LoopRole = 'spatial' | 'reduce' | 'tile' | 'init';

export interface Accumulator {
  readonly id: number;
  readonly fn: ReduceFn | ArgReduceFn;
  readonly dtype: DType;
  /** Register-tile shape: [] for a scalar accumulator. */
  readonly tile: readonly number[];
  /**
   * Compensated (Kahan) summation of a scalar float sum: a second running value of the same dtype
   * keeps the low-order bits each addition drops, and reads return the sum corrected by it. Chosen
   * by the accumulate pass where float64 is not cheap (see passes/accumulate.ts).
   */
  readonly compensated?: boolean;
}

export type Stmt =
  | {
      readonly s: 'loop';
      /** Loop variable number: index expressions read it as i<v>. */
      readonly v: number;
      /** Trip count of this instance; with `dynamicSlot` set, the kernel reads it from that param. */
      readonly extent: number;
      /** Param slot holding the trip count at run time (shape-class kernels serve every size). */
      readonly dynamicSlot?: number;
      readonly role: LoopRole;
      readonly schedule: LoopSchedule;
      readonly body: readonly Stmt[];
    }
  | { readonly s: 'def'; readonly id: number; readonly value: Expr }
  | { readonly s: 'store'; readonly buf: number; readonly index: IndexExpr; readonly value: Expr }
  /** Declares accumulators and sets every tile cell to the reduction's identity. */
  | { readonly s: 'accInit'; readonly acc: Accumulator }
  /** acc[tile] = acc[tile] ⊕ value; arg reductions also record `position` on improvement. */
  | {
      readonly s: 'accUpdate';
      readonly acc: number;
      readonly tile: readonly IndexExpr[];
      readonly value: Expr;
      readonly position?: IndexExpr;
    }
  /** out[index + dynamic] ⊕= value where valid: the reindexReduce/scatter store. */
  | {
      readonly s: 'scatter';
      readonly buf: number;
      readonly fn: ReduceFn;
      readonly index: IndexExpr;
      readonly dynamic: readonly DynamicIndex[];
      readonly valid: IndexCond;
      readonly value: Expr;
      /** Loop variables whose distinct values always write distinct cells: safe to run in parallel. */
      readonly exclusive: readonly number[];
    }
  /** Every thread of the block waits here until all of them have arrived (CUDA `__syncthreads()`). */
  | { readonly s: 'barrier' }
  /**
   * The threads of a block combine their partial values of scalar accumulator `acc` (each summed a
   * strided share of a 'thread' loop) in a fixed order — a shuffle tree within each warp, then the
   * warp totals through shared buffer `shared` (Kernel.shared, one cell per warp) — and every thread
   * holds the block's result after it. It contains its own barriers; one must follow before
   * `shared` is written again. An arg reduction (argmax/argmin) also combines its positions,
   * through the int32 shared buffer `positions`: the result is the serial loop's (the first
   * position of the best value; the first NaN for floats).
   */
  | { readonly s: 'blockReduce'; readonly acc: number; readonly shared: number; readonly positions?: number };

export interface KernelBuffer {
  readonly dtype: DType;
  readonly numel: number;
  /** Scratch buffers are kernel-private workspace (a padded or repacked copy of an input). */
  readonly role: 'input' | 'output' | 'scratch';
  /**
   * An input read from element params[offsetSlot] on: a window that moves between runs (x.at(step)
   * of a realized x), so its start is data, not part of the kernel. Loads index from that element.
   */
  readonly offsetSlot?: number;
  /**
   * On a scratch buffer: it holds a packed copy of input buffer `packOf` made by one of the kernel's
   * `packs` before the kernel runs (the kernel only reads it), so a plan may keep it across runs.
   */
  readonly packOf?: number;
}

/**
 * A copy of an input into a kernel's scratch buffer, split out of the kernel (restage with
 * `hoist`): its own kernel, run before the main one only when the input's storage changed.
 */
export interface PackKernel {
  /** The main kernel's scratch buffer it fills. */
  readonly buffer: number;
  /** The main kernel's input buffer it reads. */
  readonly source: number;
  /** The copy nest: buffers [source (input), packed (output)], no params. */
  readonly kernel: Kernel;
}

/**
 * The kernel's computation again, exact for inputs that hold Inf or NaN. Restage removes the select
 * of a padded border when the zero border times the other factors is 0, which needs those factors
 * finite (0 * Inf is NaN); this body keeps the select. The kernel decides on the device, before its
 * nests, whether an element of `buffers` or a `params` value is Inf or NaN, and then runs this body
 * instead of `Kernel.body`: no host round trip, and the common finite case runs the fast nest.
 */
export interface NonFiniteVariant {
  /** Input buffers whose elements are checked (all of them: a scan costs far less than the nest). */
  readonly buffers: readonly number[];
  /** Param slots checked, as the dtype the kernel reads them in (a float64 param can overflow float32). */
  readonly params: readonly { readonly slot: number; readonly dtype: DType }[];
  /** Scheduled by the same passes as `Kernel.body`, sharing its buffers and loop variable numbering. */
  readonly body: readonly Stmt[];
  /** Vector width of this body's register tiles, when the tile pass chose one (see `Kernel.vectorLanes`). */
  readonly vectorLanes?: number;
}

/** One fused kernel: its buffers (inputs then outputs), its runtime params and its loop nest. */
export interface Kernel {
  readonly name: string;
  readonly buffers: readonly KernelBuffer[];
  /** Number of runtime params (float64 each; seeds and offsets are exact integers). */
  readonly paramCount: number;
  /** Extent of each loop variable, indexed by its number. */
  readonly loopExtents: readonly number[];
  readonly body: readonly Stmt[];
  /** Free-form notes for explain(): the fused ops and the pattern recognised. */
  readonly notes: readonly string[];
  /** The kernel works for any element count (buffer sizes and the flat loop's trip count are runtime values). */
  readonly shapeClass?: boolean;
  /** Vector width the tile pass chose for this kernel's register tiles, when not the backend's default. */
  readonly vectorLanes?: number;
  /** The body to run instead when some inputs are not finite (set by restage, see NonFiniteVariant). */
  readonly nonFinite?: NonFiniteVariant;
  /** Threads per block of every launch of this kernel, when a device mapping chose it (passes/gpu-map.ts). */
  readonly blockThreads?: number;
  /** Block-shared buffers (s<index>), referenced by `blockReduce` statements. */
  readonly shared?: readonly SharedBuffer[];
  /** Copies into scratch buffers to run before this kernel, split out of it (see PackKernel). */
  readonly packs?: readonly PackKernel[];
}
