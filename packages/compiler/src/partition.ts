// Partition an unrealized graph into fused kernels by the three meta-op classes:
// (reindex-class)* → element-wise* → (reduce-class)? → element-wise epilogue.
// Every Var is either materialized (a kernel writes it) or inlined (recomputed where it is read);
// a kernel is one materialized Var plus the inlined Vars it reads, so the kernel graph follows the
// topological order and is acyclic by construction.
import { opClassOf, type Graph, type OpNode, type Var } from '@metaop/core';
import { startsAtRunTime } from './lower.js';

export interface KernelGroup {
  /** The Var this kernel writes. */
  readonly root: Var;
  /** The reduce-class Var whose loops the kernel runs (the root itself, a fused producer, or none). */
  readonly stage: Var | null;
  /** Materialized Vars (graph leaves or earlier kernels' roots) the kernel reads. */
  readonly inputs: readonly Var[];
  /** Unrealized Vars computed inside this kernel, in topological order. */
  readonly members: readonly Var[];
}

export interface Partition {
  readonly kernels: readonly KernelGroup[];
  readonly materialized: ReadonlySet<Var>;
}

export interface PartitionOptions {
  /** Producers read by a duplicating reindex (broadcast, reindex, gather) are stored above this cost. */
  readonly duplicateCostLimit?: number;
  /** Producers with several consumers are stored above this cost instead of recomputed. */
  readonly sharedCostLimit?: number;
  /** Fuse element-wise consumers of a reduction into its kernel as an epilogue. */
  readonly epilogues?: boolean;
}

const transcendental = new Set(['exp', 'log', 'sqrt', 'rsqrt', 'sin', 'cos', 'tanh', 'sigmoid', 'erf']);

/** Rough cost of computing a node once, not counting its inputs. */
function ownCost(node: OpNode): number {
  switch (node.op) {
    case 'unary':
      return transcendental.has(node.fn) ? 4 : 1;
    case 'binary':
      return node.fn === 'pow' ? 6 : node.fn === 'div' || node.fn === 'mod' ? 2 : 1;
    case 'random':
      return 12;
    case 'cast':
    case 'ternary':
    case 'constant':
    case 'index':
      return 1;
    case 'reindex':
    case 'gather':
    case 'pad':
      return 1;
    case 'broadcast':
    case 'reshape':
    case 'permute':
    case 'slice':
      return 0;
    default:
      return 0;
  }
}

/** Consumers that may read one element of their input many times. */
function duplicates(consumer: OpNode, inputSlot: number): boolean {
  switch (consumer.op) {
    case 'broadcast':
    case 'reindex':
      return true;
    case 'gather':
      return inputSlot === 0;
    default:
      return false;
  }
}

