// A tiny host backend for core's own tests (core cannot depend on @metaop/ops and its oracle):
// it evaluates constant, unary neg and binary add/mul nodes, and counts what it is asked to do.
import {
  allocArray,
  registerBackend,
  setBackend,
  Var,
  type Backend,
  type DataArray,
  type DType,
  type HostStorage,
  type OpNode,
  type Shape,
  type Step,
  type Storage,
} from '../src/index.js';

export interface TestBackend extends Backend {
  readonly stats: { plans: number; steps: number; allocs: number; frees: number };
}

function evaluate(node: OpNode, n: number, inputs: DataArray[]): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    switch (node.op) {
      case 'constant':
        out[i] = node.value;
        break;
      case 'unary':
        if (node.fn !== 'neg') throw new Error(`test backend: unary ${node.fn}`);
        out[i] = -inputs[0][i];
        break;
      case 'binary':
        if (node.fn === 'add') out[i] = inputs[0][i] + inputs[1][i];
        else if (node.fn === 'mul') out[i] = inputs[0][i] * inputs[1][i];
        else throw new Error(`test backend: binary ${node.fn}`);
        break;
      case 'reshape':
        out[i] = inputs[0][i];
        break;
      default:
        throw new Error(`test backend: ${node.op}`);
    }
  }
  return out;
}

export function createTestBackend(name = 'core-test'): TestBackend {
  const stats = { plans: 0, steps: 0, allocs: 0, frees: 0 };
  const backend: TestBackend = {
    name,
    label: `${name} (core tests)`,
    stats,
    alloc(dtype: DType, numel: number): HostStorage {
      stats.allocs++;
      return { backend, dtype, numel, array: allocArray(dtype, numel) };
    },
    free() {
      stats.frees++;
    },
    write(s: Storage, data: DataArray) {
      (s as HostStorage).array.set(data);
    },
    readSync: (s: Storage) => (s as HostStorage).array.slice(),
    read: async (s: Storage) => (s as HostStorage).array.slice(),
    plan(graph) {
      stats.plans++;
      const steps: Step[] = graph.nodes.map((v) => {
        const node = v.node as OpNode;
        return {
          label: node.op,
          inputs: node.inputs,
          outputs: [v],
          run(ins, outs) {
            stats.steps++;
            const values = evaluate(node, v.numel, ins.map((s) => (s as HostStorage).array));
            (outs[0] as HostStorage).array.set(values);
          },
        };
      });
      return { steps };
    },
  };
  return backend;
}

let instance: TestBackend | undefined;

/** Registers (once) and selects the test backend. */
export function useTestBackend(): TestBackend {
  if (!instance) {
    const b = createTestBackend();
    instance = b;
    registerBackend({ name: b.name, priority: -100, available: () => true, create: () => b });
  }
  setBackend(instance.name);
  return instance;
}

export const data = (values: number[], shape: Shape = [values.length], dtype: DType = 'float32'): Var =>
  Var.fromArray(Float64Array.from(values), shape, dtype);
export const constant = (value: number, shape: Shape, dtype: DType = 'float32'): Var =>
  Var.fromNode({ op: 'constant', value, inputs: [] }, shape, dtype);
export const add = (a: Var, b: Var): Var => Var.fromNode({ op: 'binary', fn: 'add', inputs: [a, b] }, a.shape, a.dtype);
export const mul = (a: Var, b: Var): Var => Var.fromNode({ op: 'binary', fn: 'mul', inputs: [a, b] }, a.shape, a.dtype);
export const neg = (a: Var): Var => Var.fromNode({ op: 'unary', fn: 'neg', inputs: [a] }, a.shape, a.dtype);
export const values = (v: Var): number[] => Array.from(v.dataSync());
