// Turns explain()'s kernels into the nodes graph.html draws: materialised inputs (named where we
// know the name) and kernels with their fused meta-ops, linked by the Vars they pass on.
import { opClassOf, type OpName, type Var } from '@metaop/core';
import type { ExplainedKernel } from '@metaop/compiler';
import type { GraphNode } from '../../report/graph-html.js';

/** Above this many inputs (a model's weights) inputs are not drawn, to keep the graph readable. */
const MAX_INPUTS_DRAWN = 40;

function typeOf(v: Var): string {
  return `${v.dtype}[${v.shape.join(', ')}]`;
}

export function graphNodes(kernels: readonly ExplainedKernel[], names: ReadonlyMap<Var, string>, strip: (source: string) => string): GraphNode[] {
  const producer = new Map<Var, number>();
  const leaves = new Map<Var, number>();
  for (const k of kernels) for (const v of k.inputs) if (!leaves.has(v)) leaves.set(v, -1);
  kernels.forEach((k) => leaves.delete(k.output));
  const drawInputs = leaves.size <= MAX_INPUTS_DRAWN;
  const nodes: GraphNode[] = [];
  let id = 0;
  let unnamed = 0;
  if (drawInputs) {
    for (const v of leaves.keys()) {
      leaves.set(v, id);
      nodes.push({ id: id++, kind: 'input', label: names.get(v) ?? `input ${++unnamed}`, type: typeOf(v), from: [], ops: [], loopIR: '', source: '' });
    }
  }
  for (const k of kernels) {
    const from = k.inputs.map((v) => producer.get(v) ?? (drawInputs ? leaves.get(v) : undefined)).filter((x): x is number => x !== undefined && x >= 0);
    nodes.push({
      id,
      kind: 'kernel',
      label: k.name,
      type: typeOf(k.output),
      from: [...new Set(from)],
      ops: k.members.map((m, i) => {
        const op = (m.node?.op ?? 'leaf') as OpName;
        return { op, cls: opClassOf[op] ?? 'elementwise', text: k.ops[i] ?? op };
      }),
      loopIR: k.loopIR,
      source: strip(k.source),
    });
    producer.set(k.output, id++);
  }
  return nodes;
}
