// TransformerEncoderLayer, TransformerDecoderLayer and the TransformerEncoder/TransformerDecoder stacks, as PyTorch's:
// the same submodule names (self_attn, multihead_attn, linear1, linear2, norm1..3), post-norm by
// default or pre-norm with normFirst, and a stack of copies of one layer (`layers.0.`, ...).
import { checkOptions, type OptionKeys, ArgumentError, type Var } from '@metaop/core';
import { add, full, gelu, relu, triu } from '@metaop/ops';
import { Module, type AnyModule } from '../module.js';
import { Dropout } from './activation.js';
import { ModuleList } from './container.js';
import { Linear } from './linear.js';
import { LayerNorm } from './norm.js';
import { MultiheadAttention } from './attention.js';

/**
 * PyTorch's Transformer.generate_square_subsequent_mask: a float [size, size] mask, -inf above the
 * diagonal and 0 elsewhere, for causal self-attention (pass it as srcMask/tgtMask with isCausal).
 */
export function generateSquareSubsequentMask(size: number): Var {
  if (!Number.isInteger(size) || size < 1) throw new ArgumentError(`size must be a positive integer, got ${size}`, 'generateSquareSubsequentMask');
  return triu(full([size, size], -Infinity), 1);
}

/** 'relu' (default), 'gelu', or any element-wise function or module. */
export type TransformerActivation = 'relu' | 'gelu' | ((x: Var) => Var) | Module;

export interface TransformerLayerOptions {
  /** Width of the feed-forward block (default 2048). */
  dimFeedforward?: number;
  /** Dropout probability everywhere in the layer (default 0.1). */
  dropout?: number;
  activation?: TransformerActivation;
  /** LayerNorm eps (default 1e-5). */
  layerNormEps?: number;
  /** Inputs as [batch, seq, feature] (default false). */
  batchFirst?: boolean;
  /** LayerNorm before each block instead of after the residual (default false). */
  normFirst?: boolean;
  /** Biases in the linear layers, attention and LayerNorms (default true). */
  bias?: boolean;
}
export const layerKeys: OptionKeys<TransformerLayerOptions> = {
  dimFeedforward: true,
  dropout: true,
  activation: true,
  layerNormEps: true,
  batchFirst: true,
  normFirst: true,
  bias: true,
};

function activationFn(a: TransformerActivation, op: string): (x: Var) => Var {
  if (a === 'relu') return relu;
  if (a === 'gelu') return (x) => gelu(x);
  if (a instanceof Module) return (x) => (a as Module).forward(x);
  if (typeof a === 'function') return a;
  throw new ArgumentError(`activation should be 'relu', 'gelu' or a function, not ${JSON.stringify(a)}`, op);
}

/**
 * What both layer kinds share: the configuration, self-attention, the feed-forward block, two norms
 * and dropouts. A decoder layer adds multihead_attn, norm3 and dropout3; submodules are registered
 * in PyTorch's order either way.
 */
abstract class TransformerLayerBase<In extends unknown[]> extends Module<In, Var> {
  readonly dModel: number;
  readonly nhead: number;
  readonly normFirst: boolean;
  readonly batchFirst: boolean;
  readonly options: Readonly<TransformerLayerOptions>;
  readonly selfAttn: MultiheadAttention;
  readonly linear1: Linear;
  readonly dropout: Dropout;
  readonly linear2: Linear;
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;
  readonly dropout1: Dropout;
  readonly dropout2: Dropout;
  protected readonly crossAttn: MultiheadAttention | null;
  protected readonly lastNorm: LayerNorm | null;
  protected readonly lastDropout: Dropout | null;
  protected readonly act: (x: Var) => Var;

  protected constructor(dModel: number, nhead: number, options: TransformerLayerOptions, op: string, decoder: boolean) {
    super();
    checkOptions(options, layerKeys, op);
    this.dModel = dModel;
    this.nhead = nhead;
    this.options = { ...options };
    this.normFirst = options.normFirst ?? false;
    this.batchFirst = options.batchFirst ?? false;
    this.act = activationFn(options.activation ?? 'relu', op);
    const bias = options.bias ?? true;
    const ff = options.dimFeedforward ?? 2048;
    const p = options.dropout ?? 0.1;
    const attention = () => new MultiheadAttention(dModel, nhead, { dropout: p, bias, batchFirst: this.batchFirst });
    const norm = () => new LayerNorm(dModel, { eps: options.layerNormEps ?? 1e-5, bias });
    this.selfAttn = this.registerModule('self_attn', attention());
    this.crossAttn = decoder ? this.registerModule('multihead_attn', attention()) : null;
    this.linear1 = this.registerModule('linear1', new Linear(dModel, ff, { bias }));
    this.dropout = this.registerModule('dropout', new Dropout(p));
    this.linear2 = this.registerModule('linear2', new Linear(ff, dModel, { bias }));
    this.norm1 = this.registerModule('norm1', norm());
    this.norm2 = this.registerModule('norm2', norm());
    this.lastNorm = decoder ? this.registerModule('norm3', norm()) : null;
    this.dropout1 = this.registerModule('dropout1', new Dropout(p));
    this.dropout2 = this.registerModule('dropout2', new Dropout(p));
    this.lastDropout = decoder ? this.registerModule('dropout3', new Dropout(p)) : null;
  }

