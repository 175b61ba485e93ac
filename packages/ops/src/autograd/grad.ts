// grad(): reverse-mode differentiation as a graph-to-graph transform. The result is lazy Vars,
// so they fuse with other work and can be differentiated again.
import { ArgumentError, DTypeError, expectVar, formatShape, isFloat, ShapeError, shapesEqual, type Var } from '@metaop/core';
import { binary, constant } from '../meta/elementwise.js';
import { gradHookOf } from './hooks.js';
import { gradRules, type GradRule } from './rules.js';

/**
 * Gradients of `y` with respect to each of `xs`. With `dy` omitted, y's gradient is ones, so a
 * non-scalar y is differentiated as sum(y). Xs that y does not depend on get zeros.
 */
export function grad(y: Var, xs: Var, dy?: Var): Var;
export function grad(y: Var, xs: readonly Var[], dy?: Var): Var[];
export function grad(y: Var, xs: Var | readonly Var[], dy?: Var): Var | Var[] {
  const single = !Array.isArray(xs);
  const targets = single ? [xs as Var] : [...(xs as readonly Var[])];
  expectVar(y, 'grad', 'y');
  if (!isFloat(y.dtype)) throw new DTypeError(`y must be a float Var, got ${y.describe()}`, 'grad');
  for (const x of targets) {
    expectVar(x, 'grad', 'each x');
    if (!isFloat(x.dtype)) throw new DTypeError(`cannot differentiate with respect to ${x.describe()}; only float Vars have gradients`, 'grad');
  }
  let seed: Var;
  if (dy === undefined) seed = constant(1, y.shape, y.dtype);
  else {
    expectVar(dy, 'grad', 'dy');
    if (!shapesEqual(dy.shape, y.shape) || dy.dtype !== y.dtype) {
      throw new ShapeError(`dy ${dy.describe()} must match y ${y.describe()}`, 'grad');
    }
    seed = dy;
  }

  // Vars on a path from y down to some x, in topological order (inputs first).
  const wanted = new Set(targets);
  const reaches = new Map<Var, boolean>();
  const order: Var[] = [];
  const stack: { v: Var; next: number }[] = [{ v: y, next: 0 }];
  const onStack = new Set<Var>([y]);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const inputs = top.v.node && !top.v.stopGrad ? top.v.node.inputs : [];
    if (top.next < inputs.length) {
      const child = inputs[top.next++];
      if (!reaches.has(child) && !onStack.has(child)) {
        onStack.add(child);
        stack.push({ v: child, next: 0 });
      }
      continue;
    }
    stack.pop();
    onStack.delete(top.v);
    const r = wanted.has(top.v) || inputs.some((u) => reaches.get(u) === true);
    reaches.set(top.v, r);
    if (r) order.push(top.v);
  }

  const describeY = () => 'y (the loss)';
  const grads = new Map<Var, Var>();
  if (reaches.get(y)) grads.set(y, seed);
  for (let i = order.length - 1; i >= 0; i--) {
    const v = order[i];
    let g = grads.get(v);
    if (!g) continue;
    const hook = gradHookOf(v);
    if (hook) {
      g = hook(g);
      if (!shapesEqual(g.shape, v.shape) || g.dtype !== v.dtype) {
        throw new ArgumentError(`a gradient hook returned ${g.describe()} for ${v.describe()}; it must keep the shape and dtype`, 'grad');
      }
      grads.set(v, g);
    }
    if (!v.node || v.stopGrad) continue;
    v.assertFresh('grad', describeY);
    const rule = gradRules[v.node.op] as GradRule;
    const inputGrads = rule(v.node, v, g);
    v.node.inputs.forEach((u, j) => {
      const gu = inputGrads[j];
      if (!gu || !reaches.get(u)) return;
      if (!shapesEqual(gu.shape, u.shape)) {
        throw new ArgumentError(
          `internal: the ${v.node?.op} gradient rule produced ${formatShape(gu.shape)} for an input of ${formatShape(u.shape)}`,
          'grad',
        );
      }
      const prev = grads.get(u);
      grads.set(u, prev ? binary(prev, gu, 'add') : gu);
    });
  }
  const result = targets.map((x) => grads.get(x) ?? constant(0, x.shape, x.dtype));
  return single ? result[0] : result;
}
