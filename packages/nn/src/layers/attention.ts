// MultiheadAttention, as torch.nn.MultiheadAttention: the same parameter names (a packed
// in_proj_weight, or q/k/v_proj_weight when kdim/vdim differ from embedDim), initialisation, mask
// semantics (bool masks mark positions that may NOT be attended; float masks are added to the scores)
// and returned attention weights (after dropout, averaged over heads by default).
import { checkOptions, type OptionKeys, ArgumentError, DTypeError, formatShape, isFloat, ShapeError, type Var } from '@metaop/core';
import { add, broadcast, concat, dropout, matmul, mean, mul, pad, permute, reshape, scaledDotProductAttention, softmax, split, squeeze, transpose, unsqueeze, where, zeros } from '@metaop/ops';
import { xavierNormal_, xavierUniform_, zeros_ } from '../init.js';
import { newParameter } from '../parameter.js';
import { Module } from '../module.js';
import { Linear } from './linear.js';

export interface MultiheadAttentionOptions {
  /** Dropout probability on the attention weights, in training mode (default 0). */
  dropout?: number;
  /** Biases on the input and output projections (default true). */
  bias?: boolean;
  /** Inputs and output as [batch, seq, feature] (default false: [seq, batch, feature]). */
  batchFirst?: boolean;
  /** Feature size of key (default embedDim). */
  kdim?: number;
  /** Feature size of value (default embedDim). */
  vdim?: number;
  /** Learned bias_k and bias_v [1, 1, embedDim], appended to the keys and values as one more position (default false). */
  addBiasKv?: boolean;
  /** Append a zero key and value position to every head after the projections (default false). */
  addZeroAttn?: boolean;
}
const mhaKeys: OptionKeys<MultiheadAttentionOptions> = { dropout: true, bias: true, batchFirst: true, kdim: true, vdim: true, addBiasKv: true, addZeroAttn: true };

export interface MultiheadAttentionForwardOptions {
  /** [L, S] or [batch·numHeads, L, S]; bool (true = not allowed) or float (added to the scores). */
  attnMask?: Var | null;
  /** [batch, S] ([S] unbatched); bool (true = padding, ignored) or float (added). */
  keyPaddingMask?: Var | null;
  /** Return the attention weights (default true); the second result is null otherwise. */
  needWeights?: boolean;
  /** Average the returned weights over heads (default true): [batch, L, S], else [batch, heads, L, S]. */
  averageAttnWeights?: boolean;
  /** A hint that attnMask is the causal mask (PyTorch's is_causal); attnMask must be given. */
  isCausal?: boolean;
}
const forwardKeys: OptionKeys<MultiheadAttentionForwardOptions> = {
  attnMask: true,
  keyPaddingMask: true,
  needWeights: true,
  averageAttnWeights: true,
  isCausal: true,
};

function positiveInt(n: unknown, what: string, op: string): void {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new ArgumentError(`${what} must be a positive integer, got ${String(n)}`, op);
}

/** A bool mask as an additive float mask (-inf where true); a float mask as it is. */
function additive(mask: Var, what: string, op: string): Var {
  if (mask.dtype === 'bool') return where(mask, -Infinity, 0);
  if (isFloat(mask.dtype)) return mask;
  throw new DTypeError(`only bool and floating types of ${what} are supported, got ${mask.describe()}`, op);
}

/**
 * Multi-head attention: `forward(query, key, value, options?)` with query [L, batch, embedDim],
 * key [S, batch, kdim], value [S, batch, vdim] ([batch, seq, ·] with batchFirst, [seq, ·] unbatched)
 * returns [output (like query), weights or null].
 */
export class MultiheadAttention extends Module<[Var, Var, Var, MultiheadAttentionForwardOptions?], [Var, Var | null]> {
  readonly embedDim: number;
  readonly numHeads: number;
  readonly headDim: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly inProjWeight: Var | null;
  readonly qProjWeight: Var | null;
  readonly kProjWeight: Var | null;
  readonly vProjWeight: Var | null;
  readonly inProjBias: Var | null;
  readonly outProj: Linear;
  readonly biasK: Var | null;
  readonly biasV: Var | null;
  readonly addZeroAttn: boolean;

