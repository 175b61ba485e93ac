// Shape classes: a flat element-wise kernel (one loop over every element, each buffer read and
// written at the loop index) works for any size if its trip count is a runtime param. Such kernels
// are keyed without their size, so initialising or updating tensors of many shapes compiles one
// kernel per op structure instead of one per shape.
import { formatIndex, type IndexCond, type IndexExpr } from '@metaop/core';
import type { Kernel, Stmt } from '../ir/loop-ir.js';
import { visitIndices } from '../ir/transform.js';

export function shapeClass(kernel: Kernel): Kernel {
  if (kernel.body.length !== 1) return kernel;
  const [loop] = kernel.body;
  if (loop.s !== 'loop' || loop.role !== 'spatial' || loop.body.some((s: Stmt) => s.s !== 'store' && s.s !== 'def')) return kernel;
  if (kernel.buffers.some((b) => b.numel !== loop.extent)) return kernel;
  const flat = `i${loop.v}`;
  let ok = true;
  visitIndices(loop.body, (x: IndexExpr | IndexCond) => {
    // Only the flat index itself and always-true validity: compared as IR, not as printed text.
    if (x.kind === 'bool' && x.value) return;
    const isCond = x.kind === 'cmp' || x.kind === 'and' || x.kind === 'or' || x.kind === 'not' || x.kind === 'bool';
    if (isCond || formatIndex(x as IndexExpr) !== flat) ok = false;
  });
  if (!ok) return kernel;
  const slot = kernel.paramCount;
  return {
    ...kernel,
    paramCount: kernel.paramCount + 1,
    shapeClass: true,
    body: [{ ...loop, dynamicSlot: slot, schedule: { ...loop.schedule, parallel: true } }],
    notes: [...kernel.notes, 'shape class: one kernel for every size'],
  };
}
