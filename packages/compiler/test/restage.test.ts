// Restage's border selects as schedule data: a convolution input gradient's fast body reads the
// zero-bordered copy with no test, and a non-finite variant keeps the test for Inf and NaN weights
// (issue #10). Planned without running anything; values are tested per backend
// (packages/backend-*/test/restage-nonfinite.test.ts and the battery's cases/nonfinite.ts).
import { describe, expect, it } from 'vitest';
import { collectGraph, type Var } from '@metaop/core';
import * as M from '@metaop/ops';
import { CRenderer, kernelKey, planKernels, printKernel, type Expr, type Kernel, type PlannedKernel, type Stmt } from '@metaop/compiler';

const device = {
  schedule: {
    threads: 2,
    vectorLanes: 8,
    tile: { lanes: 8, vectors: 2, rows: 6, minWork: 1 << 16 },
    restage: { minReuse: 8, minWork: 1 << 16 },
    unroll: 4,
    accumulate: { scalar: 'wide', tile: { block: 64 }, chunk: 1 << 14 },
  },
  renderer: new CRenderer(),
} as const;

const param = (shape: number[]) => M.randn(shape).realize();

/** The kernel computing the input gradient of conv2d(x, w) (gather form). */
function inputGradient(x: Var, w: Var, options: Parameters<typeof M.conv2d>[2] = { padding: 1 }): PlannedKernel {
  const [gx] = M.grad(M.conv2d(x, w, options).square().sum(), [x]);
  const ks = planKernels(collectGraph([gx]), device);
  const k = ks.find((p) => p.kernel.notes.some((n) => n.includes('gather form')));
  if (!k) throw new Error(`no gather-form kernel among ${ks.map((p) => p.kernel.notes.join('; ')).join(' / ')}`);
  return k;
}

/** Selects on an index test (border tests) in a body's accumulator updates. */
function borderSelects(body: readonly Stmt[]): number {
  let n = 0;
  const expr = (e: Expr): void => {
    if (e.op === 'select' && e.cond.op === 'test') n++;
    if (e.op === 'select') [e.cond, e.a, e.b].forEach(expr);
    if (e.op === 'binary') [e.a, e.b].forEach(expr);
    if (e.op === 'unary' || e.op === 'cast') expr(e.a);
  };
  const visit = (stmts: readonly Stmt[]) => {
    for (const s of stmts) {
      if (s.s === 'loop') visit(s.body);
      else if (s.s === 'accUpdate') expr(s.value);
    }
  };
  visit(body);
  return n;
}

describe('restage of padded convolution operands', () => {
  it('drops the border select of the input gradient in the fast body, keeps it in the non-finite variant', () => {
    const w = param([8, 4, 3, 3]);
    const { kernel, source } = inputGradient(param([2, 4, 16, 16]), w);
    expect(kernel.notes.join('\n')).toMatch(/restaged/);
    expect(kernel.notes.join('\n')).toMatch(/border selects removed where b1 are finite; a non-finite variant keeps them/);
    // The weight is the factor checked: the only input of its size.
    const variant = kernel.nonFinite as NonNullable<Kernel['nonFinite']>;
    expect(variant.buffers.map((b) => kernel.buffers[b])).toEqual([{ dtype: 'float32', numel: w.numel, role: 'input' }]);
    expect(variant.params).toEqual([]);
    expect(borderSelects(kernel.body)).toBe(0);
    expect(borderSelects(variant.body)).toBeGreaterThan(0);
    // Both bodies read the same zero-bordered copy and are register-tiled by the same passes.
    const scratch = kernel.buffers.findIndex((b) => b.role === 'scratch');
    expect(printKernel({ ...kernel, nonFinite: undefined })).toContain(`b${scratch}[`);
    expect(printKernel({ ...kernel, body: variant.body, nonFinite: undefined })).toContain(`b${scratch}[`);
    expect(kernel.notes.filter((n) => n.startsWith('register tile'))).toHaveLength(1);
    expect(kernel.notes.filter((n) => n.startsWith('non-finite variant: register tile'))).toHaveLength(1);
    // C: the flag scans the weight, then the fast body runs on vector registers in the else branch.
    const [check, rest] = source.split('if (nonfinite) {');
    expect(check).toMatch(new RegExp(`for \\(int64_t j = 0; j < ${w.numel}; j\\+\\+\\) nonfinite \\|= \\(b1\\[j\\] - b1\\[j\\] != 0\\);`));
    const [exact, fast] = rest.split('} else {');
    expect(fast).toContain('mo_loadv8(');
    expect(exact).not.toContain('mo_loadv8(');
    // The select stays in the exact body; its arms' loads are read before it (c-renderer's armLoads,
    // the GCC PR 114375 workaround), so the product under the select is of those temporaries.
    expect(exact).toMatch(/float v\d+ = b1\[/);
    expect(exact).toMatch(/\? \(v\d+ \* v\d+\) : 0\.0f\)/);
  });

  it('numbers the variant loops after the fast body, in one loopExtents', () => {
    const { kernel } = inputGradient(param([2, 4, 16, 16]), param([8, 4, 3, 3]));
    const vars = (body: readonly Stmt[], out = new Map<number, number>()) => {
      for (const s of body) {
        if (s.s !== 'loop') continue;
        out.set(s.v, s.extent);
        vars(s.body, out);
      }
      return out;
    };
    const fast = vars(kernel.body);
    const exact = vars((kernel.nonFinite as NonNullable<Kernel['nonFinite']>).body);
    for (const [v, extent] of [...fast, ...exact]) expect(kernel.loopExtents[v]).toBe(extent);
    const fresh = [...exact.keys()].filter((v) => !fast.has(v));
    expect(Math.min(...fresh)).toBeGreaterThan(Math.max(...fast.keys()));
  });

  it('puts the variant in the kernel key', () => {
    const { kernel, keyText } = inputGradient(param([2, 4, 16, 16]), param([8, 4, 3, 3]));
    expect(keyText).toContain('if nonfinite(b1)');
    expect(kernelKey({ ...kernel, nonFinite: undefined }, 'c')).not.toBe(kernelKey(kernel, 'c'));
    const variant = kernel.nonFinite as NonNullable<Kernel['nonFinite']>;
    expect(kernelKey({ ...kernel, nonFinite: { ...variant, params: [{ slot: 0, dtype: 'float32' }] } }, 'c')).not.toBe(kernelKey(kernel, 'c'));
  });

  it('keeps the select, with no variant, where scanning the weight would cost more than the nest saves', () => {
    // 2x3 images with 128 channels: each weight is used 6 times, fewer than restage's minimum reuse of 8.
    const { kernel } = inputGradient(param([1, 128, 2, 3]), param([128, 128, 3, 3]));
    expect(kernel.notes.join('\n')).toMatch(/restaged/);
    expect(kernel.nonFinite).toBeUndefined();
    expect(borderSelects(kernel.body)).toBeGreaterThan(0);
  });

  it('needs no variant where no border select depends on a weight (stride 2 scatters the input gradient)', () => {
    const x = param([2, 4, 33, 33]);
    const ks = planKernels(collectGraph(M.grad(M.conv2d(x, param([8, 4, 3, 3]), { stride: 2, padding: 1 }).square().sum(), [x])), device);
    expect(ks.some((k) => k.kernel.notes.some((n) => n.includes('restaged')))).toBe(true);
    expect(ks.every((k) => k.kernel.nonFinite === undefined)).toBe(true);
  });
});
