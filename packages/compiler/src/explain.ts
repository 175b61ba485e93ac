// explain(): what the compiler makes of some Vars — the fused kernel groups, their loop IR and the
// generated source — for backend authors and bug reports.
import { backendByName, collectGraph, getBackend, guardPlan, type GuardPlan, type OpNode, type Var } from '@metaop/core';
import type { CompiledBackend, PlannedKernel } from './compiled-backend.js';
import { printKernel } from './ir/print.js';
import { elideCHelpers } from './render/c-helpers.js';

export interface ExplainedKernel {
  readonly name: string;
  /** The Var the kernel writes. */
  readonly output: Var;
  /** Materialized Vars it reads. */
  readonly inputs: readonly Var[];
  /** The meta-ops fused into it, in order. */
  readonly ops: readonly string[];
  readonly members: readonly Var[];
  readonly notes: readonly string[];
  readonly loopIR: string;
  readonly source: string;
  /** The kernel computes index-guard checks (bounds of gather, embedding, loss targets...), not a requested value. */
  readonly guard: boolean;
  /** Pack kernels run before it (a weight's packed copy, kept with the plan while the weight is unchanged). */
  readonly packs: readonly { readonly name: string; readonly input: Var; readonly buffer: number; readonly loopIR: string; readonly source: string }[];
}

export interface Explanation {
  readonly backend: string;
  readonly kernels: readonly ExplainedKernel[];
  /** Readable report: groups, loop IR and source. */
  readonly text: string;
}

function isCompiled(b: unknown): b is CompiledBackend {
  return typeof (b as CompiledBackend).kernelsFor === 'function';
}

function describeOp(v: Var): string {
  const node = v.node as OpNode;
  const detail = 'fn' in node ? `(${node.fn})` : '';
  return `${node.op}${detail} -> ${v.dtype}[${v.shape.join(', ')}]`;
}

/** Explains how `vars` would be computed by a compiled backend (the current one by default). */
export function explain(vars: Var | readonly Var[], options: { backend?: string; source?: boolean } = {}): Explanation {
  const list = Array.isArray(vars) ? (vars as readonly Var[]) : [vars as Var];
  const backend = options.backend ? backendByName(options.backend) : getBackend();
  if (!isCompiled(backend)) {
    const graph = collectGraph(list);
    const text = [
      `backend ${backend.label} runs the graph op by op (no fusion): ${graph.nodes.length} ops`,
      ...graph.nodes.map((v, i) => `  ${i + 1}. ${describeOp(v)}`),
    ].join('\n');
    return { backend: backend.label, kernels: [], text };
  }
  // As realize does: the index-guard checks of the graph are one more target of the same plan.
  let guards: GuardPlan | null = null;
  collectGraph(list, (nodes) => {
    guards = guardPlan(nodes);
    return guards === null ? [] : [guards.flag];
  });
  const checks = guards as GuardPlan | null;
  const planned: PlannedKernel[] = backend.kernelsFor(checks === null ? list : [...list, checks.flag]);
  const wanted = new Set<Var>();
  collectGraph(list).nodes.forEach((v) => wanted.add(v));
  const kernels = planned.map(
    (p): ExplainedKernel => ({
      name: p.kernel.name,
      output: p.root,
      inputs: p.inputs,
      ops: p.members.map(describeOp),
      members: p.members,
      notes: p.kernel.notes,
      loopIR: printKernel(p.kernel),
      source: p.source,
      guard: !wanted.has(p.root),
      packs: p.packs.map((k) => ({ name: k.kernel.name, input: p.inputs[k.input], buffer: k.buffer, loopIR: printKernel(k.kernel), source: k.source })),
    }),
  );
  checks?.discard();
  const lines = [`backend ${backend.label}: ${kernels.length} kernel${kernels.length === 1 ? '' : 's'}`];
  if (checks !== null) {
    const described = checks.describe();
    lines.push(`index guards: ${described.length} check${described.length === 1 ? '' : 's'}, computed in this plan and read once after it runs`);
    for (const d of described) lines.push(`  ${d}`);
  }
  kernels.forEach((k, i) => {
    const role = k.guard ? ' (index-guard check)' : '';
    lines.push('', `== kernel ${i + 1}/${kernels.length}: ${k.name} writes ${k.output.dtype}[${k.output.shape.join(', ')}]${role}`);
    lines.push(`   fuses ${k.ops.length} op${k.ops.length === 1 ? '' : 's'}: ${k.ops.join('; ')}`);
    for (const pack of k.packs) {
      lines.push(
        `-- pack kernel ${pack.name}: b${pack.buffer} = b${k.inputs.indexOf(pack.input)} ${pack.input.dtype}[${pack.input.shape.join(', ')}] packed, ` +
          'run when the plan first sees that storage and again after it is written',
        pack.loopIR,
      );
      if (options.source !== false) lines.push('-- pack source', elideCHelpers(pack.source).trimEnd());
    }
    lines.push('-- loop IR', k.loopIR);
    if (options.source !== false) lines.push('-- source', elideCHelpers(k.source).trimEnd());
  });
  return { backend: backend.label, kernels, text: lines.join('\n') };
}
