// The pass pipeline: which loop passes run, configured per backend by its capabilities.
import type { Kernel } from '../ir/loop-ir.js';
import { accumulate, type AccumulateOptions } from './accumulate.js';
import { gpuMap, type GpuMapOptions } from './gpu-map.js';
import { mergeLoops } from './merge-loops.js';
import { parallelize } from './parallel.js';
import { tileReductions, type TileOptions } from './tile.js';
import { restagePaddedInputs, type RestageOptions } from './restage.js';
import { shapeClass } from './shape-class.js';
import { reorderScatterNests } from './reorder.js';
import { removeUnitLoops } from './unit-loops.js';
import { unrollSmallLoops } from './unroll.js';
import { vectorize } from './vectorize.js';

export interface ScheduleOptions {
  /** Threads are available (OpenMP on C); 0 disables the parallel pass. */
  readonly threads: number;
  /** Vector lanes of the target for float32 (0 disables the vectorize pass). */
  readonly vectorLanes: number;
  /** Minimum iterations before a nest is split across threads. */
  readonly parallelMinWork?: number;
  /** Most perfectly nested loops of a nest shared out together (the renderer collapses them; default 1). */
  readonly parallelAxes?: number;
  /** Top-level parallel nests share one thread team: mark the ones that need no barrier after them (C: one OpenMP region). */
  readonly parallelTeam?: boolean;
  /** Register tiling of reductions; off when absent. */
  readonly tile?: TileOptions;
  /** Copy padded inputs of heavy reductions into scratch buffers (packed for tile's vector axis); off when absent. */
  readonly restage?: RestageOptions;
  /**
   * Input buffers whose packed copies restage splits out into pack kernels (Kernel.packs) for the
   * caller to run before the kernel: a compiled backend's plans name the realized inputs (weights,
   * with flags.packOnce) and keep the copies; copies of other inputs stay inside the kernel.
   */
  readonly hoistPacks?: ReadonlySet<number>;
  /** Fully unroll loops up to this extent (0 or absent: no unrolling). */
  readonly unroll?: number;
  /** How float sums keep their rounding error small (float32 one-by-one sums when absent). */
  readonly accumulate?: AccumulateOptions;
  /** Compile flat element-wise kernels once for every size (the renderer must support dynamic trip counts). */
  readonly shapeClasses?: boolean;
  /** Bind loops to a device's grid, blocks and threads (passes/gpu-map.ts); off when absent (CPU targets). */
  readonly gpu?: GpuMapOptions;
}

export function schedule(kernel: Kernel, options: ScheduleOptions): Kernel {
  let k = removeUnitLoops(kernel);
  // Restage packs inputs for the vector axis and width the tile pass will choose; the packed
  // copies of hoistPacks' inputs become pack kernels that a plan runs once per value of the input.
  if (options.restage) k = restagePaddedInputs(k, options.hoistPacks ? { ...options.restage, hoist: options.hoistPacks } : options.restage, options.tile);
  const packs = k.packs?.map((p) => ({ ...p, kernel: schedulePack(p.kernel, options) }));
  const scheduled = scheduleVariants(k, kernel.name, options);
  return packs ? { ...scheduled, packs } : scheduled;
}

/** A pack kernel is a plain copy nest: threads and vectors, no tiling or shape classes. */
function schedulePack(kernel: Kernel, options: ScheduleOptions): Kernel {
  return scheduleNests(kernel, { ...options, tile: undefined, accumulate: undefined, shapeClasses: false, restage: undefined });
}

/** The main body and its non-finite variant through the same passes. */
function scheduleVariants(k: Kernel, name: string, options: ScheduleOptions): Kernel {
  const variant = k.nonFinite;
  if (!variant) return scheduleNests(k, options);
  // Both bodies go through the same passes; the fast one exactly as without a variant. The
  // variant's new loop variables are numbered after the fast body's, so they share loopExtents.
  const fast = scheduleNests({ ...k, nonFinite: undefined }, options);
  const exact = scheduleNests({ ...fast, body: variant.body, vectorLanes: undefined, notes: [] }, options);
  if (exact.paramCount !== fast.paramCount || exact.buffers.length !== fast.buffers.length || exact.shapeClass !== fast.shapeClass) {
    throw new Error(`schedule: the non-finite variant of ${name} changed the kernel's buffers or params`);
  }
  return {
    ...fast,
    loopExtents: exact.loopExtents,
    notes: [...fast.notes, ...exact.notes.map((n) => `non-finite variant: ${n}`)],
    nonFinite: { ...variant, body: exact.body, ...(exact.vectorLanes === undefined ? {} : { vectorLanes: exact.vectorLanes }) },
    // The variant's mapping may add shared buffers after the fast body's (it starts from them).
    ...(exact.shared === undefined ? {} : { shared: exact.shared }),
  };
}

/** The passes after restage, on one body. */
function scheduleNests(kernel: Kernel, options: ScheduleOptions): Kernel {
  let k = kernel;
  if (options.tile) k = removeUnitLoops(tileReductions(k, options.tile));
  k = mergeLoops(k);
  // After tiling (it blocks register tiles), before threads (they may share a sum's chunks).
  if (options.accumulate) k = accumulate(k, options.accumulate);
  if (options.shapeClasses) k = shapeClass(k);
  if (options.threads > 1) {
    k = parallelize(k, { minWork: options.parallelMinWork ?? 1 << 15, threads: options.threads, axes: options.parallelAxes ?? 1, team: options.parallelTeam ?? false });
  }
  k = reorderScatterNests(k);
  if (options.vectorLanes > 1) k = vectorize(k, { lanes: options.vectorLanes });
  if (options.unroll) k = unrollSmallLoops(k, { maxExtent: options.unroll });
  if (options.gpu) k = gpuMap(k, options.gpu);
  return k;
}