  constructor(embedDim: number, numHeads: number, options: MultiheadAttentionOptions = {}) {
    super();
    const op = 'MultiheadAttention';
    checkOptions(options, mhaKeys, op);
    positiveInt(embedDim, 'embedDim', op);
    positiveInt(numHeads, 'numHeads', op);
    if (embedDim % numHeads !== 0) throw new ArgumentError(`embedDim ${embedDim} must be divisible by numHeads ${numHeads}`, op);
    const p = options.dropout ?? 0;
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ArgumentError(`dropout probability ${String(p)} must be in [0, 1]`, op);
    this.embedDim = embedDim;
    this.numHeads = numHeads;
    this.headDim = embedDim / numHeads;
    this.kdim = options.kdim ?? embedDim;
    this.vdim = options.vdim ?? embedDim;
    positiveInt(this.kdim, 'kdim', op);
    positiveInt(this.vdim, 'vdim', op);
    this.dropout = p;
    this.batchFirst = options.batchFirst ?? false;
    const bias = options.bias ?? true;
    const packed = this.kdim === embedDim && this.vdim === embedDim;
    this.inProjWeight = this.registerParameter('in_proj_weight', packed ? newParameter([3 * embedDim, embedDim]) : null);
    this.qProjWeight = this.registerParameter('q_proj_weight', packed ? null : newParameter([embedDim, embedDim]));
    this.kProjWeight = this.registerParameter('k_proj_weight', packed ? null : newParameter([embedDim, this.kdim]));
    this.vProjWeight = this.registerParameter('v_proj_weight', packed ? null : newParameter([embedDim, this.vdim]));
    this.inProjBias = this.registerParameter('in_proj_bias', bias ? newParameter([3 * embedDim]) : null);
    this.outProj = this.registerModule('out_proj', new Linear(embedDim, embedDim, { bias }));
    for (const [key, flag] of [['addBiasKv', options.addBiasKv], ['addZeroAttn', options.addZeroAttn]] as const) {
      if (flag !== undefined && typeof flag !== 'boolean') throw new ArgumentError(`${key} must be a boolean, got ${String(flag)}`, op);
    }
    const biasKv = options.addBiasKv ?? false;
    this.biasK = this.registerParameter('bias_k', biasKv ? newParameter([1, 1, embedDim]) : null);
    this.biasV = this.registerParameter('bias_v', biasKv ? newParameter([1, 1, embedDim]) : null);
    this.addZeroAttn = options.addZeroAttn ?? false;
    this.resetParameters();
  }

  /** PyTorch's: xavier_uniform_ input projections, zero input and output biases (out_proj.weight as Linear's), xavier_normal_ bias_k and bias_v. */
  resetParameters(): void {
    for (const w of [this.inProjWeight, this.qProjWeight, this.kProjWeight, this.vProjWeight]) if (w) xavierUniform_(w);
    if (this.inProjBias) zeros_(this.inProjBias);
    if (this.outProj.bias) zeros_(this.outProj.bias);
    for (const b of [this.biasK, this.biasV]) if (b) xavierNormal_(b);
  }

