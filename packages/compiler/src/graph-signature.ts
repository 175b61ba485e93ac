// The structural signature of an unrealized graph: node ops, attributes, shapes, dtypes and wiring,
// without Var identities or runtime param values. Equal signatures plan identically, so a
// training loop plans once and then only rebinds buffers and params.
import { formatCond, formatIndex, type Graph, type OpNode, type Var } from '@metaop/core';
import { isStructural } from './lower.js';

export interface GraphSignature {
  /** The full structural text (used as a map key: no hash collisions). */
  readonly key: string;
  /** Position of every Var of the graph: leaves first, then nodes, in graph order. */
  readonly position: ReadonlyMap<Var, number>;
  /** Vars by position. */
  readonly vars: readonly Var[];
}

function attrs(node: OpNode): string {
  switch (node.op) {
    case 'constant':
      return isStructural(node.value) ? String(node.value) : '?';
    case 'random':
      return node.dist;
    case 'reindex':
      return `${node.indexes.map(formatIndex).join(',')}|${node.overflowValue}|${node.overflowConditions.map(formatCond).join(',')}`;
    case 'reindexReduce':
      return `${node.fn}|${node.indexes.map(formatIndex).join(',')}|${node.overflowConditions.map(formatCond).join(',')}`;
    default: {
      const { inputs: _inputs, op: _op, ...rest } = node as OpNode & Record<string, unknown>;
      return JSON.stringify(rest);
    }
  }
}

export function graphSignature(graph: Graph): GraphSignature {
  const position = new Map<Var, number>();
  const vars: Var[] = [];
  const parts: string[] = [];
  for (const v of graph.leaves) {
    position.set(v, vars.length);
    vars.push(v);
    parts.push(`L${v.dtype}[${v.shape.join(',')}]`);
  }
  for (const v of graph.nodes) {
    position.set(v, vars.length);
    vars.push(v);
    const node = v.node as OpNode;
    const inputs = node.inputs.map((u) => position.get(u)).join(',');
    parts.push(`${node.op}(${inputs})${attrs(node)}:${v.dtype}[${v.shape.join(',')}]`);
  }
  parts.push(`out:${graph.outputs.map((o) => position.get(o)).join(',')}`);
  return { key: parts.join(';'), position, vars };
}
