// Packed inputs: a plan's copies of its weights in the layout a kernel's hot loop reads (made by
// the pack kernels restage splits out, see passes/restage.ts), kept with the plan between runs.
// A copy is keyed by its source storage and remembers the source's write count (core's
// storage-writes.ts) when it was made: a run reuses it while both are unchanged, and re-packs
// after any write (an optimizer step moves a new storage in; assign, loadStateDict and in-place
// collectives write). Two models of one structure share a plan but each keeps its own copies.
import { allocPlanBuffer, flags, freeStorage, isFreed, writeCount, type Backend, type Storage } from '@metaop/core';
import type { CompileStats, Executable } from './compiled-backend.js';
import type { KernelBuffer } from './ir/loop-ir.js';

/** Launch timings by kernel label (the compiled backend's profile). */
export type Timings = Map<string, { notes: readonly string[]; launches: number; ms: number }>;

interface Copy {
  readonly packed: Storage;
  readonly writes: number;
}

/** One pack kernel of a plan's kernel: where it reads, and its copies. */
export interface PackSlot {
  readonly owner: PackedInputs;
  readonly label: string;
  readonly notes: readonly string[];
  readonly exe: Executable;
  /** The kernel input it packs (an index into the kernel's inputs). */
  readonly input: number;
  readonly buffer: KernelBuffer;
  /** Copies by source storage, oldest first. */
  readonly copies: Map<Storage, Copy>;
}

/** Copies one slot keeps for different source storages (models sharing a plan) before the oldest goes. */
const COPIES_PER_SLOT = 4;

/** The packed copies one cached plan owns (memory().planBytes), freed by release(). */
export class PackedInputs {
  private readonly slots: PackSlot[] = [];

  constructor(
    private readonly backend: Backend,
    private readonly counters: Pick<CompileStats, 'packs'>,
    private readonly timings: Timings,
  ) {}

  slot(label: string, notes: readonly string[], exe: Executable, input: number, buffer: KernelBuffer): PackSlot {
    const slot: PackSlot = { owner: this, label, notes, exe, input, buffer, copies: new Map() };
    this.slots.push(slot);
    return slot;
  }

  /** Runs the slot's pack kernel: `target` = the packed layout of `source`. */
  private fill(slot: PackSlot, source: Storage, target: Storage): void {
    this.counters.packs++;
    if (!flags.profile) {
      slot.exe.run([source, target], NO_PARAMS);
      return;
    }
    const t = performance.now();
    slot.exe.run([source, target], NO_PARAMS);
    const entry = this.timings.get(slot.label) ?? { notes: slot.notes, launches: 0, ms: 0 };
    entry.launches++;
    entry.ms += performance.now() - t;
    this.timings.set(slot.label, entry);
  }

  /** The plan's packed copy of `source`, made now when there is none or the source was written since. */
  copyOf(slot: PackSlot, source: Storage): Storage {
    const writes = writeCount(source);
    const hit = slot.copies.get(source);
    if (hit !== undefined && hit.writes === writes) return hit.packed;
    let packed = hit?.packed;
    slot.copies.delete(source);
    if (packed === undefined) {
      this.prune(slot);
      packed = allocPlanBuffer(this.backend, slot.buffer.dtype, slot.buffer.numel);
    }
    try {
      this.fill(slot, source, packed);
    } catch (e) {
      freeStorage(packed);
      throw e;
    }
    slot.copies.set(source, { packed, writes });
    return packed;
  }

  /** Frees every copy (the plan is evicted or released). */
  release(): void {
    for (const slot of this.slots) {
      for (const c of slot.copies.values()) freeStorage(c.packed);
      slot.copies.clear();
    }
  }

  /** Drops copies of freed sources (last step's weights), then the oldest beyond the slot's limit. */
  private prune(slot: PackSlot): void {
    for (const [source, c] of slot.copies) {
      if (!isFreed(source)) continue;
      freeStorage(c.packed);
      slot.copies.delete(source);
    }
    while (slot.copies.size >= COPIES_PER_SLOT) {
      const [source, c] = slot.copies.entries().next().value as [Storage, Copy];
      freeStorage(c.packed);
      slot.copies.delete(source);
    }
  }
}

const NO_PARAMS = new Float64Array(0);