export function partition(graph: Graph, options: PartitionOptions = {}): Partition {
  const dupLimit = options.duplicateCostLimit ?? 2;
  const sharedLimit = options.sharedCostLimit ?? 24;
  const nodes = graph.nodes;
  const inGraph = new Set(nodes);
  const consumers = new Map<Var, { v: Var; slot: number }[]>();
  for (const v of nodes) {
    v.node?.inputs.forEach((u, slot) => {
      if (!inGraph.has(u)) return;
      let list = consumers.get(u);
      if (!list) consumers.set(u, (list = []));
      list.push({ v, slot });
    });
  }

  const materialized = new Set<Var>(graph.outputs);
  const cost = new Map<Var, number>();
  for (const v of nodes) {
    const node = v.node as OpNode;
    const inputCost = node.inputs.reduce((c, u) => c + (inGraph.has(u) && !materialized.has(u) ? (cost.get(u) ?? 1) : 1), 0);
    const c = ownCost(node) + inputCost;
    cost.set(v, c);
    if (materialized.has(v)) continue;
    if (opClassOf[node.op] === 'reduce') {
      materialized.add(v);
      continue;
    }
    const uses = consumers.get(v) ?? [];
    // gather reads its source at data-dependent coordinates: the source must be in memory.
    if (uses.some((u) => u.v.node?.op === 'gather' && u.slot === 0)) materialized.add(v);
    else if (uses.some((u) => duplicates(u.v.node as OpNode, u.slot)) && c > dupLimit) materialized.add(storePoint(v, inGraph, materialized));
    else if (uses.length > 1 && c > sharedLimit) materialized.add(storePoint(v, inGraph, materialized));
    // Read through several moving windows (an RNN's time steps slicing one input projection): stored,
    // each window reads it from a runtime offset and the kernels around them are one kernel, not one
    // per offset (recomputed inline, every start would be a constant of its own kernel).
    else if (uses.filter((u) => movingWindow(u.v)).length > 1 && !viewOfStored(v, inGraph, materialized)) materialized.add(storePoint(v, inGraph, materialized));
  }

  // Epilogue fusion: a reduction whose value flows, through element-wise ops only and at the same
  // index, into exactly one kernel without a reduction of its own becomes that kernel's stage.
  const stageOf = new Map<Var, Var>();
  for (const v of nodes) if (opClassOf[(v.node as OpNode).op] === 'reduce') stageOf.set(v, v);
  if (options.epilogues ?? true) {
    for (let i = nodes.length - 1; i >= 0; i--) {
      const r = nodes[i];
      if (stageOf.get(r) !== r || graph.outputs.includes(r)) continue;
      // Scatter-style stages write cells in data order: they cannot feed an epilogue in place.
      const op = (r.node as OpNode).op;
      if (op !== 'reduce' && op !== 'argReduce') continue;
      const target = identityRoot(r, consumers, materialized);
      if (target && !stageOf.has(target)) {
        materialized.delete(r);
        stageOf.delete(r);
        stageOf.set(target, r);
      }
    }
  }

  const kernels: KernelGroup[] = [];
  for (const root of nodes) {
    if (!materialized.has(root)) continue;
    const members: Var[] = [];
    const inputs: Var[] = [];
    const seen = new Set<Var>();
    const visit = (v: Var) => {
      if (seen.has(v)) return;
      seen.add(v);
      if (v !== root && (!inGraph.has(v) || materialized.has(v))) {
        inputs.push(v);
        return;
      }
      for (const u of (v.node as OpNode).inputs) visit(u);
      members.push(v);
    };
    visit(root);
    kernels.push({ root, stage: stageOf.get(root) ?? null, inputs, members });
  }
  return { kernels, materialized };
}

/** A slice that lowering reads from a runtime start when its input is stored. */
function movingWindow(v: Var): boolean {
  const node = v.node as OpNode;
  return node.op === 'slice' && startsAtRunTime(node);
}

const views = new Set(['reshape', 'permute', 'slice', 'broadcast']);

/** Where to store a Var that must be stored: below free views (reading through a view costs nothing). */
function storePoint(v: Var, inGraph: Set<Var>, materialized: Set<Var>): Var {
  let cur = v;
  while (views.has((cur.node as OpNode).op)) {
    const input = (cur.node as OpNode).inputs[0] as Var;
    if (!inGraph.has(input) || materialized.has(input)) return cur;
    cur = input;
  }
  return cur;
}

/** Whether `v` is only free views of a stored Var or a leaf (storing it again would be a copy). */
function viewOfStored(v: Var, inGraph: Set<Var>, materialized: Set<Var>): boolean {
  let cur = v;
  while (views.has((cur.node as OpNode).op)) {
    cur = (cur.node as OpNode).inputs[0] as Var;
    if (!inGraph.has(cur) || materialized.has(cur)) return true;
  }
  return false;
}

/** Element-wise ops, and reshapes (which keep the flat index), carry a reduction's value unchanged in place. */
function inPlace(v: Var): boolean {
  const op = (v.node as OpNode).op;
  return opClassOf[op] === 'elementwise' || op === 'reshape';
}

/** The single materialized Var that `r` reaches through element-wise ops only, if there is one. */
function identityRoot(r: Var, consumers: Map<Var, { v: Var; slot: number }[]>, materialized: Set<Var>): Var | null {
  let found: Var | null = null;
  const stack = [r];
  const seen = new Set<Var>();
  while (stack.length > 0) {
    const v = stack.pop() as Var;
    const uses = consumers.get(v) ?? [];
    if (uses.length === 0) return null;
    for (const { v: c } of uses) {
      if (seen.has(c)) continue;
      seen.add(c);
      if (!inPlace(c)) return null;
      if (materialized.has(c)) {
        if (found && found !== c) return null;
        found = c;
      } else stack.push(c);
    }
  }
  return found;
}
