// The plan cache's lookup key: one pass over a graph that numbers its Vars and folds a 53-bit
// structural hash, with no text built. The hash only selects candidates; a hit is confirmed by
// comparing the graph with the candidate's PlanRecord node by node (exact values: -0, ±Infinity
// and NaN compare apart, as in graph-signature.ts), so a collision costs a comparison, never a
// wrong plan. What the hash and the comparison leave out is what graphSignature's key leaves out.
import type { Graph, OpNode, Var } from '@metaop/core';
import { isStructural, startsAtRunTime } from './lower.js';

export interface PlanKey {
  /** Structural hash of the graph (a safe integer). Equal graphs hash equal; unequal ones usually differ. */
  readonly hash: number;
  /** Position of every Var of the graph: leaves first, then nodes, in graph order. */
  readonly position: ReadonlyMap<Var, number>;
  /** Vars by position. */
  readonly vars: readonly Var[];
  /** Every node's input positions, in graph order, then the outputs' positions: compared as is by matchesPlan. */
  readonly wiring: readonly number[];
}

/** A graph's structure, detached from its Vars (holding none, so a cached plan keeps no tensor alive). */
export interface PlanRecord {
  readonly leaves: readonly { readonly dtype: string; readonly shape: readonly number[] }[];
  /** Each node without its inputs. */
  readonly nodes: readonly { readonly node: OpNode; readonly dtype: string; readonly shape: readonly number[] }[];
  /** PlanKey.wiring of the graph. */
  readonly wiring: readonly number[];
}

// FNV-1a-like mixing in two 32-bit lanes, kept in a typed array (module variables would box them).
const h = new Uint32Array(2);
function mix(x: number): void {
  const a = Math.imul(h[0] ^ x, 0x01000193);
  h[0] = a;
  h[1] = Math.imul(h[1] ^ x, 0x0100019d) ^ (a >>> 13);
}
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
function mixNumber(v: number): void {
  if (Number.isInteger(v) && Math.abs(v) < 0x40000000 && !Object.is(v, -0)) {
    mix(v | 0);
    return;
  }
  if (Number.isNaN(v)) {
    mix(0x7ff80000);
    return;
  }
  f64[0] = v;
  mix(u32[0]);
  mix(u32[1]);
}
function mixString(s: string): void {
  mix(s.length);
  for (let i = 0; i < s.length; i++) mix(s.charCodeAt(i));
}
function mixShape(shape: readonly number[]): void {
  mix(shape.length);
  for (let i = 0; i < shape.length; i++) mix(shape[i]);
}
/** Any attribute value: numbers, strings, booleans, arrays and plain objects (index expressions). */
function mixValue(v: unknown): void {
  switch (typeof v) {
    case 'number':
      mixNumber(v);
      return;
    case 'string':
      mixString(v);
      return;
    case 'boolean':
      mix(v ? 0x5a : 0xa5);
      return;
    default:
      if (Array.isArray(v)) {
        mix(v.length);
        for (const x of v) mixValue(x);
      } else if (v !== null && typeof v === 'object') {
        for (const k in v) {
          mixString(k);
          mixValue((v as Record<string, unknown>)[k]);
        }
      } else mix(0x77);
  }
}

/** Folds the attributes the plan depends on (planAttrs in graph-signature.ts). */
function mixAttrs(node: OpNode, inputIsLeaf: boolean): void {
  switch (node.op) {
    case 'constant':
      if (isStructural(node.value)) mixNumber(node.value);
      else mix(0x3f);
      return;
    case 'random':
      mixString(node.dist);
      return;
    case 'slice':
      if (!(inputIsLeaf && startsAtRunTime(node))) mixValue(node.starts);
      mixValue(node.steps);
      return;
    default:
      for (const k in node) if (k !== 'inputs') mixValue((node as unknown as Record<string, unknown>)[k]);
  }
}

