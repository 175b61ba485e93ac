// Register tiling for reductions (matmul, convolution, sums over outer dims): two output axes are
// split into a register tile — a vector axis read contiguously and a reuse axis along which some
// operand is invariant — and the accumulator becomes a tile kept in registers while the reduction
// loops run. The vector-axis blocks run outermost so the operand panel they read stays in cache.
// Tails that do not fill a tile get their own nests with smaller tiles.
import { ibin, ic, iv, type IndexExpr } from '@metaop/core';
import type { Accumulator, Expr, Kernel, Stmt } from '../ir/loop-ir.js';
import { loadsIn, mapChildren, rewriteStmts, substitution } from '../ir/transform.js';
import { strideOf } from './linear.js';
import { kernelRanges } from './ranges.js';
import { pickVectorAxis, pickVectorWidth, type VectorWidths } from './vector-axis.js';

export interface TileOptions extends VectorWidths {
  /** Vector registers per tile row (the vector axis tile is lanes * vectors). */
  readonly vectors: number;
  /** Rows of the register tile along the reuse axis. */
  readonly rows: number;
  /** Minimum multiply-adds before tiling pays off. */
  readonly minWork: number;
}

type LoopStmt = Extract<Stmt, { s: 'loop' }>;

interface ReduceNest {
  readonly spatial: readonly LoopStmt[];
  readonly reduce: readonly LoopStmt[];
  readonly acc: Accumulator;
  readonly update: Extract<Stmt, { s: 'accUpdate' }>;
  readonly store: Extract<Stmt, { s: 'store' }>;
}

/** Recognises spatial loops { accInit; reduce loops { accUpdate }; store } as the whole kernel. */
function matchNest(body: readonly Stmt[]): ReduceNest | null {
  const spatial: LoopStmt[] = [];
  let cur = body;
  while (cur.length === 1 && cur[0].s === 'loop' && cur[0].role === 'spatial') {
    spatial.push(cur[0]);
    cur = cur[0].body;
  }
  if (cur.length !== 3 || cur[0].s !== 'accInit' || cur[1].s !== 'loop' || cur[2].s !== 'store') return null;
  const acc = cur[0].acc;
  const store = cur[2];
  const reduce: LoopStmt[] = [];
  let inner: readonly Stmt[] = [cur[1]];
  while (inner.length === 1 && inner[0].s === 'loop' && inner[0].role === 'reduce') {
    reduce.push(inner[0]);
    inner = inner[0].body;
  }
  if (inner.length !== 1 || inner[0].s !== 'accUpdate' || acc.tile.length > 0) return null;
  if (acc.fn === 'argmax' || acc.fn === 'argmin') return null;
  return { spatial, reduce, acc, update: inner[0], store };
}

export function tileReductions(kernel: Kernel, options: TileOptions): Kernel {
  // Earlier statements (restaged input copies) stay in front of the reduction nest.
  const prefix = kernel.body.slice(0, -1);
  const nest = matchNest(kernel.body.slice(-1));
  if (!nest || nest.spatial.length === 0) return kernel;
  const work = [...nest.spatial, ...nest.reduce].reduce((w, l) => w * l.extent, 1);
  if (work < options.minWork) return kernel;
  const loads = loadsIn(nest.update.value, { dynamic: true }).map((l) => l.index);
  const axes = new Map<number, LoopStmt | undefined>();
  const axisFor = (lanes: number) => {
    if (!axes.has(lanes)) axes.set(lanes, chooseVectorAxis(nest, loads, lanes));
    return axes.get(lanes);
  };
  const lanes = pickVectorWidth(options, axisFor);
  if (lanes === options.lanes) return tileNest(kernel, nest, prefix, loads, options, axisFor(lanes));
  const tiled = tileNest(kernel, nest, prefix, loads, { ...options, lanes }, axisFor(lanes));
  return { ...tiled, vectorLanes: lanes, notes: [...tiled.notes, `vectors of ${lanes} floats: fewer operations than ${options.lanes} along the vector axis`] };
}

/** Every load contiguous or invariant along the axis; ties go to more contiguous loads, then length. */
function chooseVectorAxis(nest: ReduceNest, loads: readonly IndexExpr[], lanes: number): LoopStmt | undefined {
  const contiguousLoads = (l: LoopStmt) => loads.filter((e) => strideOf(e, l.v) === 1).length;
  return pickVectorAxis(
    nest.spatial,
    nest.store.index,
    lanes,
    (l) => loads.every((e) => [0, 1].includes(strideOf(e, l.v) ?? -1)),
    (a, b) => contiguousLoads(b) - contiguousLoads(a) || b.extent - a.extent,
  );
}

