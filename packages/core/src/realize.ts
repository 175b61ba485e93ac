// realize(): collect the unrealized graph, let the backend plan it, run the steps, and free
// temporaries by liveness. This is the executor loop shared by every backend.
import { checkStep } from './anomaly.js';
import { getBackend, type Backend, type Graph, type Storage } from './backend.js';
import { flags } from './flags.js';
import { BackendError, DisposedError } from './errors.js';
import { guardPlan } from './guards.js';
import { allocStorage, attachStorage, checkAllocation, freeStorage, releaseStorage } from './memory.js';
import type { Var } from './var.js';

/**
 * Unrealized Vars reachable from `targets` in topological order, and the realized Vars they read.
 * `extend` may name more targets once the nodes are known (realize adds its index-guard check);
 * they join the same walk, so nothing is visited twice.
 */
export function collectGraph(targets: readonly Var[], extend?: (nodes: readonly Var[]) => readonly Var[]): Graph {
  const nodes: Var[] = [];
  const leaves: Var[] = [];
  const seen = new Set<Var>();
  // An explicit stack (graphs are deeper than the call stack allows): Vars and their next input.
  const stack: Var[] = [];
  const next: number[] = [];
  const visit = (root: Var) => {
    if (seen.has(root)) return;
    let describeRoot: (() => string) | undefined;
    seen.add(root);
    stack.push(root);
    next.push(0);
    while (stack.length > 0) {
      const top = stack.length - 1;
      const v = stack[top];
      if (v.storage !== null) {
        leaves.push(v);
        stack.pop();
        next.pop();
        continue;
      }
      const node = v.node;
      if (node === null) {
        throw new DisposedError(
          `Var #${v.id} ${v.describe()} has no value: it was disposed before a Var computed from it was realized; ` +
            'realize the dependent first, or keep() the input',
          'realize',
        );
      }
      const k = next[top];
      if (k === 0) v.assertFresh('realize', (describeRoot ??= () => `Var #${root.id} ${root.describe()}`));
      const inputs = node.inputs;
      if (k < inputs.length) {
        next[top] = k + 1;
        const child = inputs[k];
        if (!seen.has(child)) {
          seen.add(child);
          stack.push(child);
          next.push(0);
        }
        continue;
      }
      nodes.push(v);
      stack.pop();
      next.pop();
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

/** Frees a temporary's storage (attached without the GC backstop, so there is nothing to unregister). */
function freeTemporary(v: Var): void {
  const s = v.storage as Storage;
  v.storage = null;
  freeStorage(s);
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
  const steps = program.steps;
  const lastUse = new Map<Var, number>();
  for (let i = 0; i < steps.length; i++) for (const v of steps[i].inputs) lastUse.set(v, i);
  // Temporaries live only inside this call: freed here (or in the finally), so they skip the GC backstop.
  const temporaries = new Set<Var>();
  try {
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i];
      const inputs = step.inputs.map((v) => {
        if (v.storage === null) {
          throw new BackendError(`step '${step.label}' reads Var #${v.id} before any step wrote it (a planning bug)`, 'realize');
        }
        return v.storage;
      });
      const outputs = step.outputs.map((v) => {
        if (v.storage === null) {
          const s = allocStorage(backend, v.dtype, v.numel, v, 'realize');
          if (wanted.has(v)) attachStorage(v, s);
          else {
            v.storage = s;
            temporaries.add(v);
          }
        }
        return v.storage as Storage;
      });
      step.run(inputs, outputs);
      if (flags.checkNan) checkStep(backend, step);
      for (const v of step.inputs) {
        if (lastUse.get(v) === i && temporaries.has(v)) {
          freeTemporary(v);
          temporaries.delete(v);
        }
      }
    }
  } catch (e) {
    guards?.discard();
    throw e;
  } finally {
    for (const v of temporaries) freeTemporary(v);
  }
  guards?.verify(requested);
  for (const t of requested) {
    if (t.storage === null) throw new BackendError(`backend '${backend.name}' did not compute Var #${t.id}`, 'realize');
    if (!t.retainGraph) t.node = null;
  }
}
