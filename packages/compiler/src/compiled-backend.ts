// A compiled backend: partition → lower → schedule → render → compile (cached) → run. Backend
// packages supply a Device (memory, schedule options, a renderer and a compiler driver). Plans
// are cached by graph structure (plan-key.ts), so a repeated training step skips planning entirely.
import { allocScratch, collectGraph, flags, freeStorage, noteWrite, type Backend, type Graph, type Program, type Step, type Storage, type Var } from '@metaop/core';
import { graphSignature } from './graph-signature.js';
import { matchesPlan, planKey, recordPlan, type PlanKey, type PlanRecord } from './plan-key.js';
import type { Kernel, KernelBuffer } from './ir/loop-ir.js';
import { hash64, kernelKey } from './key.js';
import { fieldValue, lowerGroup, type ParamSource } from './lower.js';
import { partition, type PartitionOptions } from './partition.js';
import { RecompileWatch } from './recompile-watch.js';
import { schedule, type ScheduleOptions } from './passes/pipeline.js';
import { PackedInputs, type PackSlot, type Timings } from './packed-input.js';

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
  /**
   * Pack-kernel runs: a weight's packed copy made for a plan (once, then again only after its
   * storage is written: an optimizer step, assign, a loaded state dict).
   */
  packs: number;
}

/** A pack kernel split out of a planned kernel: it fills the kernel's scratch `buffer` from input `input`. */
export interface PlannedPack {
  readonly key: string;
  readonly keyText: string;
  readonly kernel: Kernel;
  readonly source: string;
  readonly buffer: number;
  readonly input: number;
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
  /** Copies of inputs to run before the kernel (kept with the plan while the input is unchanged). */
  readonly packs: readonly PlannedPack[];
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
  /** Forgets every cached plan and frees the buffers they own (memory().planBytes goes to 0). */
  releasePlans(): void;
}

/** Partitions, lowers and schedules the graph; pure, no compilation. */
export function planKernels(graph: Graph, device: Pick<Device, 'schedule' | 'partition' | 'renderer'>): PlannedKernel[] {
  const { kernels } = partition(graph, device.partition);
  const leaves = new Set(graph.leaves);
  return kernels.map((group) => {
    const lowered = lowerGroup(group);
    // Weights (inputs realized before the plan runs) may be packed once per plan, not intermediates.
    const hoistPacks = flags.packOnce ? new Set(lowered.bufferVars.flatMap((v, i) => (leaves.has(v) ? [i] : []))) : undefined;
    const scheduled = schedule(lowered.kernel, hoistPacks ? { ...device.schedule, hoistPacks } : device.schedule);
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
      packs: (scheduled.packs ?? []).map((pack): PlannedPack => {
        const packText = kernelKey(pack.kernel, device.renderer.dialect);
        const packKey = hash64(packText);
        const packKernel: Kernel = { ...pack.kernel, name: `k_${packKey}` };
        return { key: packKey, keyText: packText, kernel: packKernel, source: device.renderer.render(packKernel), buffer: pack.buffer, input: pack.source };
      }),
    };
  });
}

/** A planned kernel with Vars replaced by graph positions, reusable for any graph of the same structure. */
interface CachedKernel {
  readonly label: string;
  readonly notes: readonly string[];
  readonly exe: Executable;
  /** Workspace buffers the kernel needs for one run; a packed one is filled by its pack kernel. */
  readonly scratch: readonly (KernelBuffer & { readonly pack?: PackSlot })[];
  readonly inputs: readonly number[];
  readonly root: number;
  readonly params: readonly { readonly position: number; readonly field: ParamSource['field'] }[];
  /** The buffer list handed to exe.run, refilled at each launch (a launch runs to its end before the next). */
  readonly buffers: Storage[];
}

const NO_PARAMS = new Float64Array(0);

type Launch = (c: CachedKernel, inputs: readonly Storage[], output: Storage, params: Float64Array) => void;

