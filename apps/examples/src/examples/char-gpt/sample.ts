// Text generation: one character at a time from the model's next-character distribution, with a
// temperature and top-k. Every step runs the same graph: the context sits in a window of
// blockSize ids (right-padded; causal attention never lets position t see what follows it) and the
// logits are read at the context's last position, a runtime offset, so sampling compiles once.
import * as M from '@metaop/ops';
import type { Gpt } from './model.js';

export interface SampleOptions {
  /** Characters to generate. */
  length: number;
  /** Divides the logits: below 1 sharper, above 1 flatter. */
  temperature: number;
  /** Sample among the k most likely characters only (0: all). */
  topK: number;
  /** Seed of the draws (Philox): the same seed gives the same text on every backend. */
  seed: number;
}

/** `prompt` (ids, at least one) continued by `length` sampled ids. */
export function generate(model: Gpt, prompt: readonly number[], options: SampleOptions): number[] {
  if (prompt.length === 0) throw new Error('generate needs a prompt of at least one character');
  const { blockSize, vocabSize } = model.config;
  const k = options.topK > 0 ? Math.min(options.topK, vocabSize) : vocabSize;
  const ids = [...prompt];
  const wasTraining = model.training;
  model.eval();
  try {
    M.noGrad(() => {
      for (let i = 0; i < options.length; i++) {
        const context = ids.slice(-blockSize);
        const window = new Int32Array(blockSize);
        window.set(context);
        const next = M.tidy(() => {
          const logits = model.forward(M.tensor(window, [1, blockSize]));
          const last = M.reshape(M.narrow(logits, 1, context.length - 1, 1), [1, vocabSize]);
          const scaled = M.div(last, options.temperature);
          // Keep the k largest logits: everything below the k-th goes to -Infinity.
          const kept = k < vocabSize ? M.where(M.lt(scaled, M.narrow(M.topk(scaled, k, -1)[0], 1, k - 1, 1)), -Infinity, scaled) : scaled;
          return M.multinomial(M.softmax(kept, -1), 1, { replacement: true, seed: options.seed * 1000003 + i });
        });
        ids.push(next.item());
        next.dispose();
      }
    });
  } finally {
    model.train(wasTraining);
  }
  return ids;
}
