// allReduce, broadcast and barrier on realized Vars of any backend. Vars of one dtype are staged
// into one flat host buffer (in the order given) and reduced by one MPI call, so the reduction
// order is fixed: the result is the same on every rank and from run to run.
import { ArgumentError, DTypeError, isFloat, noteWrite, type DataArray, type DType, type Storage, type Var } from '@metaop/core';
import { realize } from '@metaop/ops';
import { check, dtypeCode, reduceOps, type MpiShim } from './mpi.js';
import { hostArray, pinnedArray, readHost, writeHost } from './staging.js';
import { currentWorld, type World } from './world.js';

export type ReduceOp = 'sum' | 'mean' | 'max' | 'min';

function byDtype(vars: readonly Var[]): Map<DType, Var[]> {
  const groups = new Map<DType, Var[]>();
  for (const v of vars) {
    const g = groups.get(v.dtype);
    if (g) g.push(v);
    else groups.set(v.dtype, [v]);
  }
  return groups;
}

/**
 * Concatenates the Vars' values into one host buffer; `pinned` when a non-blocking MPI call will
 * use it (a fixed address). A single Var's host copy is used as it is otherwise.
 */
export function flatten(vars: readonly Var[], dtype: DType, op: string, pinned = false): DataArray {
  if (!pinned && vars.length === 1) return readHost(vars[0], op);
  const total = vars.reduce((n, v) => n + v.numel, 0);
  const flat = pinnedArray(dtype, total);
  let at = 0;
  for (const v of vars) {
    flat.set(readHost(v, op) as never, at);
    at += v.numel;
  }
  return flat;
}

/** Writes the pieces of a flat buffer back into the Vars, in place. */
export function unflatten(flat: DataArray, vars: readonly Var[], op: string): void {
  let at = 0;
  for (const v of vars) {
    writeHost(v, vars.length === 1 ? flat : flat.subarray(at, at + v.numel), op);
    at += v.numel;
  }
}

/** Divides a summed buffer by the world size (for float32, the division rounds once, like the sum). */
export function divide(flat: DataArray, n: number): void {
  if (n === 1) return;
  for (let i = 0; i < flat.length; i++) flat[i] = flat[i] / n;
}

/** Realizes the Vars, then runs `collective` on one flat host buffer per dtype and writes the result back. */
function staged(vars: readonly Var[], world: World, op: string, collective: (mpi: MpiShim, flat: DataArray, dtype: DType) => void): void {
  realize(vars);
  if (world.size === 1 || !world.mpi) return;
  for (const [dtype, group] of byDtype(vars)) {
    if (group.every((v) => v.numel === 0)) continue;
    // A lone Var in host memory (the CPU backends) is reduced in its own storage: no copy.
    const host = group.length === 1 ? hostArray(group[0]) : undefined;
    if (host) {
      collective(world.mpi, host, dtype);
      // Written in place, past the backend's write(): copies derived from it (packed weights) are stale.
      noteWrite(group[0].storage as Storage);
      continue;
    }
    const flat = flatten(group, dtype, op);
    collective(world.mpi, flat, dtype);
    unflatten(flat, group, op);
  }
}

function checkVars(vars: readonly Var[], op: string): void {
  if (!Array.isArray(vars)) throw new ArgumentError('expects an array of Vars', op);
  if (new Set(vars).size !== vars.length) throw new ArgumentError('a Var appears twice; each is reduced in place', op);
}

/**
 * Reduces each Var over every rank, in place: the element-wise sum, mean (floats only), max or
 * min. Every rank must pass Vars of the same shapes and dtypes in the same order.
 */
export function allReduce(vars: readonly Var[], op: ReduceOp = 'sum'): void {
  const name = 'allReduce';
  checkVars(vars, name);
  if (!['sum', 'mean', 'max', 'min'].includes(op)) throw new ArgumentError(`op must be 'sum', 'mean', 'max' or 'min', got ${String(op)}`, name);
  for (const v of vars) {
    if (v.dtype === 'bool' && (op === 'sum' || op === 'mean')) {
      throw new DTypeError(`'${op}' of bool ${v.describe()} is not a bool; use 'max' (logical or) or 'min' (logical and), or cast to int32 first`, name);
    }
    if (op === 'mean' && !isFloat(v.dtype)) {
      throw new DTypeError(`'mean' needs float Vars, got ${v.describe()}; reduce with 'sum' and divide, or cast first`, name);
    }
  }
  const world = currentWorld(name);
  staged(vars, world, name, (mpi, flat, dtype) => {
    check(mpi, mpi.allreduce(flat, flat.length, dtypeCode(dtype), reduceOps[op === 'mean' ? 'sum' : op]), 'MPI_Allreduce');
    if (op === 'mean') divide(flat, world.size);
  });
}

/** Copies each Var's value on rank `root` to every rank, in place. */
export function broadcast(vars: readonly Var[], root = 0): void {
  const name = 'broadcast';
  checkVars(vars, name);
  const world = currentWorld(name);
  if (!Number.isInteger(root) || root < 0 || root >= world.size) {
    throw new ArgumentError(`root must be a rank in 0..${world.size - 1}, got ${root}`, name);
  }
  staged(vars, world, name, (mpi, flat) => check(mpi, mpi.bcast(flat, flat.byteLength, root), 'MPI_Bcast'));
}

/** Waits until every rank has reached this call. */
export function barrier(): void {
  const world = currentWorld('barrier');
  if (world.mpi) check(world.mpi, world.mpi.barrier(), 'MPI_Barrier');
}
