// Training and validation batches: B windows of T+1 characters at random offsets. The offsets of
// step s depend only on (seed, split, s), so a resumed run sees exactly the batches an
// uninterrupted one would.
import { tensor, type Var } from '@metaop/ops';

/** A small counter-based generator (SplitMix32 over a mixed key): reproducible, cheap, good enough for offsets. */
function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

export function offsets(seed: number, stream: number, step: number, count: number, limit: number): number[] {
  const out: number[] = [];
  let state = mix(mix(seed + 0x9e3779b9) ^ mix(stream * 0x27d4eb2f + step));
  for (let i = 0; i < count; i++) {
    state = mix(state + 0x9e3779b9 + i);
    out.push(state % limit);
  }
  return out;
}

export interface TokenBatch {
  /** int32 [B, T]: input characters. */
  readonly x: Var;
  /** int32 [B, T]: the next character at each position. */
  readonly y: Var;
}

/** The batch of `step` from `data`; stream 0 is training, 1.. are evaluation draws. */
export function batchAt(data: Int32Array, seed: number, stream: number, step: number, batchSize: number, blockSize: number): TokenBatch {
  const limit = data.length - blockSize - 1;
  if (limit < 1) throw new Error(`the text (${data.length} characters) is shorter than one window of ${blockSize + 1}`);
  const xs = new Int32Array(batchSize * blockSize);
  const ys = new Int32Array(batchSize * blockSize);
  offsets(seed, stream, step, batchSize, limit).forEach((o, b) => {
    xs.set(data.subarray(o, o + blockSize), b * blockSize);
    ys.set(data.subarray(o + 1, o + blockSize + 1), b * blockSize);
  });
  return { x: tensor(xs, [batchSize, blockSize]), y: tensor(ys, [batchSize, blockSize]) };
}
