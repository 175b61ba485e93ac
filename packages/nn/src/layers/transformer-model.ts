// nn.Transformer, as torch.nn.Transformer: an encoder stack and a decoder stack, each closed by a
// LayerNorm, registered as `encoder` and `decoder` so PyTorch's state dicts load strictly, and every
// weight matrix re-initialised with xavier_uniform_ as PyTorch does.
import { checkOptions, type OptionKeys, ArgumentError, formatShape, ShapeError, type Var } from '@metaop/core';
import { xavierUniform_ } from '../init.js';
import { Module, type AnyModule } from '../module.js';
import { LayerNorm } from './norm.js';
import {
  generateSquareSubsequentMask,
  layerKeys,
  TransformerDecoder,
  TransformerDecoderLayer,
  TransformerEncoder,
  TransformerEncoderLayer,
  type TransformerDecoderLayerForwardOptions,
  type TransformerEncoderForwardOptions,
  type TransformerLayerOptions,
} from './transformer.js';

/** What an encoder stack does: TransformerEncoder's forward. */
export type TransformerEncoderLike = Module<[Var, TransformerEncoderForwardOptions?], Var>;
/** What a decoder stack does: TransformerDecoder's forward. */
export type TransformerDecoderLike = Module<[Var, Var, TransformerDecoderLayerForwardOptions?], Var>;

export interface TransformerOptions extends TransformerLayerOptions {
  /** Width of the model (default 512). */
  dModel?: number;
  /** Attention heads (default 8). */
  nhead?: number;
  /** Encoder layers (default 6). */
  numEncoderLayers?: number;
  /** Decoder layers (default 6). */
  numDecoderLayers?: number;
  /** Used instead of the encoder stack: `forward(src, { mask, srcKeyPaddingMask, isCausal })`. */
  customEncoder?: TransformerEncoderLike | null;
  /** Used instead of the decoder stack: `forward(tgt, memory, decoderLayerOptions)`. */
  customDecoder?: TransformerDecoderLike | null;
}
const transformerKeys: OptionKeys<TransformerOptions> = {
  ...layerKeys,
  dModel: true,
  nhead: true,
  numEncoderLayers: true,
  numDecoderLayers: true,
  customEncoder: true,
  customDecoder: true,
};

export interface TransformerForwardOptions {
  /** Encoder self-attention mask [S, S] (bool: true = not allowed; float: added). */
  srcMask?: Var | null;
  /** Decoder self-attention mask [T, T], e.g. `Transformer.generateSquareSubsequentMask(T)`. */
  tgtMask?: Var | null;
  /** Decoder attention over the memory [T, S]. */
  memoryMask?: Var | null;
  /** [batch, S], true = padding. */
  srcKeyPaddingMask?: Var | null;
  /** [batch, T], true = padding. */
  tgtKeyPaddingMask?: Var | null;
  /** [batch, S], true = padding. */
  memoryKeyPaddingMask?: Var | null;
  /** Hints that the matching mask is causal (the mask must be given). */
  srcIsCausal?: boolean;
  tgtIsCausal?: boolean;
  memoryIsCausal?: boolean;
}
const forwardKeys: OptionKeys<TransformerForwardOptions> = {
  srcMask: true,
  tgtMask: true,
  memoryMask: true,
  srcKeyPaddingMask: true,
  tgtKeyPaddingMask: true,
  memoryKeyPaddingMask: true,
  srcIsCausal: true,
  tgtIsCausal: true,
  memoryIsCausal: true,
};

function positiveInt(n: unknown, what: string): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new ArgumentError(`${what} must be a positive integer, got ${String(n)}`, 'Transformer');
  return n;
}

/**
 * The encoder-decoder Transformer of "Attention Is All You Need" with PyTorch's defaults (dModel 512,
 * 8 heads, 6 + 6 layers, feed-forward 2048, dropout 0.1, post-norm). `forward(src, tgt, options?)`
 * takes src [S, batch, dModel] and tgt [T, batch, dModel] ([batch, ·, dModel] with batchFirst, no
 * batch dim unbatched) and returns the decoder's output, shaped like tgt.
 */
