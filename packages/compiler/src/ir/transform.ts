// Generic rewriting of loop IR: substitute loop variables, visit expressions and statements.
import {
  condAxes,
  indexAxes,
  simplifyCond,
  simplifyIndex,
  substituteCond,
  substituteIndex,
  type AxisRanges,
  type IndexCond,
  type IndexExpr,
} from '@metaop/core';
import type { DynamicIndex, Expr, Stmt } from './loop-ir.js';

export interface IndexRewriter {
  index(e: IndexExpr): IndexExpr;
  cond(c: IndexCond): IndexCond;
}

/** A rewriter that substitutes loop variables and simplifies with the given ranges. */
export function substitution(map: (v: number) => IndexExpr, ranges: AxisRanges): IndexRewriter {
  return {
    index: (e) => simplifyIndex(substituteIndex(e, map), ranges),
    cond: (c) => simplifyCond(substituteCond(c, map), ranges),
  };
}

export function rewriteExpr(e: Expr, r: IndexRewriter, memo = new Map<Expr, Expr>()): Expr {
  const hit = memo.get(e);
  if (hit) return hit;
  let out: Expr;
  switch (e.op) {
    case 'load':
      out = {
        ...e,
        index: r.index(e.index),
        dynamic: rewriteDynamic(e.dynamic, r, memo),
        valid: r.cond(e.valid),
        source: e.source && { ...e.source, coords: e.source.coords.map((c) => r.index(c)) },
      };
      break;
    case 'const':
    case 'param':
    case 'ref':
      out = e;
      break;
    case 'coord':
      out = { ...e, index: r.index(e.index) };
      break;
    case 'random':
      out = { ...e, counter: r.index(e.counter) };
      break;
    case 'cast':
    case 'unary':
      out = { ...e, a: rewriteExpr(e.a, r, memo) };
      break;
    case 'binary':
      out = { ...e, a: rewriteExpr(e.a, r, memo), b: rewriteExpr(e.b, r, memo) };
      break;
    case 'select':
      out = { ...e, cond: rewriteExpr(e.cond, r, memo), a: rewriteExpr(e.a, r, memo), b: rewriteExpr(e.b, r, memo) };
      break;
    case 'test':
      out = { ...e, cond: r.cond(e.cond) };
      break;
    case 'acc':
      out = { ...e, tile: e.tile.map((t) => r.index(t)) };
      break;
  }
  memo.set(e, out);
  return out;
}

function rewriteDynamic(d: readonly DynamicIndex[], r: IndexRewriter, memo: Map<Expr, Expr>): DynamicIndex[] {
  return d.map((x) => ({ ...x, value: rewriteExpr(x.value, r, memo) }));
}

export function rewriteStmts(stmts: readonly Stmt[], r: IndexRewriter, memo = new Map<Expr, Expr>()): Stmt[] {
  return stmts.map((s): Stmt => {
    switch (s.s) {
      case 'loop':
        return { ...s, body: rewriteStmts(s.body, r, memo) };
      case 'def':
        return { ...s, value: rewriteExpr(s.value, r, memo) };
      case 'store':
        return { ...s, index: r.index(s.index), value: rewriteExpr(s.value, r, memo) };
      case 'accInit':
      case 'barrier':
      case 'blockReduce':
        return s;
      case 'accUpdate':
        return {
          ...s,
          tile: s.tile.map((t) => r.index(t)),
          value: rewriteExpr(s.value, r, memo),
          position: s.position && r.index(s.position),
        };
      case 'scatter':
        return {
          ...s,
          index: r.index(s.index),
          dynamic: rewriteDynamic(s.dynamic, r, memo),
          valid: r.cond(s.valid),
          value: rewriteExpr(s.value, r, memo),
        };
    }
  });
}

