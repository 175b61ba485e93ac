// Embedding: a lookup table of vectors indexed by integer ids.
import { checkOptions, type OptionKeys, ArgumentError, DTypeError, isFloat, type Var } from '@metaop/core';
import { detach, embedding, eq, index, noGrad, reshape, where } from '@metaop/ops';
import { normal_ } from '../init.js';
import { newParameter } from '../parameter.js';
import { Module } from '../module.js';

export interface EmbeddingOptions {
  /** This id's row starts at zero and receives no gradient. Negative counts from the end. */
  paddingIdx?: number;
}
const embeddingKeys: OptionKeys<EmbeddingOptions> = { paddingIdx: true };

/**
 * weight [numEmbeddings, embeddingDim], initialised N(0, 1); forward maps integer ids [...] to
 * [..., dim]. An id outside 0..numEmbeddings-1 raises IndexError when the result is realized.
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | undefined;
  readonly weight: Var;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    checkOptions(options, embeddingKeys, 'Embedding');
    for (const [name, v] of [['numEmbeddings', numEmbeddings], ['embeddingDim', embeddingDim]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new ArgumentError(`${name} must be a positive integer, got ${v}`, 'Embedding');
    }
    let pad = options.paddingIdx;
    if (pad !== undefined) {
      if (!Number.isInteger(pad) || pad < -numEmbeddings || pad >= numEmbeddings) {
        throw new ArgumentError(`paddingIdx ${pad} must be within [-${numEmbeddings}, ${numEmbeddings})`, 'Embedding');
      }
      if (pad < 0) pad += numEmbeddings;
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = pad;
    this.weight = this.registerParameter('weight', newParameter([numEmbeddings, embeddingDim]));
    this.resetParameters();
  }

  resetParameters(): void {
    normal_(this.weight);
    const pad = this.paddingIdx;
    if (pad !== undefined) noGrad(() => this.weight.assign(where(eq(index(this.weight.shape, 0), pad), 0, this.weight)));
  }

  forward(ids: Var): Var {
    if (isFloat(ids.dtype)) throw new DTypeError(`ids must be integers, got ${ids.describe()}`, 'Embedding');
    const rows = embedding(ids, this.weight);
    if (this.paddingIdx === undefined) return rows;
    // Same values, but the padding row gets no gradient (PyTorch's padding_idx).
    const isPad = reshape(eq(ids, this.paddingIdx), [...ids.shape, 1]);
    return where(isPad, detach(rows), rows);
  }
}
