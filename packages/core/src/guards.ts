// Index guards: bounds checks computed by meta-ops inside the plan that reads the index (like
// CUDA's device-side assert) and read back once after it ran, so an out-of-range index raises
// IndexError at the realize that computes it, never a host round trip per op.
import { IndexError } from './errors.js';
import type { OpNode } from './graph.js';
import type { Storage } from './backend.js';
import { noGrad } from './context.js';
import { releaseStorage } from './memory.js';
import { Var } from './var.js';

/** What an index-consuming op checks about its index tensor. */
export interface IndexGuard {
  /** The op named in the error ('gather', 'crossEntropy', ...). */
  readonly op: string;
  /** The dim the values index and its size: valid values are 0..size-1. */
  readonly dim: number;
  readonly size: number;
  /** A value that is skipped rather than checked (a loss's ignoreIndex). */
  readonly ignoreIndex?: number;
  /**
   * Builds a fresh int32 [2] Var: the largest checked value and -1 minus the smallest (ignored ones
   * excluded), so one reduction computes both and a plan's checks cost one small kernel per guard.
   */
  readonly extremes: () => Var;
  /** Describes the values in messages: 'index' or 'target'. */
  readonly noun: string;
}

const guards = new WeakMap<Var, IndexGuard>();

/**
 * Attaches `guard` to `guarded`, an identity node over the index that every consumer reads. A
 * Var that is already realized (eager mode) is checked now.
 */
export function addIndexGuard(guarded: Var, guard: IndexGuard): void {
  guards.set(guarded, guard);
  if (guarded.storage !== null) {
    const plan = new GuardPlan([guard]);
    plan.flag.realize();
    plan.verify([]);
  }
}

/** The checks of the guarded Vars among `nodes` (the unrealized part of a graph), or null. */
export function guardPlan(nodes: readonly Var[]): GuardPlan | null {
  let found: IndexGuard[] | null = null;
  for (const v of nodes) {
    const g = guards.get(v);
    if (g !== undefined) (found ??= []).push(g);
  }
  return found === null ? null : new GuardPlan(found);
}

/** The checks of one plan in one small int32 Var, so they are read back in one read. */
export class GuardPlan {
  /** [max0, -1 - min0, max1, -1 - min1, ...]: an extra target of the plan. */
  readonly flag: Var;

  constructor(private readonly guards: readonly IndexGuard[]) {
    // Built afresh for every plan: the flag is freed after its read, and the index may be
    // read again by a later plan.
    this.flag = noGrad(() => (guards.length === 1 ? guards[0].extremes() : stack(guards.map((g) => g.extremes()))));
  }

  /**
   * Reads the flag and frees it. When a check failed, also releases `outputs` (they may hold values
   * read through a bad index, so nobody may see them) and throws IndexError.
   */
  verify(outputs: readonly Var[]): void {
    const s = this.flag.storage as Storage;
    const values = s.backend.readSync(s);
    this.flag.dispose();
    this.guards.forEach((g, k) => {
      const [max, min] = [values[2 * k], -1 - values[2 * k + 1]];
      const bad = max >= g.size ? max : min < 0 ? min : null;
      if (bad === null) return;
      for (const v of outputs) releaseStorage(v);
      const skipped = g.ignoreIndex === undefined ? '' : ` or ignoreIndex ${g.ignoreIndex}`;
      throw new IndexError(
        `${g.noun} ${bad} is out of bounds for dim ${g.dim} with size ${g.size}; valid values are 0..${g.size - 1}${skipped}`,
        g.op,
        bad,
        g.dim,
        g.size,
      );
    });
  }

  /** One line per check, for explain(): what is checked and against which size. */
  describe(): string[] {
    return this.guards.map((g) => `${g.op}: ${g.noun} in 0..${g.size - 1} of dim ${g.dim}${g.ignoreIndex === undefined ? '' : ` (ignoreIndex ${g.ignoreIndex} skipped)`}`);
  }

  /** Frees the flag when the plan failed before the checks could be read. */
  discard(): void {
    this.flag.dispose();
  }
}

/** Concatenates int32 [2] Vars into one 1-D Var: each padded to its slot, then summed (one fused kernel). */
function stack(pairs: readonly Var[]): Var {
  const n = 2 * pairs.length;
  const slot = (s: Var, k: number): Var => {
    const node: OpNode = { op: 'pad', before: [2 * k], after: [n - 2 - 2 * k], value: 0, inputs: [s] };
    return Var.fromNode(node, [n], 'int32');
  };
  return pairs.map(slot).reduce((acc, v) => Var.fromNode({ op: 'binary', fn: 'add', inputs: [acc, v] }, [n], 'int32'));
}
