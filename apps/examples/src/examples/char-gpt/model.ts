// The network of char-gpt: a small GPT (token and position embeddings, pre-norm Transformer blocks
// with causal self-attention and a GELU MLP, a final LayerNorm and a linear head), with GPT-2's
// initialisation: N(0, 0.02) weights, zero biases, residual projections scaled by 1/sqrt(2 layers).
import * as M from '@metaop/ops';
import * as nn from '@metaop/nn';
import type { Var } from '@metaop/ops';

export interface GptConfig {
  vocabSize: number;
  blockSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  dropout: number;
}

class CausalSelfAttention extends nn.Module {
  readonly qkv: nn.Linear;
  readonly proj: nn.Linear;
  readonly drop: nn.Dropout;

  constructor(readonly config: GptConfig) {
    super();
    this.qkv = this.registerModule('qkv', new nn.Linear(config.nEmbd, 3 * config.nEmbd));
    this.proj = this.registerModule('proj', new nn.Linear(config.nEmbd, config.nEmbd));
    this.drop = this.registerModule('drop', new nn.Dropout(config.dropout));
  }

  forward(x: Var): Var {
    const [B, T, C] = x.shape;
    const h = this.config.nHead;
    // [B, T, 3C] -> three [B, h, T, C/h]
    const heads = M.split(this.qkv.forward(x), C, 2).map((t) => M.transpose(M.reshape(t, [B, T, h, C / h]), 1, 2));
    const y = M.scaledDotProductAttention(heads[0], heads[1], heads[2], { isCausal: true, dropoutP: this.training ? this.config.dropout : 0 });
    return this.drop.forward(this.proj.forward(M.reshape(M.transpose(y, 1, 2), [B, T, C])));
  }
}

class Block extends nn.Module {
  readonly ln1: nn.LayerNorm;
  readonly attn: CausalSelfAttention;
  readonly ln2: nn.LayerNorm;
  readonly fc: nn.Linear;
  readonly act: nn.GELU;
  readonly proj: nn.Linear;
  readonly drop: nn.Dropout;

  constructor(config: GptConfig) {
    super();
    this.ln1 = this.registerModule('ln1', new nn.LayerNorm([config.nEmbd]));
    this.attn = this.registerModule('attn', new CausalSelfAttention(config));
    this.ln2 = this.registerModule('ln2', new nn.LayerNorm([config.nEmbd]));
    this.fc = this.registerModule('fc', new nn.Linear(config.nEmbd, 4 * config.nEmbd));
    this.act = this.registerModule('act', new nn.GELU());
    this.proj = this.registerModule('proj', new nn.Linear(4 * config.nEmbd, config.nEmbd));
    this.drop = this.registerModule('drop', new nn.Dropout(config.dropout));
  }

  forward(x: Var): Var {
    const a = M.add(x, this.attn.forward(this.ln1.forward(x)));
    return M.add(a, this.drop.forward(this.proj.forward(this.act.forward(this.fc.forward(this.ln2.forward(a))))));
  }
}

export class Gpt extends nn.Module {
  readonly tokens: nn.Embedding;
  readonly positions: nn.Embedding;
  readonly drop: nn.Dropout;
  readonly blocks: nn.ModuleList<Block>;
  readonly lnF: nn.LayerNorm;
  readonly head: nn.Linear;

  constructor(readonly config: GptConfig) {
    super();
    const { vocabSize, blockSize, nLayer, nEmbd } = config;
    this.tokens = this.registerModule('tokens', new nn.Embedding(vocabSize, nEmbd));
    this.positions = this.registerModule('positions', new nn.Embedding(blockSize, nEmbd));
    this.drop = this.registerModule('drop', new nn.Dropout(config.dropout));
    this.blocks = this.registerModule('blocks', new nn.ModuleList(Array.from({ length: nLayer }, () => new Block(config))));
    this.lnF = this.registerModule('lnF', new nn.LayerNorm([nEmbd]));
    this.head = this.registerModule('head', new nn.Linear(nEmbd, vocabSize, { bias: false }));
    for (const [name, p] of this.namedParameters()) {
      if (name.endsWith('.bias')) nn.init.zeros_(p);
      else if (p.ndim === 2) nn.init.normal_(p, 0, name.endsWith('proj.weight') ? 0.02 / Math.sqrt(2 * nLayer) : 0.02);
    }
  }

  /** ids int32 [B, T] (T ≤ blockSize) -> logits [B, T, vocabSize]. */
  forward(ids: Var): Var {
    const T = ids.shape[1];
    if (T > this.config.blockSize) throw new Error(`Gpt: a sequence of ${T} is longer than the block size ${this.config.blockSize}`);
    let x = this.drop.forward(M.add(this.tokens.forward(ids), this.positions.forward(M.arange(0, T, 1, 'int32'))));
    for (const block of this.blocks) x = block.forward(x);
    return this.head.forward(this.lnF.forward(x));
  }

  /** Mean next-character cross-entropy of a batch. */
  loss(x: Var, y: Var): Var {
    const logits = this.forward(x);
    const [B, T, V] = logits.shape;
    return M.crossEntropy(M.reshape(logits, [B * T, V]), M.reshape(y, [B * T]));
  }

  /** AdamW's two groups, as GPT-2 and nanoGPT make them: matrices decay, biases and LayerNorm scales do not. */
  parameterGroups(weightDecay: number): { params: Var[]; weightDecay: number }[] {
    const decay: Var[] = [];
    const rest: Var[] = [];
    for (const p of this.parameters()) (p.ndim >= 2 ? decay : rest).push(p);
    return [
      { params: decay, weightDecay },
      { params: rest, weightDecay: 0 },
    ];
  }
}