function tileNest(kernel: Kernel, nest: ReduceNest, prefix: readonly Stmt[], loads: IndexExpr[], options: TileOptions, vectorAxis: LoopStmt | undefined): Kernel {
  // The reuse axis: the one along which the loads that feed the vector lanes are invariant (they
  // are then read once per tile row set), then the one along which most loads are invariant.
  const vectorLoads = vectorAxis ? loads.filter((e) => strideOf(e, vectorAxis.v) !== 0) : loads;
  const candidates = nest.spatial.filter((l) => l !== vectorAxis && l.extent >= 2);
  let reuse: LoopStmt | undefined;
  let best = [0, 0];
  for (const l of candidates) {
    const score = [vectorLoads.filter((e) => strideOf(e, l.v) === 0).length, loads.filter((e) => strideOf(e, l.v) === 0).length];
    if (score[0] > best[0] || (score[0] === best[0] && score[1] > best[1]) || (score[0] === best[0] && score[1] === best[1] && score[1] > 0)) {
      best = score;
      reuse = l;
    }
  }
  // Without an output axis to vectorise, vectorise the contiguous reduction loop with per-lane
  // partial sums (weight gradients of convolutions: few outputs, long reductions).
  if (!vectorAxis) return tileReductionLanes(kernel, nest, prefix, loads, options);

  const extents = [...kernel.loopExtents];
  const fresh = (extent: number) => {
    extents.push(extent);
    return extents.length - 1;
  };
  const vt = vectorAxis ? Math.min(options.lanes * options.vectors, Math.floor(vectorAxis.extent / options.lanes) * options.lanes) : 1;
  const rt = reuse ? Math.min(options.rows, reuse.extent) : 1;
  const nests: Stmt[] = [];
  const vSplit = vectorAxis ? splitRange(vectorAxis.extent, vt, options.lanes) : [{ start: 0, count: 1, tile: 1 }];
  const rSplit = reuse ? splitRange(reuse.extent, rt) : [{ start: 0, count: 1, tile: 1 }];
  // Each copy of the nest gets its own accumulator (tiles of different shapes).
  let accId = nest.acc.id;
  for (const vr of vSplit) {
    for (const rr of rSplit) {
      nests.push(...buildNest(nest, kernel, extents, fresh, vectorAxis, vr, reuse, rr, accId++));
    }
  }
  const notes = [...kernel.notes, `register tile ${rt}x${vt} (reuse axis i${reuse?.v ?? '-'}, vector axis i${vectorAxis?.v ?? '-'})`];
  return { ...kernel, loopExtents: extents, body: [...prefix, ...nests], notes };
}

interface Piece {
  readonly start: number;
  readonly count: number;
  readonly tile: number;
}

/**
 * [0, n) as whole tiles, then (for a vector axis) whole vectors of `lanes`, then single elements.
 */
function splitRange(n: number, tile: number, lanes = 0): Piece[] {
  const pieces: Piece[] = [];
  let start = 0;
  for (const t of [tile, lanes > 1 && lanes < tile ? lanes : 0, 1]) {
    if (t <= 0) continue;
    const count = Math.floor((n - start) / t) * t;
    if (count > 0) pieces.push({ start, count, tile: t });
    start += count;
  }
  return pieces;
}