  /** Self-attention of x (without weights), then its dropout. */
  protected selfAttentionBlock(x: Var, attnMask: Var | null | undefined, keyPaddingMask: Var | null | undefined, isCausal: boolean | undefined): Var {
    const [y] = this.selfAttn.forward(x, x, x, { attnMask, keyPaddingMask, needWeights: false, isCausal });
    return this.dropout1.forward(y);
  }

  /** linear2(dropout(activation(linear1(x)))), then the block's dropout. */
  protected feedForwardBlock(x: Var, after: Dropout): Var {
    return after.forward(this.linear2.forward(this.dropout.forward(this.act(this.linear1.forward(x)))));
  }

  /** A block applied with its residual connection: pre-norm x + f(norm(x)), or post-norm norm(x + f(x)). */
  protected residual(x: Var, norm: LayerNorm, f: (x: Var) => Var): Var {
    return this.normFirst ? add(x, f(norm.forward(x))) : norm.forward(add(x, f(x)));
  }
}

export interface TransformerEncoderLayerForwardOptions {
  /** Attention mask [S, S] or [batch·nhead, S, S] (bool: true = not allowed; float: added). */
  srcMask?: Var | null;
  /** [batch, S], true = padding. */
  srcKeyPaddingMask?: Var | null;
  /** A hint that srcMask is the causal mask (srcMask must be given). */
  isCausal?: boolean;
}
const encoderForwardKeys: OptionKeys<TransformerEncoderLayerForwardOptions> = { srcMask: true, srcKeyPaddingMask: true, isCausal: true };

/** Self-attention and a feed-forward block, each with dropout, a residual connection and LayerNorm. */
export class TransformerEncoderLayer extends TransformerLayerBase<[Var, TransformerEncoderLayerForwardOptions?]> {
  constructor(dModel: number, nhead: number, options: TransformerLayerOptions = {}) {
    super(dModel, nhead, options, 'TransformerEncoderLayer', false);
  }

  /** src [S, batch, dModel] ([batch, S, dModel] with batchFirst, [S, dModel] unbatched). */
  forward(src: Var, options: TransformerEncoderLayerForwardOptions = {}): Var {
    checkOptions(options, encoderForwardKeys, 'TransformerEncoderLayer');
    const x = this.residual(src, this.norm1, (y) => this.selfAttentionBlock(y, options.srcMask, options.srcKeyPaddingMask, options.isCausal));
    return this.residual(x, this.norm2, (y) => this.feedForwardBlock(y, this.dropout2));
  }
}

export interface TransformerDecoderLayerForwardOptions {
  tgtMask?: Var | null;
  memoryMask?: Var | null;
  tgtKeyPaddingMask?: Var | null;
  memoryKeyPaddingMask?: Var | null;
  /** A hint that tgtMask is the causal mask (tgtMask must be given). */
  tgtIsCausal?: boolean;
  /** A hint that memoryMask is the causal mask (memoryMask must be given). */
  memoryIsCausal?: boolean;
}
const decoderForwardKeys: OptionKeys<TransformerDecoderLayerForwardOptions> = {
  tgtMask: true,
  memoryMask: true,
  tgtKeyPaddingMask: true,
  memoryKeyPaddingMask: true,
  tgtIsCausal: true,
  memoryIsCausal: true,
};

/** Self-attention, attention over the encoder's memory and a feed-forward block. */
export class TransformerDecoderLayer extends TransformerLayerBase<[Var, Var, TransformerDecoderLayerForwardOptions?]> {
  constructor(dModel: number, nhead: number, options: TransformerLayerOptions = {}) {
    super(dModel, nhead, options, 'TransformerDecoderLayer', true);
  }

  /** Attention over the memory, registered as `multihead_attn`. */
  get multiheadAttn(): MultiheadAttention {
    return this.crossAttn as MultiheadAttention;
  }

  get norm3(): LayerNorm {
    return this.lastNorm as LayerNorm;
  }

  get dropout3(): Dropout {
    return this.lastDropout as Dropout;
  }

  /** tgt [T, batch, dModel], memory [S, batch, dModel] (batch first with batchFirst). */
  forward(tgt: Var, memory: Var, options: TransformerDecoderLayerForwardOptions = {}): Var {
    checkOptions(options, decoderForwardKeys, 'TransformerDecoderLayer');
    const mha = (x: Var) => {
      const opts = { attnMask: options.memoryMask, keyPaddingMask: options.memoryKeyPaddingMask, needWeights: false, isCausal: options.memoryIsCausal };
      return this.dropout2.forward(this.multiheadAttn.forward(x, memory, memory, opts)[0]);
    };
    let x = this.residual(tgt, this.norm1, (y) => this.selfAttentionBlock(y, options.tgtMask, options.tgtKeyPaddingMask, options.tgtIsCausal));
    x = this.residual(x, this.norm2, mha);
    return this.residual(x, this.norm3, (y) => this.feedForwardBlock(y, this.dropout3));
  }
}

