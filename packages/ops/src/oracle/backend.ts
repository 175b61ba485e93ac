// The `reference` backend: host arrays and one oracle step per node.
import { hostMemory, registerBackend, type Backend, type Graph, type HostStorage, type Program, type Step } from '@metaop/core';
import { evaluateNode } from './evaluate.js';

export function createReferenceBackend(): Backend {
  const backend: Backend = {
    name: 'reference',
    label: 'reference (float64 oracle)',
    ...hostMemory(() => backend),
    plan(graph: Graph): Program {
      const steps: Step[] = graph.nodes.map((v) => {
        const node = v.node;
        if (!node) throw new Error(`reference: Var #${v.id} in the graph has no node`);
        return {
          label: node.op,
          inputs: node.inputs,
          outputs: [v],
          run(inputs, outputs) {
            const values = node.inputs.map((u, i) => ({ shape: u.shape, dtype: u.dtype, data: (inputs[i] as HostStorage).array }));
            (outputs[0] as HostStorage).array.set(evaluateNode(node, v.shape, v.dtype, values));
          },
        };
      });
      return { steps };
    },
  };
  return backend;
}

registerBackend({ name: 'reference', priority: 0, available: () => true, create: createReferenceBackend });