function buildNest(
  nest: ReduceNest,
  kernel: Kernel,
  extents: number[],
  fresh: (extent: number) => number,
  vectorAxis: LoopStmt | undefined,
  vr: Piece,
  reuse: LoopStmt | undefined,
  rr: Piece,
  accId: number,
): Stmt[] {
  // Fresh variables for every loop of this copy.
  const map = new Map<number, IndexExpr>();
  const outerLoops: { v: number; extent: number }[] = [];
  for (const l of nest.spatial) {
    if (l === vectorAxis || l === reuse) continue;
    const v = fresh(l.extent);
    map.set(l.v, iv(v));
    outerLoops.push({ v, extent: l.extent });
  }
  const reduceLoops = nest.reduce.map((l) => {
    const v = fresh(l.extent);
    map.set(l.v, iv(v));
    return { v, extent: l.extent };
  });
  const tileLoops: { v: number; extent: number; vector: boolean }[] = [];
  const blockLoops: { v: number; extent: number }[] = [];
  const tileIdx: IndexExpr[] = [];
  const tileShape: number[] = [];
  const axis = (l: LoopStmt | undefined, p: Piece, vector: boolean) => {
    if (!l) return;
    const outer = fresh(p.count / p.tile);
    blockLoops.push({ v: outer, extent: p.count / p.tile });
    if (p.tile > 1) {
      const inner = fresh(p.tile);
      tileLoops.push({ v: inner, extent: p.tile, vector });
      tileIdx.push(iv(inner));
      tileShape.push(p.tile);
      map.set(l.v, ibin('+', ic(p.start), ibin('+', ibin('*', iv(outer), ic(p.tile)), iv(inner))));
    } else {
      map.set(l.v, ibin('+', ic(p.start), iv(outer)));
    }
  };
  // Vector blocks outermost (operand panel reuse), then reuse-axis blocks.
  axis(vectorAxis, vr, true);
  axis(reuse, rr, false);
  // Tile loops: reuse axis (unrolled) outside, vector axis (vectorised) inside.
  tileLoops.reverse();
  tileIdx.reverse();
  tileShape.reverse();

  const ranges = kernelRanges({ ...kernel, loopExtents: extents });
  const r = substitution((v) => map.get(v) ?? iv(v), ranges);
  const memo = new Map<Expr, Expr>();
  const acc: Accumulator = { ...nest.acc, id: accId, tile: tileShape };
  const update = { ...(rewriteStmts([nest.update], r, memo)[0] as Extract<Stmt, { s: 'accUpdate' }>), acc: accId };
  const store = rewriteStmts([nest.store], r, memo)[0] as Extract<Stmt, { s: 'store' }>;
  const accRead = new Map<Expr, Expr>();
  const withTile = (e: Expr): Expr => {
    const hit = accRead.get(e);
    if (hit) return hit;
    const out = e.op === 'acc' ? { ...e, acc: accId, tile: tileIdx } : mapChildren(e, withTile);
    accRead.set(e, out);
    return out;
  };
  const tiled = (body: Stmt[]): Stmt[] =>
    tileLoops.reduceRight<Stmt[]>(
      (inner, t) => [{ s: 'loop', v: t.v, extent: t.extent, role: 'tile', schedule: t.vector ? { vectorize: t.extent } : { unroll: true }, body: inner }],
      body,
    );
  let reduceBody: Stmt[] = tiled([{ ...update, tile: tileIdx }]);
  for (let i = reduceLoops.length - 1; i >= 0; i--) {
    reduceBody = [{ s: 'loop', v: reduceLoops[i].v, extent: reduceLoops[i].extent, role: 'reduce', schedule: {}, body: reduceBody }];
  }
  let body: Stmt[] = [{ s: 'accInit', acc }, ...reduceBody, ...tiled([{ ...store, value: withTile(store.value) }])];
  for (const l of [...outerLoops, ...blockLoops].reverse()) {
    body = [{ s: 'loop', v: l.v, extent: l.extent, role: 'spatial', schedule: {}, body }];
  }
  return body;
}

/**
 * Lane tiling: the innermost contiguous reduction loop is split into vectors of `lanes`; the
 * accumulator tile [rows x lanes] keeps partial sums per lane, added up once in the epilogue.
 * Rows block the spatial axis along which the contiguous operands are invariant.
 */
