// One forward and backward pass of a small MLP with fixed inputs and weights, written against the
// ops module it is given, so the browser page and the Node test run exactly the same code.
import type * as Ops from '@metaop/ops';

export interface MlpResult {
  loss: number;
  logits: number[];
  grads: Record<'w1' | 'b1' | 'w2' | 'b2', number[]>;
}

/** Deterministic values in [-1, 1) (no random generator involved). */
function values(n: number, salt: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + salt * 3.1) * 0.9);
}

export function mlpStep(M: typeof Ops): MlpResult {
  const x = M.tensor(values(4 * 6, 1), [4, 6]);
  const y = M.tensor(Int32Array.from([0, 2, 1, 2]), [4], 'int32');
  const w1 = M.tensor(values(6 * 8, 2), [6, 8]);
  const b1 = M.tensor(values(8, 3), [8]);
  const w2 = M.tensor(values(8 * 3, 4), [8, 3]);
  const b2 = M.tensor(values(3, 5), [3]);
  const hidden = M.relu(M.add(M.matmul(x, w1), b1));
  const logits = M.add(M.matmul(hidden, w2), b2);
  const loss = M.crossEntropy(logits, y);
  const [gw1, gb1, gw2, gb2] = M.grad(loss, [w1, b1, w2, b2]);
  M.realize([loss, logits, gw1, gb1, gw2, gb2]);
  const arr = (v: Ops.Var) => Array.from(v.dataSync(), Number);
  return { loss: loss.item(), logits: arr(logits), grads: { w1: arr(gw1), b1: arr(gb1), w2: arr(gw2), b2: arr(gb2) } };
}