  #project(x: Var, which: 0 | 1 | 2): Var {
    const E = this.embedDim;
    let w: Var;
    if (this.inProjWeight) w = split(this.inProjWeight, E, 0)[which];
    else w = [this.qProjWeight, this.kProjWeight, this.vProjWeight][which] as Var;
    const y = matmul(x, transpose(w));
    return this.inProjBias ? add(y, split(this.inProjBias, E, 0)[which]) : y;
  }

  forward(query: Var, key: Var, value: Var, options: MultiheadAttentionForwardOptions = {}): [Var, Var | null] {
    const op = 'MultiheadAttention';
    checkOptions(options, forwardKeys, op);
    const needWeights = options.needWeights ?? true;
    const average = options.averageAttnWeights ?? true;
    if (options.isCausal && !options.attnMask) {
      throw new ArgumentError('isCausal is a hint that attnMask is the causal mask and needs attnMask; pass triu(ones([L, L], "bool"), 1) as attnMask', op);
    }
    const unbatched = query.ndim === 2;
    if (query.ndim !== 2 && query.ndim !== 3) throw new ShapeError(`expected query of 2 (unbatched) or 3 dimensions, got ${formatShape(query.shape)}`, op);
    if (key.ndim !== query.ndim || value.ndim !== query.ndim) {
      throw new ShapeError(`query, key and value must all be ${unbatched ? 'unbatched (2-D)' : 'batched (3-D)'}, got query ${formatShape(query.shape)}, key ${formatShape(key.shape)}, value ${formatShape(value.shape)}`, op);
    }
    // To [seq, batch, feature].
    const seqFirst = (x: Var) => (unbatched ? unsqueeze(x, 1) : this.batchFirst ? transpose(x, 0, 1) : x);
    const q0 = seqFirst(query);
    const k0 = seqFirst(key);
    const v0 = seqFirst(value);
    const [L, B, E] = q0.shape;
    const S = k0.shape[0];
    if (E !== this.embedDim) throw new ShapeError(`was expecting embedding dimension of ${this.embedDim}, but got query ${formatShape(query.shape)}`, op);
    if (k0.shape[2] !== this.kdim || v0.shape[2] !== this.vdim) {
      throw new ShapeError(`expected key [..., ${this.kdim}] and value [..., ${this.vdim}], got key ${formatShape(key.shape)} and value ${formatShape(value.shape)}`, op);
    }
    if (k0.shape[0] !== v0.shape[0] || k0.shape[1] !== v0.shape[1] || k0.shape[1] !== B) {
      throw new ShapeError(`key ${formatShape(key.shape)} and value ${formatShape(value.shape)} must match query ${formatShape(query.shape)} in batch and each other in sequence length`, op);
    }
    const H = this.numHeads;
    const hd = this.headDim;
    // [seq, B, E] -> [B, H, seq, hd]
    const heads = (x: Var, n: number) => permute(reshape(x, [n, B, H, hd]), [1, 2, 0, 3]);
    const q = heads(this.#project(q0, 0), L);
    let kp = this.#project(k0, 1);
    let vp = this.#project(v0, 2);
    // Positions appended after the masks' checks, each one attended (the masks get a 0 column).
    let extra = 0;
    if (this.biasK && this.biasV) {
      kp = concat([kp, broadcast(this.biasK, [1, B, E])], 0);
      vp = concat([vp, broadcast(this.biasV, [1, B, E])], 0);
      extra++;
    }
    let k = heads(kp, S + extra);
    let v = heads(vp, S + extra);
    if (this.addZeroAttn) {
      k = concat([k, zeros([B, H, 1, hd])], 2);
      v = concat([v, zeros([B, H, 1, hd])], 2);
      extra++;
    }
    // Both masks merged into one additive float mask, as PyTorch merges them.
    let merged: Var | null = null;
    if (options.attnMask) {
      const m = options.attnMask;
      let mask: Var;
      if (m.ndim === 2) {
        if (m.shape[0] !== L || m.shape[1] !== S) throw new ShapeError(`the shape of the 2-D attnMask is ${formatShape(m.shape)}, but should be [${L}, ${S}]`, op);
        mask = m;
      } else if (m.ndim === 3) {
        if (m.shape[0] !== B * H || m.shape[1] !== L || m.shape[2] !== S) {
          throw new ShapeError(`the shape of the 3-D attnMask is ${formatShape(m.shape)}, but should be [${B * H}, ${L}, ${S}] (batch·numHeads, L, S)`, op);
        }
        mask = reshape(m, [B, H, L, S]);
      } else {
        throw new ShapeError(`attnMask must be 2-D or 3-D, got ${formatShape(m.shape)}`, op);
      }
      merged = additive(mask, 'attnMask', op);
    }
    if (options.keyPaddingMask) {
      const m = options.keyPaddingMask;
      const want = unbatched ? [S] : [B, S];
      if (m.ndim !== want.length || m.shape.some((d, i) => d !== want[i])) {
        throw new ShapeError(`expected keyPaddingMask of shape ${formatShape(want)}, got ${formatShape(m.shape)}`, op);
      }
      const pad = reshape(additive(m, 'keyPaddingMask', op), [B, 1, 1, S]);
      merged = merged ? add(merged, pad) : pad;
    }
    if (merged && extra > 0) merged = pad(merged, [0, extra]);
    const p = this.training ? this.dropout : 0;
    let attn: Var | null = null;
    let attended: Var;
    if (needWeights) {
      let scores = matmul(mul(q, 1 / Math.sqrt(hd)), transpose(k));
      if (merged) scores = add(scores, merged);
      attn = softmax(scores, -1);
      if (p > 0) attn = dropout(attn, p, { training: true });
      attended = matmul(attn, v);
    } else {
      // Without weights the fused attention op does the work (PyTorch's path too).
      attended = scaledDotProductAttention(q, k, v, { attnMask: merged ?? undefined, dropoutP: p });
    }
    // [B, H, L, hd] -> [L, B, E]
    const ctx = reshape(permute(attended, [2, 0, 1, 3]), [L, B, E]);
    let out = this.outProj.forward(ctx);
    out = unbatched ? squeeze(out, 1) : this.batchFirst ? transpose(out, 0, 1) : out;
    if (!attn) return [out, null];
    let weights = average ? mean(attn, 1) : attn;
    if (unbatched) weights = squeeze(weights, 0);
    return [out, weights];
  }
}
