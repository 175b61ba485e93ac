// The structural signature of an unrealized graph: node ops, attributes, shapes, dtypes and wiring,
// without Var identities or runtime param values. Equal signatures plan identically, so a
// training loop plans once and then only rebinds buffers and params. Attributes are keyed by
// their exact values (core's exact-key.ts): -0, ±Infinity and NaN plan apart.
import { attrsKey, numberKey, numbersKey, opAttrs, type AttrText, type Graph, type OpNode, type Var } from '@metaop/core';
import { isStructural, startsAtRunTime } from './lower.js';

/** One node of a graph as the recompile watch compares them (see recompile-watch.ts). */
export interface SignatureNode {
  readonly op: OpNode['op'] | 'leaf';
  /** Attributes that select the kernels, by name, plus `shape`. */
  readonly attrs: readonly AttrText[];
}

export interface GraphSignature {
  /** The full structural text (used as a map key: no hash collisions). */
  readonly key: string;
  /** The graph with attribute values and dim sizes left out (ranks kept): what stays the same when one call site runs with new values. */
  readonly site: string;
  /** Leaves then nodes, in graph order, with the attributes the key holds. */
  readonly nodes: readonly SignatureNode[];
  /** Position of every Var of the graph: leaves first, then nodes, in graph order. */
  readonly position: ReadonlyMap<Var, number>;
  /** Vars by position. */
  readonly vars: readonly Var[];
}

/** The attributes a plan depends on: runtime params (most constants, seeds, moving slice starts) are left out. */
function planAttrs(node: OpNode, isLeaf: (v: Var) => boolean): AttrText[] {
  switch (node.op) {
    case 'constant':
      return [['value', isStructural(node.value) ? numberKey(node.value) : '?']];
    case 'random':
      return [['dist', node.dist]];
    case 'slice':
      // A leaf is always a kernel buffer, so lowering passes these starts as a param.
      return isLeaf(node.inputs[0]) && startsAtRunTime(node) ? [['starts', '?'], ['steps', numbersKey(node.steps)]] : opAttrs(node);
    default:
      return opAttrs(node);
  }
}

export function graphSignature(graph: Graph): GraphSignature {
  const position = new Map<Var, number>();
  const vars: Var[] = [];
  const parts: string[] = [];
  const siteParts: string[] = [];
  const nodes: SignatureNode[] = [];
  for (const v of graph.leaves) {
    position.set(v, vars.length);
    vars.push(v);
    parts.push(`L${v.dtype}[${v.shape.join(',')}]`);
    siteParts.push(`L${v.dtype}/${v.ndim}`);
    nodes.push({ op: 'leaf', attrs: [['shape', v.shape.join(',')]] });
  }
  const leafCount = graph.leaves.length;
  const isLeaf = (u: Var) => (position.get(u) as number) < leafCount;
  for (const v of graph.nodes) {
    position.set(v, vars.length);
    vars.push(v);
    const node = v.node as OpNode;
    const inputs = node.inputs.map((u) => position.get(u)).join(',');
    const attrs = planAttrs(node, isLeaf);
    parts.push(`${node.op}(${inputs}){${attrsKey(attrs)}}:${v.dtype}[${v.shape.join(',')}]`);
    siteParts.push(`${node.op}(${inputs}):${v.dtype}/${v.ndim}`);
    nodes.push({ op: node.op, attrs: [...attrs, ['shape', v.shape.join(',')]] });
  }
  const out = `out:${graph.outputs.map((o) => position.get(o)).join(',')}`;
  parts.push(out);
  siteParts.push(out);
  return { key: parts.join(';'), site: siteParts.join(';'), nodes, position, vars };
}