function tileReductionLanes(kernel: Kernel, nest: ReduceNest, prefix: readonly Stmt[], loads: IndexExpr[], options: TileOptions): Kernel {
  const { lanes } = options;
  if (nest.acc.fn !== 'add' || nest.acc.dtype !== 'float32') return kernel;
  const lane = [...nest.reduce]
    .reverse()
    .find((l) => l.extent >= lanes && loads.every((e) => [0, 1].includes(strideOf(e, l.v) ?? -1)) && loads.some((e) => strideOf(e, l.v) === 1));
  if (!lane) return kernel;
  const laneLoads = loads.filter((e) => strideOf(e, lane.v) === 1);
  let reuse: LoopStmt | undefined;
  let best = 0;
  for (const l of nest.spatial) {
    if (l.extent < 2) continue;
    const score = laneLoads.filter((e) => strideOf(e, l.v) === 0).length;
    if (score > best) {
      best = score;
      reuse = l;
    }
  }
  const extents = [...kernel.loopExtents];
  const fresh = (extent: number) => {
    extents.push(extent);
    return extents.length - 1;
  };
  const rows = reuse ? Math.min(options.rows, reuse.extent) : 1;
  const rSplit = reuse ? splitRange(reuse.extent, rows) : [{ start: 0, count: 1, tile: 1 }];
  const full = Math.floor(lane.extent / lanes) * lanes;
  const tail = lane.extent - full;
  const body: Stmt[] = [...prefix];
  let accId = nest.acc.id;
  for (const rr of rSplit) {
    const id = accId++;
    const map = new Map<number, IndexExpr>();
    const outer: { v: number; extent: number }[] = [];
    for (const l of nest.spatial) {
      if (l === reuse) continue;
      const v = fresh(l.extent);
      map.set(l.v, iv(v));
      outer.push({ v, extent: l.extent });
    }
    const rowBlock = fresh(rr.count / rr.tile);
    const rowVar = rr.tile > 1 ? fresh(rr.tile) : undefined;
    if (reuse) {
      map.set(reuse.v, rowVar === undefined ? ibin('+', ic(rr.start), iv(rowBlock)) : ibin('+', ic(rr.start), ibin('+', ibin('*', iv(rowBlock), ic(rr.tile)), iv(rowVar))));
    }
    const reduceOuter = nest.reduce.filter((l) => l !== lane).map((l) => {
      const v = fresh(l.extent);
      map.set(l.v, iv(v));
      return { v, extent: l.extent };
    });
    const tileShape = rowVar === undefined ? [lanes] : [rr.tile, lanes];
    const acc: Accumulator = { ...nest.acc, id, tile: tileShape };
    const ranges = kernelRanges({ ...kernel, loopExtents: extents });
    const updateAt = (laneExpr: IndexExpr, laneIdx: IndexExpr): Stmt[] => {
      const r = substitution((v) => (v === lane.v ? laneExpr : (map.get(v) ?? iv(v))), ranges);
      const u = rewriteStmts([nest.update], r)[0] as Extract<Stmt, { s: 'accUpdate' }>;
      const tile = rowVar === undefined ? [laneIdx] : [iv(rowVar), laneIdx];
      let inner: Stmt = { ...u, acc: id, tile };
      if (rowVar !== undefined) inner = { s: 'loop', v: rowVar, extent: rr.tile, role: 'tile', schedule: { unroll: true }, body: [inner] };
      return [inner];
    };
    const reduceBody: Stmt[] = [];
    if (full > 0) {
      const block = fresh(full / lanes);
      const li = fresh(lanes);
      const inner = updateAt(ibin('+', ibin('*', iv(block), ic(lanes)), iv(li)), iv(li));
      // lanes innermost: rows (unrolled) outside the vector loop
      const vectorLoop = (stmts: readonly Stmt[]): Stmt[] =>
        stmts.map((st) =>
          st.s === 'loop' && st.role === 'tile'
            ? { ...st, body: vectorLoop(st.body) }
            : { s: 'loop', v: li, extent: lanes, role: 'tile', schedule: { vectorize: lanes }, body: [st] },
        );
      reduceBody.push({ s: 'loop', v: block, extent: full / lanes, role: 'reduce', schedule: {}, body: vectorLoop(inner) });
    }
    if (tail > 0) {
      const t = fresh(tail);
      reduceBody.push({ s: 'loop', v: t, extent: tail, role: 'reduce', schedule: {}, body: updateAt(ibin('+', ic(full), iv(t)), iv(t)) });
    }
    let reduceNest: Stmt[] = reduceBody;
    for (let k = reduceOuter.length - 1; k >= 0; k--) {
      reduceNest = [{ s: 'loop', v: reduceOuter[k].v, extent: reduceOuter[k].extent, role: 'reduce', schedule: {}, body: reduceNest }];
    }
    const storeRanges = kernelRanges({ ...kernel, loopExtents: extents });
    const sr = substitution((v) => map.get(v) ?? iv(v), storeRanges);
    const store = rewriteStmts([nest.store], sr)[0] as Extract<Stmt, { s: 'store' }>;
    const rowIdx = rowVar === undefined ? [] : [iv(rowVar)];
    const withLanes = (e: Expr): Expr => (e.op === 'acc' ? { ...e, acc: id, tile: rowIdx, sumLanes: lanes } : mapChildren(e, withLanes));
    let epilogue: Stmt = { ...store, value: withLanes(store.value) };
    if (rowVar !== undefined) epilogue = { s: 'loop', v: rowVar, extent: rr.tile, role: 'tile', schedule: { unroll: true }, body: [epilogue] };
    let nestBody: Stmt[] = [{ s: 'accInit', acc }, ...reduceNest, epilogue];
    for (const l of [...outer, { v: rowBlock, extent: rr.count / rr.tile }].reverse()) {
      nestBody = [{ s: 'loop', v: l.v, extent: l.extent, role: 'spatial', schedule: {}, body: nestBody }];
    }
    body.push(...nestBody);
  }
  const notes = [...kernel.notes, `lane tile ${rows}x${lanes} (reuse axis i${reuse?.v ?? '-'}, reduction lanes along i${lane.v})`];
  return { ...kernel, loopExtents: extents, body, notes };
}
