// A compiled backend: partition → lower → schedule → render → compile (cached) → run. Backend
// packages supply a Device (memory, schedule options, a renderer and a compiler driver). Plans
// are cached by graph signature, so a repeated training step skips planning entirely.
import { allocScratch, collectGraph, flags, freeStorage, type Backend, type Graph, type Program, type Step, type Storage, type Var } from '@metaop/core';
import { graphSignature } from './graph-signature.js';
import type { Kernel, KernelBuffer } from './ir/loop-ir.js';
import { hash64, kernelKey } from './key.js';
import { lowerGroup, paramValue, type ParamSource } from './lower.js';
import { partition, type PartitionOptions } from './partition.js';
import { RecompileWatch } from './recompile-watch.js';
import { schedule, type ScheduleOptions } from './passes/pipeline.js';

/** A compiled kernel ready to run on buffers (in the kernel's buffer order) and params. */
export interface Executable {
  run(buffers: readonly Storage[], params: Float64Array): void;
}

export interface CompileJob {
  /** Structural key (hash) of the kernel: equal keys mean identical source. */
  readonly key: string;
  readonly source: string;
  readonly kernel: Kernel;
}

export interface KernelRenderer {
  readonly dialect: string;
  render(kernel: Kernel): string;
}

/** What a backend package supplies to become a compiled backend. */
export interface Device extends Pick<Backend, 'alloc' | 'free' | 'write' | 'readSync' | 'read'> {
  readonly name: string;
  readonly label: string;
  readonly schedule: ScheduleOptions;
  readonly partition?: PartitionOptions;
  readonly renderer: KernelRenderer;
  /** Compiles every job (in parallel where it can); returns executables in job order. */
  compile(jobs: readonly CompileJob[]): Executable[];
}

export interface CompileStats {
  /** Kernels compiled (or loaded from a disk cache) by this process. */
  kernelsCompiled: number;
  /** Kernel lookups served from the in-memory cache. */
  cacheHits: number;
  /** Plans served from the plan cache (no partitioning or lowering). */
  planHits: number;
  /** Kernel launches. */
  launches: number;
  /** Kernels in the most recent plan. */
  lastPlanKernels: number;
}

export interface PlannedKernel {
  /** 64-bit hash of `keyText`: names the kernel and its disk-cache entry. */
  readonly key: string;
  /** The full structural key (dialect + canonical loop IR): what kernels are told apart by. */
  readonly keyText: string;
  readonly kernel: Kernel;
  readonly source: string;
  readonly root: Var;
  readonly inputs: readonly Var[];
  /** Unrealized Vars computed inside the kernel (fused), in topological order. */
  readonly members: readonly Var[];
  readonly params: readonly number[];
  readonly paramSources: readonly ParamSource[];
}

/** Time spent in one kernel, summed over its launches (with flags.profile on). */
export interface KernelProfile {
  readonly name: string;
  readonly notes: readonly string[];
  readonly launches: number;
  readonly ms: number;
}

export interface CompiledBackend extends Backend {
  readonly device: Device;
  stats(): CompileStats;
  /** Per-kernel launch times recorded while flags.profile (METAOP_PROFILE=1) was on, slowest first. */
  profile(): KernelProfile[];
  resetProfile(): void;
  /** The kernels realize() would run for these Vars (nothing is compiled or run). */
  kernelsFor(vars: readonly Var[]): PlannedKernel[];
}

/** Partitions, lowers and schedules the graph; pure, no compilation. */
export function planKernels(graph: Graph, device: Pick<Device, 'schedule' | 'partition' | 'renderer'>): PlannedKernel[] {
  const { kernels } = partition(graph, device.partition);
  return kernels.map((group) => {
    const lowered = lowerGroup(group);
    const scheduled = schedule(lowered.kernel, device.schedule);
    const keyText = kernelKey(scheduled, device.renderer.dialect);
    const key = hash64(keyText);
    const kernel: Kernel = { ...scheduled, name: `k_${key}` };
    // Shape-class kernels read their trip count from the last param.
    const paramSources = scheduled.shapeClass ? [...lowered.paramSources, { v: group.root, field: 'numel' as const }] : lowered.paramSources;
    const params = scheduled.shapeClass ? [...lowered.params, group.root.numel] : lowered.params;
    return {
      key,
      keyText,
      kernel,
      source: device.renderer.render(kernel),
      root: group.root,
      inputs: lowered.bufferVars.slice(0, -1),
      members: group.members,
      params,
      paramSources,
    };
  });
}

