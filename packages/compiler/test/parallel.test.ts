// The parallel pass as schedule data: which loops of a nest are shared among threads (several,
// collapsed, when the outermost has too few iterations), which top-level nests share one thread
// team and where a barrier separates them, and how the C dialect prints it. Planned, not run: the
// values are tested in packages/backend-c/test (sum-determinism, threads, battery).
import { describe, expect, it } from 'vitest';
import { collectGraph, flagScope, type Var } from '@metaop/core';
import * as M from '@metaop/ops';
import { CRenderer, planKernels, printKernel, type Kernel, type ScheduleOptions, type Stmt } from '@metaop/compiler';

const tile = { lanes: 8, vectors: 2, rows: 6, minWork: 1 << 16 };
const restage = { minReuse: 8, minWork: 1 << 16 };

/** backend-c's schedule on a machine with `threads` CPUs (8-float vectors). */
const cpu = (threads: number, more: Partial<ScheduleOptions> = {}): ScheduleOptions => ({
  threads,
  vectorLanes: 8,
  tile,
  restage,
  unroll: 4,
  accumulate: { scalar: 'wide', tile: { block: 64 }, chunk: 1 << 14 },
  parallelAxes: 4,
  parallelTeam: true,
  ...more,
});

function plan(v: Var, schedule: ScheduleOptions) {
  const renderer = new CRenderer();
  renderer.threadBudget = true;
  const [k] = planKernels(collectGraph([v]), { schedule, renderer });
  return { kernel: k.kernel, key: k.key, ir: printKernel(k.kernel), source: k.source };
}

type LoopStmt = Extract<Stmt, { s: 'loop' }>;

/** Work items of each top-level nest's parallel loops: the product of the collapsed extents. */
function workItems(kernel: Kernel): number[] {
  return kernel.body.flatMap((s) => {
    if (s.s !== 'loop' || !s.schedule.parallel) return [];
    let n = s.extent;
    for (let l: LoopStmt = s; l.body.length === 1 && l.body[0].s === 'loop' && l.body[0].schedule.parallel; ) {
      l = l.body[0];
      n *= l.extent;
    }
    return [n];
  });
}

/** Buffers a statement stores to. */
function storedBuffers(s: Stmt, into = new Set<number>()): Set<number> {
  if (s.s === 'store') into.add(s.buf);
  else if (s.s === 'loop') s.body.forEach((b) => storedBuffers(b, into));
  return into;
}

const param = (shape: number[]) => M.randn(shape).realize();
const count = (text: string, re: RegExp) => text.match(re)?.length ?? 0;

describe('parallel pass', () => {
  const layer4 = () => M.conv2d(param([1, 512, 7, 7]), param([512, 512, 3, 3]), { padding: 1 });

  for (const threads of [2, 4, 16]) {
    it(`gives a 7x7 convolution at batch 1 at least 2 x ${threads} work items per nest (collapse)`, () => {
      const { kernel, ir, source } = plan(layer4(), cpu(threads));
      const items = workItems(kernel);
      expect(items.length).toBeGreaterThan(0);
      for (const n of items) expect(n).toBeGreaterThanOrEqual(2 * threads);
      // The output rows (7) alone would not do: the output-channel blocks are shared out with them.
      expect(ir).toMatch(/for i\d+ < 7 \(spatial parallel[^)]*\)\n\s+for i\d+ < \d+ \(spatial parallel[^)]*\)/);
      expect(source).toMatch(/#pragma omp for schedule\(static\) collapse\(2\)/);
    });
  }

  it('shares out only the outermost loop where it has iterations enough, and never an innermost (vector) loop', () => {
    const { kernel, ir } = plan(M.relu(param([64, 512, 9])), cpu(2));
    expect(workItems(kernel)).toEqual([64 * 512 * 9]); // merged into one flat loop
    const rows = plan(M.sum(param([6, 8192]), [1]), cpu(16)).ir;
    expect(rows).toMatch(/for i\d+ < 6 \(spatial parallel\)/);
    expect(ir).not.toMatch(/parallel[^\n]*\n\s+for[^\n]*parallel/);
  });

  it('keeps to one axis where the backend asks for one (parallelAxes), and the choice is in the key', () => {
    const one = plan(layer4(), cpu(2, { parallelAxes: 1 }));
    expect(workItems(one.kernel)).toContain(7);
    expect(one.source).not.toContain('collapse(');
    expect(one.key).not.toBe(plan(layer4(), cpu(2)).key);
  });

  it('shares out a scatter nest only over variables whose writes never collide', () => {
    // Target [i0, i1 / 2]: i0 keeps writes apart, i1 does not (two of its values share a cell).
    const x = param([4, 16384]);
    const { kernel, ir } = plan(M.reindexReduce(x, 'max', [4, 8192], ['i0', 'i1/2']), cpu(2));
    const nest = kernel.body.find((s): s is LoopStmt => s.s === 'loop' && s.role === 'spatial') as LoopStmt;
    expect(nest.schedule.parallel).toBe(true);
    expect(nest.extent).toBe(4);
    const inner = (nest.body[0] as LoopStmt).schedule;
    expect(inner.parallel).toBeUndefined();
    expect(ir).toMatch(/\(exclusive i\d+\)/);
    // The init nest writes what the scatter reads and writes: a barrier between them.
    const init = kernel.body[0] as LoopStmt;
    expect(init.role).toBe('init');
    expect(init.schedule.parallel).toBe(true);
    expect(init.schedule.nowait).toBeUndefined();
  });
});

