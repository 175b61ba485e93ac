// The `reference` backend: host arrays and one oracle step per node.
import {
  allocArray,
  registerBackend,
  type Backend,
  type DataArray,
  type DType,
  type Graph,
  type HostStorage,
  type Program,
  type Storage,
  type Step,
} from '@metaop/core';
import { evaluateNode } from './evaluate.js';

/** Memory operations shared by backends that keep tensors in host typed arrays. */
export function hostMemory(backend: () => Backend): Pick<Backend, 'alloc' | 'free' | 'write' | 'readSync' | 'read'> {
  return {
    alloc(dtype: DType, numel: number): HostStorage {
      return { backend: backend(), dtype, numel, array: allocArray(dtype, numel) };
    },
    free() {
      // Host arrays are reclaimed by the garbage collector once unreferenced.
    },
    write(storage: Storage, data: DataArray) {
      (storage as HostStorage).array.set(data);
    },
    readSync(storage: Storage) {
      return (storage as HostStorage).array.slice();
    },
    async read(storage: Storage) {
      return (storage as HostStorage).array.slice();
    },
  };
}

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