export function planKey(graph: Graph): PlanKey {
  const position = new Map<Var, number>();
  const vars: Var[] = [];
  const wiring: number[] = [];
  h[0] = 0x811c9dc5;
  h[1] = 0xcbf29ce4;
  for (const v of graph.leaves) {
    position.set(v, vars.length);
    vars.push(v);
    mixString(v.dtype);
    mixShape(v.shape);
  }
  const leafCount = vars.length;
  mix(leafCount);
  for (const v of graph.nodes) {
    position.set(v, vars.length);
    vars.push(v);
    const node = v.node as OpNode;
    mixString(node.op);
    const inputs = node.inputs;
    mix(inputs.length);
    const first = wiring.length;
    for (let i = 0; i < inputs.length; i++) {
      const p = position.get(inputs[i]) as number;
      wiring.push(p);
      mix(p);
    }
    mixAttrs(node, inputs.length > 0 && wiring[first] < leafCount);
    mixString(v.dtype);
    mixShape(v.shape);
  }
  mix(graph.outputs.length);
  for (const o of graph.outputs) {
    const p = position.get(o) as number;
    wiring.push(p);
    mix(p);
  }
  return { hash: h[0] * 0x200000 + (h[1] & 0x1fffff), position, vars, wiring };
}

export function recordPlan(graph: Graph, key: PlanKey): PlanRecord {
  return {
    leaves: graph.leaves.map((v) => ({ dtype: v.dtype, shape: v.shape })),
    nodes: graph.nodes.map((v) => ({ node: { ...(v.node as OpNode), inputs: [] } as OpNode, dtype: v.dtype, shape: v.shape })),
    wiring: key.wiring,
  };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Exact equality of attribute values: Object.is on numbers (-0 is not 0, NaN is NaN), deep on arrays and objects. */
function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  for (const k in ra) if (!(k in rb) || !sameValue(ra[k], rb[k])) return false;
  for (const k in rb) if (!(k in ra)) return false;
  return true;
}

/** Whether two nodes plan alike: the attributes planAttrs keeps, compared exactly. */
function samePlanAttrs(a: OpNode, b: OpNode, inputIsLeaf: boolean): boolean {
  if (a.op !== b.op) return false;
  switch (b.op) {
    case 'constant': {
      const value = (a as typeof b).value;
      const structural = isStructural(b.value);
      return structural === isStructural(value) && (!structural || Object.is(value, b.value));
    }
    case 'random':
      return (a as typeof b).dist === b.dist;
    case 'slice': {
      const s = a as typeof b;
      return sameValue(s.steps, b.steps) && ((inputIsLeaf && startsAtRunTime(b)) || sameValue(s.starts, b.starts));
    }
    default: {
      const ra = a as unknown as Record<string, unknown>;
      const rb = b as unknown as Record<string, unknown>;
      for (const k in rb) if (k !== 'inputs' && !sameValue(ra[k], rb[k])) return false;
      for (const k in ra) if (!(k in rb)) return false;
      return true;
    }
  }
}

/** Whether `graph` (with `key`, its planKey) has exactly the structure `record` holds. */
export function matchesPlan(record: PlanRecord, graph: Graph, key: PlanKey): boolean {
  const { leaves, nodes } = graph;
  const wiring = key.wiring;
  if (leaves.length !== record.leaves.length || nodes.length !== record.nodes.length || wiring.length !== record.wiring.length) return false;
  for (let i = 0; i < wiring.length; i++) if (wiring[i] !== record.wiring[i]) return false;
  for (let i = 0; i < leaves.length; i++) {
    const r = record.leaves[i];
    if (leaves[i].dtype !== r.dtype || !sameShape(leaves[i].shape, r.shape)) return false;
  }
  // An op fixes its arity, so nodes of equal ops, in order, split equal wiring arrays alike.
  const leafCount = leaves.length;
  let w = 0;
  for (let i = 0; i < nodes.length; i++) {
    const v = nodes[i];
    const r = record.nodes[i];
    const node = v.node as OpNode;
    const arity = node.inputs.length;
    if (v.dtype !== r.dtype || !sameShape(v.shape, r.shape) || r.node.op !== node.op) return false;
    if (!samePlanAttrs(r.node, node, arity > 0 && wiring[w] < leafCount)) return false;
    w += arity;
  }
  return w + graph.outputs.length === wiring.length;
}