describe('data-indexed scatters', () => {
  it("share out an embedding gradient's columns outside its rows: one parallel region, not one per row", () => {
    const w = param([113, 128]);
    const idx = M.tensor(Int32Array.from({ length: 2048 }, (_, i) => (i * 37) % 113), [2048], 'int32').realize();
    const [g] = M.grad(M.sum(M.mul(M.indexSelect(w, 0, idx), param([2048, 128]))), [w]);
    const renderer = new CRenderer();
    renderer.threadBudget = true;
    const hasScatter = (s: Stmt): boolean => s.s === 'scatter' || (s.s === 'loop' && s.body.some(hasScatter));
    const k = planKernels(collectGraph([g]), { schedule: cpu(2), renderer }).find((p) => p.kernel.body.some(hasScatter));
    expect(k, 'a kernel with the scatter').toBeDefined();
    const nest = k!.kernel.body.find((s): s is LoopStmt => hasScatter(s)) as LoopStmt;
    // Columns (exclusive) outside, shared out; the 2048 rows (they collide) inside, in order.
    expect(nest.extent).toBe(128);
    expect(nest.schedule.parallel).toBe(true);
    const rows = nest.body[0] as LoopStmt;
    expect(rows.extent).toBe(2048);
    expect(rows.schedule.parallel).toBeUndefined();
    expect(count(k!.source, /#pragma omp parallel/g)).toBe(1);
  });
});

describe('one thread team per kernel', () => {
  // 128 -> 120 + 8 output channels, 28 -> 16 + 8 + 4 columns: six tile nests after the padded copy.
  const tails = () => M.conv2d(param([1, 128, 28, 28]), param([128, 128, 3, 3]), { padding: 1 });

  it('runs a convolution with its tails and its restaged input in one parallel region', () => {
    const { kernel, source } = plan(tails(), cpu(2));
    const nests = kernel.body.filter((s) => s.s === 'loop' && s.schedule.parallel).length;
    expect(nests).toBeGreaterThanOrEqual(4);
    expect(count(source, /#pragma omp parallel/g)).toBe(1);
    expect(source).toContain('#pragma omp parallel num_threads(mo_nt)');
    expect(count(source, /#pragma omp for /g)).toBe(nests);
    expect(source).toMatch(/const int mo_nt = mo_threads_take\(bufs\[\d+\], bufs\[\d+\]\);/);
    expect(source).toMatch(/mo_threads_give\(bufs\[\d+\], mo_nt\);\n\}/);
  });

  it('puts a barrier only where a nest reads what an earlier one wrote', () => {
    const { kernel, source } = plan(tails(), cpu(2));
    const [copy, ...tiles] = kernel.body as LoopStmt[];
    // The tile nests read the padded copy: it is followed by a barrier; they write disjoint cells of
    // the output and read only inputs: none waits for another.
    expect(copy.schedule.nowait).toBeUndefined();
    for (const t of tiles.slice(0, -1)) expect(t.schedule.nowait).toBe(true);
    expect(count(source, /#pragma omp for [^\n]*nowait/g)).toBe(tiles.length);
  });

  it('lets independent restaged copies run on without a barrier', () => {
    // With 16-float vectors both the padded input and the transposed weights are copied; neither reads the other.
    // (Packed per launch: by default the weights' copy is a pack kernel of its own, run once per plan.)
    const wide = cpu(2, { vectorLanes: 16, tile: { lanes: 16, vectors: 2, rows: 12, minWork: 1 << 16, narrowLanes: 8 }, restage });
    const { kernel } = flagScope({ packOnce: false }, () => plan(M.conv2d(param([1, 512, 7, 7]), param([512, 512, 3, 3]), { padding: 1 }), wide));
    const scratch = new Set(kernel.buffers.flatMap((b, i) => (b.role === 'scratch' ? [i] : [])));
    const body = kernel.body as LoopStmt[];
    const copies = body.filter((s) => [...storedBuffers(s)].some((b) => scratch.has(b)));
    expect(copies.length).toBe(2);
    expect(body.indexOf(copies[1])).toBe(body.indexOf(copies[0]) + 1);
    expect(copies[0].schedule.nowait).toBe(true);
    expect(copies[1].schedule.nowait).toBeUndefined();
  });

  it('prints nothing of it without OpenMP (sanitizer mode) or without the thread budget', () => {
    const renderer = new CRenderer();
    renderer.openmp = false;
    const [k] = planKernels(collectGraph([tails()]), { schedule: cpu(2), renderer });
    expect(k.source).not.toMatch(/#pragma omp (parallel|for)|mo_threads/);
    const plain = new CRenderer();
    const [p] = planKernels(collectGraph([tails()]), { schedule: cpu(2), renderer: plain });
    expect(count(p.source, /#pragma omp parallel/g)).toBe(1);
    expect(p.source).not.toContain('mo_threads');
  });
});