export interface TransformerEncoderOptions {
  /** Applied to the last layer's output (e.g. a LayerNorm), registered as `norm`. */
  norm?: Module | null;
  /** PyTorch's fast-path switch for padded batches; accepted and ignored (there is no nested tensor). */
  enableNestedTensor?: boolean;
}
const encoderKeys: OptionKeys<TransformerEncoderOptions> = { norm: true, enableNestedTensor: true };

export interface TransformerDecoderOptions {
  /** Applied to the last layer's output (e.g. a LayerNorm), registered as `norm`. */
  norm?: Module | null;
}
const decoderKeys: OptionKeys<TransformerDecoderOptions> = { norm: true };

export interface TransformerEncoderForwardOptions {
  mask?: Var | null;
  srcKeyPaddingMask?: Var | null;
  /** A hint that mask is the causal mask (mask must be given). */
  isCausal?: boolean;
}
const stackForwardKeys: OptionKeys<TransformerEncoderForwardOptions> = { mask: true, srcKeyPaddingMask: true, isCausal: true };

type LayerClass<L> = new (dModel: number, nhead: number, options: TransformerLayerOptions) => L;

/** numLayers copies of `layer`: same configuration, mode and initial weights (PyTorch deep-copies it), storage apart. */
function copies<L extends TransformerLayerBase<never[]>>(layer: L, cls: LayerClass<L>, numLayers: number, op: string): ModuleList<L & AnyModule> {
  if (!(layer instanceof cls)) throw new ArgumentError(`the layer must be a ${cls.name}`, op);
  if (!Number.isInteger(numLayers) || numLayers < 1) throw new ArgumentError(`numLayers must be a positive integer, got ${numLayers}`, op);
  const state = layer.stateDict();
  const list = new ModuleList<L & AnyModule>();
  for (let i = 0; i < numLayers; i++) {
    const copy = new cls(layer.dModel, layer.nhead, layer.options);
    copy.loadStateDict(state, { strict: true });
    copy.train(layer.training);
    list.append(copy as L & AnyModule);
  }
  return list;
}

/**
 * numLayers copies of encoderLayer (same configuration and initial weights, as PyTorch's deepcopy),
 * registered as `layers.0`, `layers.1`, ..., then the optional `norm`.
 */
export class TransformerEncoder extends Module<[Var, TransformerEncoderForwardOptions?], Var> {
  readonly layers: ModuleList<TransformerEncoderLayer & AnyModule>;
  readonly norm: Module | null;
  readonly numLayers: number;

  constructor(encoderLayer: TransformerEncoderLayer, numLayers: number, options: TransformerEncoderOptions = {}) {
    super();
    checkOptions(options, encoderKeys, 'TransformerEncoder');
    this.layers = this.registerModule('layers', copies(encoderLayer, TransformerEncoderLayer, numLayers, 'TransformerEncoder'));
    this.numLayers = numLayers;
    this.norm = this.registerModule('norm', (options.norm ?? null) as AnyModule | null) as Module | null;
  }

  forward(src: Var, options: TransformerEncoderForwardOptions = {}): Var {
    checkOptions(options, stackForwardKeys, 'TransformerEncoder');
    let x = src;
    for (const layer of this.layers) x = layer.forward(x, { srcMask: options.mask, srcKeyPaddingMask: options.srcKeyPaddingMask, isCausal: options.isCausal });
    return this.norm ? this.norm.forward(x) : x;
  }
}

/** numLayers copies of decoderLayer, as TransformerEncoder; `forward(tgt, memory, options)` as the layer's. */
export class TransformerDecoder extends Module<[Var, Var, TransformerDecoderLayerForwardOptions?], Var> {
  readonly layers: ModuleList<TransformerDecoderLayer & AnyModule>;
  readonly norm: Module | null;
  readonly numLayers: number;

  constructor(decoderLayer: TransformerDecoderLayer, numLayers: number, options: TransformerDecoderOptions = {}) {
    super();
    checkOptions(options, decoderKeys, 'TransformerDecoder');
    this.layers = this.registerModule('layers', copies(decoderLayer, TransformerDecoderLayer, numLayers, 'TransformerDecoder'));
    this.numLayers = numLayers;
    this.norm = this.registerModule('norm', (options.norm ?? null) as AnyModule | null) as Module | null;
  }

  forward(tgt: Var, memory: Var, options: TransformerDecoderLayerForwardOptions = {}): Var {
    checkOptions(options, decoderForwardKeys, 'TransformerDecoder');
    let x = tgt;
    for (const layer of this.layers) x = layer.forward(x, memory, options);
    return this.norm ? this.norm.forward(x) : x;
  }
}
