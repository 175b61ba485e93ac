// Divergence checks: the ranks compare a hash of their gradient graphs' structure, of every
// parameter's shape and dtype, and a checksum of every parameter's bytes (all-reduce of max and
// min: equal on every rank exactly when the ranks agree). On a mismatch every rank sees the same
// result and throws the same DivergenceError naming the first differing parameter, so none hangs.
import { collectGraph, formatShape, type Var } from '@metaop/core';
import type { Bucket } from './buckets.js';
import { DivergenceError } from './errors.js';
import { check, reduceOps, type MpiShim } from './mpi.js';
import { readHost } from './staging.js';

/** FNV-1a over bytes (32-bit): a cheap exact fingerprint, not a cryptographic one. */
function fnv(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  return h;
}
const fnvText = (s: string) => fnv(new TextEncoder().encode(s));

function agreeing(mpi: MpiShim, values: Float64Array): { max: Float64Array; min: Float64Array } {
  const max = values.slice();
  const min = values.slice();
  check(mpi, mpi.allreduce(max, max.length, 1, reduceOps.max), 'MPI_Allreduce');
  check(mpi, mpi.allreduce(min, min.length, 1, reduceOps.min), 'MPI_Allreduce');
  return { max, min };
}

function describe(params: readonly Var[], i: number): string {
  const p = params[i];
  return `parameter ${i}${p.name ? ` '${p.name}'` : ''} (${p.dtype}${formatShape(p.shape)})`;
}

export function checkAgreement(mpi: MpiShim, params: readonly Var[], grads: readonly (Var | null)[], buckets: readonly Bucket[], step: number): void {
  const count = agreeing(mpi, new Float64Array([params.length]));
  if (count.max[0] !== count.min[0]) {
    throw new DivergenceError(`at step ${step} the ranks optimize different numbers of parameters (${count.min[0]} to ${count.max[0]}); every rank must build the same model`, 'allReduce');
  }
  const nodes = collectGraph(grads.filter((g): g is Var => g !== null)).nodes;
  // Ops and dtypes, not shapes: a final partial batch may be split unevenly between ranks.
  const graph = fnvText(`${nodes.map((v) => `${v.node?.op}:${v.dtype}`).join(';')}|${buckets.map((b) => b.indices.join(',')).join('/')}`);
  const n = params.length;
  const values = new Float64Array(1 + 2 * n);
  values[0] = graph;
  params.forEach((p, i) => {
    values[1 + i] = fnvText(`${p.dtype}${formatShape(p.shape)}:${grads[i] ? 'grad' : 'none'}`);
    const data = readHost(p, 'allReduce');
    values[1 + n + i] = fnv(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  });
  const { max, min } = agreeing(mpi, values);
  for (let i = 0; i < n; i++) {
    if (max[1 + i] !== min[1 + i]) {
      throw new DivergenceError(`at step ${step} ${describe(params, i)} has a different shape, dtype or gradient presence on some rank; every rank must build the same model and graph`, 'allReduce');
    }
  }
  if (max[0] !== min[0]) {
    throw new DivergenceError(`at step ${step} the ranks built gradient graphs of different structure (${nodes.length} nodes on this rank); every rank must run the same model code on same-shaped batches`, 'allReduce');
  }
  for (let i = 0; i < n; i++) {
    if (max[1 + n + i] !== min[1 + n + i]) {
      throw new DivergenceError(
        `at step ${step} ${describe(params, i)} differs between ranks (checksums differ), the first parameter that does; ` +
          'the ranks diverged: something rank-dependent changed the parameters outside the synchronised step',
        'allReduce',
      );
    }
  }
}