/** A planned kernel with Vars replaced by graph positions, reusable for any graph of the same signature. */
interface CachedKernel {
  readonly label: string;
  readonly notes: readonly string[];
  readonly exe: Executable;
  /** Workspace buffers the kernel needs for one run. */
  readonly scratch: readonly KernelBuffer[];
  readonly inputs: readonly number[];
  readonly root: number;
  readonly params: readonly { readonly position: number; readonly field: ParamSource['field'] }[];
}

const PLAN_CACHE_LIMIT = 64;

export function createCompiledBackend(device: Device): CompiledBackend {
  // Keyed by the full key text, not its hash: two kernels whose hashes collide still differ here.
  const kernels = new Map<string, Executable>();
  const plans = new Map<string, CachedKernel[]>();
  const timings = new Map<string, { notes: readonly string[]; launches: number; ms: number }>();
  const counters: CompileStats = { kernelsCompiled: 0, cacheHits: 0, planHits: 0, launches: 0, lastPlanKernels: 0 };
  const watch = new RecompileWatch();

  const buildPlan = (graph: Graph, position: ReadonlyMap<Var, number>): CachedKernel[] => {
    const planned = planKernels(graph, device);
    const missing = new Map<string, PlannedKernel>();
    for (const p of planned) {
      if (kernels.has(p.keyText)) counters.cacheHits++;
      else missing.set(p.keyText, p);
    }
    if (missing.size > 0) {
      const jobs = [...missing.values()].map((p) => ({ key: p.key, source: p.source, kernel: p.kernel }));
      const exes = device.compile(jobs);
      [...missing.keys()].forEach((text, i) => kernels.set(text, exes[i]));
      counters.kernelsCompiled += jobs.length;
    }
    const pos = (v: Var) => position.get(v) as number;
    return planned.map((p) => ({
      label: p.kernel.name,
      notes: p.kernel.notes,
      exe: kernels.get(p.keyText) as Executable,
      scratch: p.kernel.buffers.filter((b) => b.role === 'scratch'),
      inputs: p.inputs.map(pos),
      root: pos(p.root),
      params: p.paramSources.map((s) => ({ position: pos(s.v), field: s.field })),
    }));
  };

  const backend: CompiledBackend = {
    name: device.name,
    label: device.label,
    device,
    alloc: (dtype, numel) => device.alloc(dtype, numel),
    free: (s) => device.free(s),
    write: (s, data) => device.write(s, data),
    readSync: (s) => device.readSync(s),
    read: (s) => device.read(s),
    stats: () => ({ ...counters }),
    profile: () => [...timings].map(([name, t]) => ({ name, ...t })).sort((a, b) => b.ms - a.ms),
    resetProfile: () => timings.clear(),
    kernelsFor(vars) {
      return planKernels(collectGraph(vars), device);
    },
    plan(graph: Graph): Program {
      const sig = graphSignature(graph);
      let cached = plans.get(sig.key);
      if (cached) {
        counters.planHits++;
        watch.hit(sig);
        plans.delete(sig.key);
        plans.set(sig.key, cached);
      } else {
        const compiled = counters.kernelsCompiled;
        cached = buildPlan(graph, sig.position);
        watch.miss(sig, counters.kernelsCompiled - compiled);
        plans.set(sig.key, cached);
        if (plans.size > PLAN_CACHE_LIMIT) plans.delete(plans.keys().next().value as string);
      }
      counters.lastPlanKernels = cached.length;
      const steps: Step[] = cached.map((c) => {
        const root = sig.vars[c.root];
        const params = Float64Array.from(c.params, (p) => paramValue({ v: sig.vars[p.position], field: p.field }));
        const empty = root.numel === 0;
        const launch = (inputs: readonly Storage[], outputs: readonly Storage[]): void => {
          if (c.scratch.length === 0) {
            c.exe.run([...inputs, ...outputs], params);
            return;
          }
          // Through core's accounting, so memory() sees workspaces (and "never allocated" tests can).
          const scratch = c.scratch.map((b) => allocScratch(backend, b.dtype, b.numel));
          try {
            c.exe.run([...inputs, ...outputs, ...scratch], params);
          } finally {
            for (const s of scratch) freeStorage(s);
          }
        };
        return {
          label: c.label,
          inputs: c.inputs.map((i) => sig.vars[i]),
          outputs: [root],
          run(inputs, outputs) {
            if (empty) return;
            counters.launches++;
            if (!flags.profile) {
              launch(inputs, outputs);
              return;
            }
            const t = performance.now();
            launch(inputs, outputs);
            const entry = timings.get(c.label) ?? { notes: c.notes, launches: 0, ms: 0 };
            entry.launches++;
            entry.ms += performance.now() - t;
            timings.set(c.label, entry);
          },
        };
      });
      return { steps };
    },
  };
  return backend;
}