export class Transformer extends Module<[Var, Var, TransformerForwardOptions?], Var> {
  readonly dModel: number;
  readonly nhead: number;
  readonly batchFirst: boolean;
  readonly encoder: TransformerEncoderLike;
  readonly decoder: TransformerDecoderLike;

  /** PyTorch's Transformer.generate_square_subsequent_mask: -inf above the diagonal, 0 elsewhere. */
  static generateSquareSubsequentMask(size: number): Var {
    return generateSquareSubsequentMask(size);
  }

  constructor(options: TransformerOptions = {}) {
    super();
    checkOptions(options, transformerKeys, 'Transformer');
    const { dModel = 512, nhead = 8, numEncoderLayers = 6, numDecoderLayers = 6, customEncoder, customDecoder, ...layerOptions } = options;
    this.dModel = positiveInt(dModel, 'dModel');
    this.nhead = positiveInt(nhead, 'nhead');
    this.batchFirst = layerOptions.batchFirst ?? false;
    const norm = () => new LayerNorm(dModel, { eps: layerOptions.layerNormEps ?? 1e-5, bias: layerOptions.bias ?? true });
    const encoder =
      customEncoder ?? new TransformerEncoder(new TransformerEncoderLayer(dModel, nhead, layerOptions), positiveInt(numEncoderLayers, 'numEncoderLayers'), { norm: norm() });
    const decoder =
      customDecoder ?? new TransformerDecoder(new TransformerDecoderLayer(dModel, nhead, layerOptions), positiveInt(numDecoderLayers, 'numDecoderLayers'), { norm: norm() });
    for (const [what, m] of [['customEncoder', encoder], ['customDecoder', decoder]] as const) {
      if (!(m instanceof Module)) throw new ArgumentError(`${what} must be a Module, got ${typeof m}`, 'Transformer');
    }
    this.encoder = this.registerModule('encoder', encoder as unknown as AnyModule) as unknown as TransformerEncoderLike;
    this.decoder = this.registerModule('decoder', decoder as unknown as AnyModule) as unknown as TransformerDecoderLike;
    this.resetParameters();
  }

  /** PyTorch's: xavier_uniform_ on every parameter with more than one dim, custom stacks included. */
  resetParameters(): void {
    for (const p of this.parameters()) if (p.ndim > 1) xavierUniform_(p);
  }

  forward(src: Var, tgt: Var, options: TransformerForwardOptions = {}): Var {
    checkOptions(options, forwardKeys, 'Transformer');
    const batched = src.ndim === 3;
    const batchDim = this.batchFirst ? 0 : 1;
    if (batched && (tgt.ndim !== 3 || src.shape[batchDim] !== tgt.shape[batchDim])) {
      throw new ShapeError(`the batch number of src and tgt must be equal, got src ${formatShape(src.shape)} and tgt ${formatShape(tgt.shape)} (batch dim ${batchDim})`, 'Transformer');
    }
    if (src.shape[src.ndim - 1] !== this.dModel || tgt.shape[tgt.ndim - 1] !== this.dModel) {
      throw new ShapeError(`the feature number of src and tgt must be equal to dModel ${this.dModel}, got src ${formatShape(src.shape)} and tgt ${formatShape(tgt.shape)}`, 'Transformer');
    }
    const memory = this.encoder.forward(src, { mask: options.srcMask, srcKeyPaddingMask: options.srcKeyPaddingMask, isCausal: options.srcIsCausal });
    return this.decoder.forward(tgt, memory, {
      tgtMask: options.tgtMask,
      memoryMask: options.memoryMask,
      tgtKeyPaddingMask: options.tgtKeyPaddingMask,
      memoryKeyPaddingMask: options.memoryKeyPaddingMask,
      tgtIsCausal: options.tgtIsCausal,
      memoryIsCausal: options.memoryIsCausal,
    });
  }
}