/** Calls fn for every index expression and condition in the statements (loads, stores, tiles). */
export function visitIndices(stmts: readonly Stmt[], fn: (e: IndexExpr | IndexCond) => void): void {
  const seen = new Set<Expr>();
  const expr = (e: Expr) => {
    if (seen.has(e)) return;
    seen.add(e);
    switch (e.op) {
      case 'load':
        fn(e.index);
        fn(e.valid);
        e.dynamic.forEach((d) => expr(d.value));
        break;
      case 'coord':
        fn(e.index);
        break;
      case 'random':
        fn(e.counter);
        break;
      case 'cast':
      case 'unary':
        expr(e.a);
        break;
      case 'binary':
        expr(e.a);
        expr(e.b);
        break;
      case 'select':
        expr(e.cond);
        expr(e.a);
        expr(e.b);
        break;
      case 'test':
        fn(e.cond);
        break;
      case 'acc':
        e.tile.forEach(fn);
        break;
      default:
        break;
    }
  };
  for (const s of stmts) {
    switch (s.s) {
      case 'loop':
        visitIndices(s.body, fn);
        break;
      case 'def':
        expr(s.value);
        break;
      case 'store':
        fn(s.index);
        expr(s.value);
        break;
      case 'accInit':
      case 'barrier':
      case 'blockReduce':
        break;
      case 'accUpdate':
        s.tile.forEach(fn);
        if (s.position) fn(s.position);
        expr(s.value);
        break;
      case 'scatter':
        fn(s.index);
        fn(s.valid);
        s.dynamic.forEach((d) => expr(d.value));
        expr(s.value);
        break;
    }
  }
}

/** The loop variables an expression's index expressions and conditions mention (through every child). */
export function axesIn(e: Expr): Set<number> {
  const axes = new Set<number>();
  const isIndex = (x: IndexExpr | IndexCond): x is IndexExpr => x.kind === 'const' || x.kind === 'idx' || x.kind === 'bin';
  visitIndices([{ s: 'def', id: -1, value: e }], (x) => (isIndex(x) ? indexAxes(x, axes) : condAxes(x, axes)));
  return axes;
}

/**
 * The loads an expression reads, through casts, unary, binary and select nodes (shared nodes once);
 * with `dynamic`, also the loads inside gathers' index values.
 */
export function loadsIn(e: Expr, options: { dynamic?: boolean } = {}, out: Extract<Expr, { op: 'load' }>[] = [], seen = new Set<Expr>()): Extract<Expr, { op: 'load' }>[] {
  if (seen.has(e)) return out;
  seen.add(e);
  switch (e.op) {
    case 'load':
      out.push(e);
      if (options.dynamic) e.dynamic.forEach((d) => loadsIn(d.value, options, out, seen));
      break;
    case 'cast':
    case 'unary':
      loadsIn(e.a, options, out, seen);
      break;
    case 'binary':
      loadsIn(e.a, options, out, seen);
      loadsIn(e.b, options, out, seen);
      break;
    case 'select':
      loadsIn(e.cond, options, out, seen);
      loadsIn(e.a, options, out, seen);
      loadsIn(e.b, options, out, seen);
      break;
    default:
      break;
  }
  return out;
}

/** The direct child expressions of `e` (gather index values included), as mapChildren visits them. */
export function exprChildren(e: Expr): Expr[] {
  switch (e.op) {
    case 'load':
      return e.dynamic.map((d) => d.value);
    case 'cast':
    case 'unary':
      return [e.a];
    case 'binary':
      return [e.a, e.b];
    case 'select':
      return [e.cond, e.a, e.b];
    default:
      return [];
  }
}

/** `e` with each direct child expression replaced by f(child) (gather index values included). */
export function mapChildren(e: Expr, f: (e: Expr) => Expr): Expr {
  switch (e.op) {
    case 'cast':
    case 'unary':
      return { ...e, a: f(e.a) };
    case 'binary':
      return { ...e, a: f(e.a), b: f(e.b) };
    case 'select':
      return { ...e, cond: f(e.cond), a: f(e.a), b: f(e.b) };
    case 'load':
      return { ...e, dynamic: e.dynamic.map((d) => ({ ...d, value: f(d.value) })) };
    default:
      return e;
  }
}
