// Explicit SIMD for register tiles: when a tile's innermost loop is marked for vectorisation and
// its update reads only lane-contiguous or lane-invariant values, the C dialect renders it with GCC
// vector types (8 floats per register, 16 where the CPU has AVX-512) instead of relying on
// auto-vectorisation. Matmul and
// convolution micro-kernels come out as broadcast + FMA over accumulators held in registers.
import { condAxes, ibin, ic, iv, substituteIndex, type IndexExpr } from '@metaop/core';
import type { Accumulator, Expr, Stmt } from '../ir/loop-ir.js';
import { axesIn } from '../ir/transform.js';
import { strideOf } from '../passes/linear.js';

/** Lanes of a vector register when the renderer is not told otherwise (AVX2: 8 floats). */
export const LANES = 8;

type LoopStmt = Extract<Stmt, { s: 'loop' }>;

/** How an expression varies along the vector loop variable: not at all, or lane by lane. */
export type Lanes = 'uniform' | 'varying';

/** Classifies `e` along loop variable v, or returns undefined when it cannot be vectorised. */
export function laneClass(e: Expr, v: number, memo = new Map<Expr, Lanes | undefined>()): Lanes | undefined {
  if (memo.has(e)) return memo.get(e);
  let r: Lanes | undefined;
  switch (e.op) {
    case 'const':
    case 'param':
      r = 'uniform';
      break;
    case 'load': {
      const s = strideOf(e.index, v);
      const dynamicUniform = e.dynamic.every((d) => laneClass(d.value, v, memo) === 'uniform');
      const validUniform = !condAxes(e.valid).has(v);
      if (!dynamicUniform || !validUniform) r = undefined;
      else if (s === 0) r = 'uniform';
      else if (s === 1 && e.dtype === 'float32' && e.dynamic.length === 0 && e.valid.kind === 'bool' && e.valid.value) r = 'varying';
      break;
    }
    case 'binary': {
      const a = laneClass(e.a, v, memo);
      const b = laneClass(e.b, v, memo);
      if (a === undefined || b === undefined) r = undefined;
      else if (a === 'uniform' && b === 'uniform') r = 'uniform';
      else if (e.dtype === 'float32' && ['add', 'sub', 'mul', 'div'].includes(e.fn)) r = 'varying';
      break;
    }
    default: {
      // Anything else is fine only when it does not depend on v at all.
      r = axesIn(e).has(v) ? undefined : 'uniform';
    }
  }
  memo.set(e, r);
  return r;
}

/** A tile loop rendered with vector registers: `for lane-block { acc[..] += value }`. */
export function isVectorTileLoop(loop: LoopStmt, accs: ReadonlyMap<number, Accumulator>, lanes = LANES): boolean {
  if (loop.role !== 'tile' || !loop.schedule.vectorize || loop.extent % lanes !== 0) return false;
  if (loop.body.length !== 1 || loop.body[0].s !== 'accUpdate') return false;
  const u = loop.body[0];
  const acc = accs.get(u.acc);
  if (!acc || acc.fn !== 'add' || acc.dtype !== 'float32' || acc.tile.length === 0) return false;
  const last = u.tile[u.tile.length - 1];
  if (last.kind !== 'idx' || last.axis !== loop.v || acc.tile[acc.tile.length - 1] % lanes !== 0) return false;
  if (u.tile.slice(0, -1).some((t) => strideOf(t, loop.v) !== 0)) return false;
  return laneClass(u.value, loop.v) === 'varying';
}

/**
 * Accumulators updated in at least one vector tile loop: they are declared as vectors (other,
 * scalar updates such as reduction tails address single lanes through a float pointer).
 */
export function vectorAccumulators(body: readonly Stmt[], accs: Map<number, Accumulator>, lanes = LANES): Set<number> {
  const ok = new Set<number>();
  const visit = (stmts: readonly Stmt[]) => {
    for (const s of stmts) {
      if (s.s === 'accInit') accs.set(s.acc.id, s.acc);
      if (s.s === 'loop') {
        if (s.body.length === 1 && s.body[0].s === 'accUpdate' && isVectorTileLoop(s, accs, lanes)) ok.add(s.body[0].acc);
        else visit(s.body);
      }
    }
  };
  visit(body);
  return ok;
}

/** The index expression with the vector loop variable at the first lane of block `i<v>`. */
export function laneZero(e: IndexExpr, v: number, lanes = LANES): IndexExpr {
  return substituteIndex(e, (a) => (a === v ? ibin('*', iv(v), ic(lanes)) : iv(a)));
}