/** One launch of a cached kernel on this graph's Vars: a class, so a step costs one object and no closures. */
class KernelStep implements Step {
  readonly label: string;
  readonly inputs: Var[];
  readonly outputs: [Var];
  private readonly params: Float64Array;
  private readonly empty: boolean;

  constructor(
    private readonly kernel: CachedKernel,
    vars: readonly Var[],
    private readonly launch: Launch,
    private readonly counters: CompileStats,
    private readonly timings: Map<string, { notes: readonly string[]; launches: number; ms: number }>,
  ) {
    const c = kernel;
    this.label = c.label;
    const root = vars[c.root];
    this.outputs = [root];
    this.empty = root.numel === 0;
    this.inputs = new Array<Var>(c.inputs.length);
    for (let i = 0; i < c.inputs.length; i++) this.inputs[i] = vars[c.inputs[i]];
    this.params = NO_PARAMS;
    if (c.params.length > 0) {
      this.params = new Float64Array(c.params.length);
      for (let i = 0; i < c.params.length; i++) this.params[i] = fieldValue(vars[c.params[i].position], c.params[i].field);
    }
  }

  run(inputs: readonly Storage[], outputs: readonly Storage[]): void {
    if (this.empty) return;
    this.counters.launches++;
    if (!flags.profile) {
      this.launch(this.kernel, inputs, outputs[0], this.params);
      return;
    }
    const t = performance.now();
    this.launch(this.kernel, inputs, outputs[0], this.params);
    const c = this.kernel;
    const entry = this.timings.get(c.label) ?? { notes: c.notes, launches: 0, ms: 0 };
    entry.launches++;
    entry.ms += performance.now() - t;
    this.timings.set(c.label, entry);
  }
}

/** A cached plan: the graph structure it was made for (to confirm hits exactly), its kernels, its recompile-watch site. */
interface CachedPlan {
  readonly hash: number;
  readonly record: PlanRecord;
  readonly site: string;
  readonly kernels: readonly CachedKernel[];
  /** Packed copies of its weights, owned by the plan. */
  readonly packed: PackedInputs;
  /** flags.packOnce when it was built (its kernels differ by it). */
  readonly packOnce: boolean;
}

const PLAN_CACHE_LIMIT = 64;

