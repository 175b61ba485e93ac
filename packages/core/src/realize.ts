// realize(): collect the unrealized graph, let the backend plan it, run the steps, and free
// temporaries by liveness. This is the executor loop shared by every backend.
import { checkStep } from './anomaly.js';
import { getBackend, type Backend, type Graph, type Storage } from './backend.js';
import { flags } from './flags.js';
import { BackendError, DisposedError } from './errors.js';
import { guardPlan } from './guards.js';
import { allocStorage, attachStorage, checkAllocation, releaseStorage } from './memory.js';
import type { Var } from './var.js';

/**
 * Unrealized Vars reachable from `targets` in topological order, and the realized Vars they read.
 * `extend` may name more targets once the nodes are known (realize adds its index-guard check);
 * they join the same walk, so nothing is visited twice.
 */
export function collectGraph(targets: readonly Var[], extend?: (nodes: readonly Var[]) => readonly Var[]): Graph {
  const nodes: Var[] = [];
  const leaves: Var[] = [];
  const state = new Map<Var, 1 | 2>(); // 1: on the stack, 2: done
  const stack: { v: Var; next: number }[] = [];
  const visit = (root: Var) => {
    if (state.has(root)) return;
    const describeRoot = () => `Var #${root.id} ${root.describe()}`;
    stack.push({ v: root, next: 0 });
    state.set(root, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const v = top.v;
      if (v.storage !== null) {
        leaves.push(v);
        state.set(v, 2);
        stack.pop();
        continue;
      }
      if (v.node === null) {
        throw new DisposedError(
          `Var #${v.id} ${v.describe()} has no value: it was disposed before a Var computed from it was realized; ` +
            'realize the dependent first, or keep() the input',
          'realize',
        );
      }
      if (top.next === 0) v.assertFresh('realize', describeRoot);
      const inputs = v.node.inputs;
      if (top.next < inputs.length) {
        const child = inputs[top.next++];
        if (!state.has(child)) {
          state.set(child, 1);
          stack.push({ v: child, next: 0 });
        }
        continue;
      }
      nodes.push(v);
      state.set(v, 2);
      stack.pop();
    }
  };
  for (const t of targets) visit(t);
  const extra = extend?.(nodes) ?? [];
  for (const t of extra) visit(t);
  const all = extra.length === 0 ? targets : [...targets, ...extra];
  return { nodes, leaves, outputs: all.filter((t) => t.storage === null) };
}

/** Moves a realized Var's storage to `backend` if it lives on another one. */
function migrate(v: Var, backend: Backend): void {
  const s = v.storage as Storage;
  if (s.backend === backend) return;
  const moved = allocStorage(backend, s.dtype, s.numel, v, 'realize');
  backend.write(moved, s.backend.readSync(s));
  releaseStorage(v);
  attachStorage(v, moved);
}

let realizeDepth = 0;

/** Calls of realize() that ran a plan, and the wall-clock milliseconds they took in all. */
export interface RealizeStats {
  calls: number;
  ms: number;
}
const stats: RealizeStats = { calls: 0, ms: 0 };

/** Totals over this process: what a benchmark divides by to get the host cost of replaying plans. */
export function realizeStats(): RealizeStats {
  return { ...stats };
}

/** Computes the given Vars now. Every other unrealized Var they need is computed and freed again. */
export function realize(vars: Var | readonly Var[]): void {
  const list = Array.isArray(vars) ? (vars as readonly Var[]) : [vars as Var];
  const targets = [...new Set(list.filter((v) => v.storage === null))];
  if (targets.length === 0) return;
  for (const t of targets) t.assertUsable('realize');
  if (realizeDepth > 0) throw new BackendError('realize() was called while another realize() was running', 'realize');
  realizeDepth++;
  const t = performance.now();
  try {
    run(targets);
  } finally {
    realizeDepth--;
    stats.calls++;
    stats.ms += performance.now() - t;
  }
}

function run(requested: Var[]): void {
  const backend = getBackend();
  // Index guards in the graph: their checks become one more target of the same plan.
  const found: { guards: ReturnType<typeof guardPlan> } = { guards: null };
  const graph = collectGraph(requested, (nodes) => {
    found.guards = guardPlan(nodes);
    return found.guards === null ? [] : [found.guards.flag];
  });
  const guards = found.guards;
  const targets = guards === null ? requested : [...requested, guards.flag];
  for (const leaf of graph.leaves) migrate(leaf, backend);
  // The results must all be allocated: refuse an impossible size before compiling anything.
  let pending = 0;
  for (const t of graph.outputs) pending += checkAllocation(t.dtype, t.numel, t, 'realize', pending);
  const program = backend.plan(graph);

  const wanted = new Set(targets);
  const lastUse = new Map<Var, number>();
  program.steps.forEach((step, i) => {
    for (const v of step.inputs) lastUse.set(v, i);
  });
  const temporaries = new Set<Var>();
  try {
    program.steps.forEach((step, i) => {
      const inputs = step.inputs.map((v) => {
        if (v.storage === null) {
          throw new BackendError(`step '${step.label}' reads Var #${v.id} before any step wrote it (a planning bug)`, 'realize');
        }
        return v.storage;
      });
      const outputs = step.outputs.map((v) => {
        if (v.storage === null) {
          attachStorage(v, allocStorage(backend, v.dtype, v.numel, v, 'realize'));
          if (!wanted.has(v)) temporaries.add(v);
        }
        return v.storage as Storage;
      });
      step.run(inputs, outputs);
      if (flags.checkNan) checkStep(backend, step);
      for (const v of step.inputs) {
        if (lastUse.get(v) === i && temporaries.has(v)) {
          releaseStorage(v);
          temporaries.delete(v);
        }
      }
    });
  } catch (e) {
    guards?.discard();
    throw e;
  } finally {
    for (const v of temporaries) releaseStorage(v);
  }
  guards?.verify(requested);
  for (const t of requested) {
    if (t.storage === null) throw new BackendError(`backend '${backend.name}' did not compute Var #${t.id}`, 'realize');
    if (!t.retainGraph) t.node = null;
  }
}
