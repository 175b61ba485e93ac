// Training and validation batches: B windows of T+1 characters at random offsets. The offsets of
// step s depend only on (seed, stream, s), so a resumed run sees exactly the batches an
// uninterrupted one would, and the PyTorch twin draws the same ones.
import { philox4x32, tensor, type Var } from '@metaop/ops';

const words = new Uint32Array(4);

/**
 * `count` offsets in [0, limit) for (seed, stream, step): word 0 of Philox-4x32 (the framework's
 * generator) at counter step·2^16 + i under key seed·8 + stream, reduced modulo limit.
 */
export function offsets(seed: number, stream: number, step: number, count: number, limit: number): number[] {
  if (count > 65536 || stream > 7) throw new Error(`offsets: at most 65536 windows per step and 8 streams, got ${count} and stream ${stream}`);
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(philox4x32(step * 65536 + i, seed * 8 + stream, words)[0] % limit);
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