export function createCompiledBackend(device: Device): CompiledBackend {
  // Keyed by the full key text, not its hash: two kernels whose hashes collide still differ here.
  const kernels = new Map<string, Executable>();
  // Plans by structural hash (candidates), and all of them from least to most recently used.
  const plansByHash = new Map<number, CachedPlan[]>();
  const planOrder = new Set<CachedPlan>();
  const timings: Timings = new Map();
  const counters: CompileStats = { kernelsCompiled: 0, cacheHits: 0, planHits: 0, launches: 0, lastPlanKernels: 0, packs: 0 };
  const watch = new RecompileWatch();

  const buildPlan = (graph: Graph, position: ReadonlyMap<Var, number>, packed: PackedInputs): CachedKernel[] => {
    const planned = planKernels(graph, device);
    const missing = new Map<string, Pick<PlannedKernel, 'key' | 'source' | 'kernel'>>();
    for (const p of [...planned, ...planned.flatMap((k) => k.packs)]) {
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
      scratch: p.kernel.buffers.flatMap((b, i) => {
        if (b.role !== 'scratch') return [];
        const pack = p.packs.find((k) => k.buffer === i);
        if (!pack) return [b];
        // planKernels hoists only realized inputs (weights): the copy is kept with the plan.
        const slot = packed.slot(pack.kernel.name, pack.kernel.notes, kernels.get(pack.keyText) as Executable, pack.input, b);
        return [{ ...b, pack: slot }];
      }),
      inputs: p.inputs.map(pos),
      root: pos(p.root),
      params: p.paramSources.map((s) => ({ position: pos(s.v), field: s.field })),
      buffers: [],
    }));
  };

  /** The cached plan `graph` has exactly the structure of, or undefined. */
  const lookup = (graph: Graph, key: PlanKey): CachedPlan | undefined => {
    const candidates = plansByHash.get(key.hash);
    if (candidates === undefined) return undefined;
    return candidates.find((c) => c.packOnce === flags.packOnce && matchesPlan(c.record, graph, key));
  };

  const remember = (plan: CachedPlan): void => {
    const list = plansByHash.get(plan.hash);
    if (list) list.push(plan);
    else plansByHash.set(plan.hash, [plan]);
    planOrder.add(plan);
    if (planOrder.size <= PLAN_CACHE_LIMIT) return;
    const old = planOrder.values().next().value as CachedPlan;
    planOrder.delete(old);
    old.packed.release();
    const rest = (plansByHash.get(old.hash) as CachedPlan[]).filter((c) => c !== old);
    if (rest.length > 0) plansByHash.set(old.hash, rest);
    else plansByHash.delete(old.hash);
  };

  /** Runs one kernel on its storages (inputs then output), with workspaces when it needs them. */
  const launch = (c: CachedKernel, inputs: readonly Storage[], output: Storage, params: Float64Array): void => {
    const buffers = c.buffers;
    buffers.length = 0;
    for (let i = 0; i < inputs.length; i++) buffers.push(inputs[i]);
    buffers.push(output);
    if (c.scratch.length === 0) {
      c.exe.run(buffers, params);
      return;
    }
    // Through core's accounting, so memory() sees workspaces (and "never allocated" tests can).
    const scratch: Storage[] = [];
    const workspaces: Storage[] = [];
    try {
      for (const b of c.scratch) {
        if (b.pack) {
          scratch.push(b.pack.owner.copyOf(b.pack, inputs[b.pack.input]));
          continue;
        }
        const s = allocScratch(backend, b.dtype, b.numel);
        workspaces.push(s);
        scratch.push(s);
      }
      c.exe.run([...buffers, ...scratch], params);
    } finally {
      for (const s of workspaces) freeStorage(s);
    }
  };

  const backend: CompiledBackend = {
    name: device.name,
    label: device.label,
    device,
    alloc: (dtype, numel) => device.alloc(dtype, numel),
    free: (s) => device.free(s),
    write: (s, data) => {
      // A packed copy of this storage is stale now.
      noteWrite(s);
      device.write(s, data);
    },
    readSync: (s) => device.readSync(s),
    read: (s) => device.read(s),
    stats: () => ({ ...counters }),
    profile: () => [...timings].map(([name, t]) => ({ name, ...t })).sort((a, b) => b.ms - a.ms),
    resetProfile: () => timings.clear(),
    kernelsFor(vars) {
      return planKernels(collectGraph(vars), device);
    },
    releasePlans() {
      for (const plan of planOrder) plan.packed.release();
      planOrder.clear();
      plansByHash.clear();
    },
    plan(graph: Graph): Program {
      const key = planKey(graph);
      let plan = lookup(graph, key);
      if (plan) {
        counters.planHits++;
        watch.hit(plan);
        planOrder.delete(plan);
        planOrder.add(plan);
      } else {
        const compiled = counters.kernelsCompiled;
        // Only a miss builds the signature text: the recompile watch compares plans of one site by it.
        const sig = graphSignature(graph);
        const packed = new PackedInputs(backend, counters, timings);
        const built = buildPlan(graph, key.position, packed);
        watch.miss(sig, counters.kernelsCompiled - compiled);
        plan = { hash: key.hash, record: recordPlan(graph, key), site: sig.site, kernels: built, packed, packOnce: flags.packOnce };
        remember(plan);
      }
      const vars = key.vars;
      counters.lastPlanKernels = plan.kernels.length;
      const steps: Step[] = plan.kernels.map((c) => new KernelStep(c, vars, launch, counters, timings));
      return { steps };
    },
  };
  return backend;
}
