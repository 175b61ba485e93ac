// The koffi binding of the MPI shim: typed functions over plain ints and pointers, and `check`,
// which turns an MPI error code into a DistributedError naming the call.
import koffi from 'koffi';
import type { DataArray, DType } from '@metaop/core';
import { DistributedError } from './errors.js';
import { buildShim } from './shim-build.js';

type Buffer = DataArray;

export interface MpiShim {
  init(): number;
  initialized(): number;
  finalized(): number;
  finalize(): number;
  rank(): number;
  size(): number;
  barrier(): number;
  abort(code: number): number;
  allreduce(buf: Buffer, count: number, dtype: number, op: number): number;
  iallreduce(buf: Buffer, count: number, dtype: number, op: number, handle: Int32Array): number;
  test(handle: number, flag: Int32Array): number;
  wait(handle: number): number;
  bcast(buf: Buffer, bytes: number, root: number): number;
  benchAllreduce(buf: Float32Array, count: number, iters: number): number;
  errorString(code: number): string;
}

/** Reduction codes understood by the shim. */
export const reduceOps = { sum: 0, max: 1, min: 2 } as const;

export function dtypeCode(dtype: DType): number {
  switch (dtype) {
    case 'float32':
      return 0;
    case 'float64':
      return 1;
    case 'int32':
      return 2;
    case 'uint8':
    case 'bool':
      return 3;
  }
}

let shim: MpiShim | undefined;

/** Loads (building if needed) the shim. Throws a DistributedError naming what is missing. */
export function loadShim(): MpiShim {
  if (shim) return shim;
  const lib = koffi.load(buildShim());
  const f = (sig: string) => lib.func(sig) as (...args: unknown[]) => number;
  const errorString = lib.func('int mo_error_string(int code, _Out_ uint8_t *out, int capacity)') as (c: number, out: Uint8Array, n: number) => number;
  const fns = {
    init: f('int mo_init(void)'),
    initialized: f('int mo_initialized(void)'),
    finalized: f('int mo_finalized(void)'),
    finalize: f('int mo_finalize(void)'),
    rank: f('int mo_rank(void)'),
    size: f('int mo_size(void)'),
    barrier: f('int mo_barrier(void)'),
    abort: f('int mo_abort(int code)'),
    allreduce: f('int mo_allreduce(void *buf, int64_t count, int dtype, int op)'),
    iallreduce: f('int mo_iallreduce(void *buf, int64_t count, int dtype, int op, _Out_ int *handle)'),
    test: f('int mo_test(int handle, _Out_ int *flag)'),
    wait: f('int mo_wait(int handle)'),
    bcast: f('int mo_bcast(void *buf, int64_t bytes, int root)'),
    benchAllreduce: lib.func('double mo_bench_allreduce(void *buf, int count, int iters)') as (b: Float32Array, c: number, i: number) => number,
  };
  shim = {
    ...(fns as unknown as Omit<MpiShim, 'errorString'>),
    errorString(code) {
      const out = new Uint8Array(512);
      errorString(code, out, out.length);
      const end = out.indexOf(0);
      return Buffer.from(out.subarray(0, end < 0 ? out.length : end)).toString('utf8');
    },
  };
  return shim;
}

/** Throws a DistributedError when an MPI call returned an error code. */
export function check(m: MpiShim, rc: number, call: string): void {
  if (rc !== 0) throw new DistributedError(`${call} failed with MPI error ${rc}: ${m.errorString(rc)}`, call);
}
