// Where PyTorch's sequence layers raise, MetaOp's raise too: typed errors naming the layer, the
// shapes and what was expected. Also PyTorch's state-dict keys and parameter shapes.
import { beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, DTypeError, ShapeError } from '@metaop/core';
import { randn, tensor, zeros, type Var } from '@metaop/ops';
import * as nn from '@metaop/nn';
import { useTestBackend } from './helpers.js';

beforeAll(useTestBackend);

const shapes = (m: nn.AnyModule) => Object.fromEntries(Object.entries(m.stateDict()).map(([k, v]) => [k, [...v.shape]]));

describe('recurrent layers', () => {
  it('name their parameters as PyTorch, _reverse for the backward direction', () => {
    expect(shapes(new nn.LSTM(3, 5, { numLayers: 2, bidirectional: true }) as unknown as nn.AnyModule)).toEqual({
      weight_ih_l0: [20, 3], weight_hh_l0: [20, 5], bias_ih_l0: [20], bias_hh_l0: [20],
      weight_ih_l0_reverse: [20, 3], weight_hh_l0_reverse: [20, 5], bias_ih_l0_reverse: [20], bias_hh_l0_reverse: [20],
      weight_ih_l1: [20, 10], weight_hh_l1: [20, 5], bias_ih_l1: [20], bias_hh_l1: [20],
      weight_ih_l1_reverse: [20, 10], weight_hh_l1_reverse: [20, 5], bias_ih_l1_reverse: [20], bias_hh_l1_reverse: [20],
    });
    expect(Object.keys(new nn.GRU(2, 4, { bias: false }).stateDict())).toEqual(['weight_ih_l0', 'weight_hh_l0']);
    expect(shapes(new nn.GRU(2, 4) as unknown as nn.AnyModule).weight_ih_l0).toEqual([12, 2]);
  });

  it('initialise every weight in U(-1/sqrt(hidden), 1/sqrt(hidden))', () => {
    const m = new nn.LSTM(6, 16);
    for (const p of m.parameters()) {
      const v = Array.from(p.dataSync());
      expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(0.25);
      expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(0.2);
    }
  });

  it('reject a wrong input size, rank or state shape', () => {
    const lstm = new nn.LSTM(4, 3, { numLayers: 2 });
    expect(() => lstm.forward(randn([5, 2, 3]))).toThrow(ShapeError);
    expect(() => lstm.forward(randn([5, 2, 3]))).toThrow(/^LSTM: input.size\(-1\) must be equal to inputSize: expected 4, got \[5, 2, 3\]/);
    expect(() => lstm.forward(randn([5, 2, 1, 4]))).toThrow(/LSTM: expected input of 2 \(unbatched\) or 3 dimensions/);
    expect(() => lstm.forward(randn([5, 2, 4]), [zeros([1, 2, 3]), zeros([2, 2, 3])])).toThrow(/LSTM: expected hidden state h0 of shape \[2, 2, 3\], got \[1, 2, 3\]/);
    expect(() => new nn.GRU(4, 3).forward(randn([5, 2, 4]), zeros([1, 3, 3]))).toThrow(/GRU: expected hidden state of shape \[1, 2, 3\]/);
    expect(() => lstm.forward(randn([5, 2, 4]), zeros([2, 2, 3]) as never)).toThrow(ArgumentError);
  });

  it('reject bad sizes and options', () => {
    expect(() => new nn.RNN(0, 3)).toThrow(/RNN: inputSize must be a positive integer, got 0/);
    expect(() => new nn.LSTM(2, 3, { numLayers: 1.5 })).toThrow(/LSTM: numLayers must be a positive integer/);
    expect(() => new nn.GRU(2, 3, { dropout: 2 })).toThrow(/GRU: dropout should be a number in range \[0, 1\]/);
    expect(() => new nn.RNN(2, 3, { nonlinearity: 'gelu' as never })).toThrow(/RNN: unknown nonlinearity 'gelu'/);
  });

  it('LSTM projSize: weight_hr keys and shapes, projected h, and what PyTorch refuses', () => {
    const m = new nn.LSTM(3, 5, { projSize: 2, bidirectional: true });
    expect(shapes(m as unknown as nn.AnyModule)).toEqual({
      weight_ih_l0: [20, 3], weight_hh_l0: [20, 2], bias_ih_l0: [20], bias_hh_l0: [20], weight_hr_l0: [2, 5],
      weight_ih_l0_reverse: [20, 3], weight_hh_l0_reverse: [20, 2], bias_ih_l0_reverse: [20], bias_hh_l0_reverse: [20], weight_hr_l0_reverse: [2, 5],
    });
    const [out, [h, c]] = m.forward(randn([4, 3, 3]));
    expect([out.shape, h.shape, c.shape]).toEqual([[4, 3, 4], [2, 3, 2], [2, 3, 5]]);
    expect(() => m.forward(randn([4, 3, 3]), [zeros([2, 3, 5]), zeros([2, 3, 5])])).toThrow(/LSTM: expected hidden state h0 of shape \[2, 3, 2\], got \[2, 3, 5\]/);
    expect(() => m.forward(randn([4, 3, 3]), [zeros([2, 3, 2]), zeros([2, 3, 2])])).toThrow(/LSTM: expected cell state c0 of shape \[2, 3, 5\]/);
    expect(() => new nn.LSTM(3, 4, { projSize: 4 })).toThrow(/LSTM: projSize has to be smaller than hiddenSize/);
    expect(() => new nn.LSTM(3, 4, { projSize: -1 })).toThrow(/LSTM: projSize should be a positive integer or zero/);
    expect(() => new nn.GRU(3, 4, { projSize: 2 } as never)).toThrow(ArgumentError);
  });

  it('apply dropout between layers only in training mode', () => {
    const m = new nn.GRU(3, 4, { numLayers: 2, dropout: 0.5 });
    const x = randn([4, 2, 3]);
    m.eval();
    const a = Array.from(m.forward(x)[0].dataSync());
    const b = Array.from(m.forward(x)[0].dataSync());
    expect(a).toEqual(b);
    m.train();
    const c = Array.from(m.forward(x)[0].dataSync());
    expect(c).not.toEqual(a);
  });
});

describe('MultiheadAttention', () => {
  it('has PyTorch keys: packed in_proj, or q/k/v_proj_weight when kdim/vdim differ', () => {
    expect(shapes(new nn.MultiheadAttention(6, 2) as unknown as nn.AnyModule)).toEqual({
      in_proj_weight: [18, 6], in_proj_bias: [18], 'out_proj.weight': [6, 6], 'out_proj.bias': [6],
    });
    expect(shapes(new nn.MultiheadAttention(6, 3, { kdim: 2, vdim: 5, bias: false }) as unknown as nn.AnyModule)).toEqual({
      q_proj_weight: [6, 6], k_proj_weight: [6, 2], v_proj_weight: [6, 5], 'out_proj.weight': [6, 6],
    });
  });

  it('raises where PyTorch raises', () => {
    expect(() => new nn.MultiheadAttention(6, 4)).toThrow(/MultiheadAttention: embedDim 6 must be divisible by numHeads 4/);
    const m = new nn.MultiheadAttention(4, 2);
    const x = randn([3, 2, 4]);
    expect(() => m.forward(randn([3, 2, 5]), x, x)).toThrow(ShapeError);
    expect(() => m.forward(x, x, x, { attnMask: zeros([3, 4]) })).toThrow(/the shape of the 2-D attnMask is \[3, 4\], but should be \[3, 3\]/);
    expect(() => m.forward(x, x, x, { attnMask: zeros([2, 3, 3]) })).toThrow(/3-D attnMask is \[2, 3, 3\], but should be \[4, 3, 3\]/);
    expect(() => m.forward(x, x, x, { keyPaddingMask: zeros([3, 2], 'bool') })).toThrow(/expected keyPaddingMask of shape \[2, 3\]/);
    expect(() => m.forward(x, x, x, { attnMask: tensor([0, 1, 0, 1, 0, 1, 0, 1, 0], [3, 3], 'int32') })).toThrow(DTypeError);
    expect(() => m.forward(x, x, x, { isCausal: true })).toThrow(/MultiheadAttention: isCausal is a hint that attnMask is the causal mask and needs attnMask/);
    expect(() => m.forward(x, randn([3, 4]), x)).toThrow(/query, key and value must all be batched/);
  });

  it('returns null weights without needWeights, per-head weights without averaging', () => {
    const m = new nn.MultiheadAttention(4, 2);
    const x = randn([3, 2, 4]);
    expect(m.forward(x, x, x, { needWeights: false })[1]).toBeNull();
    expect([...(m.forward(x, x, x, { averageAttnWeights: false })[1] as Var).shape]).toEqual([2, 2, 3, 3]);
  });

  it('addBiasKv registers bias_k and bias_v [1, 1, E]; both options add a key position to the weights', () => {
    const m = new nn.MultiheadAttention(4, 2, { addBiasKv: true, addZeroAttn: true });
    expect(shapes(m as unknown as nn.AnyModule)).toEqual({
      in_proj_weight: [12, 4], in_proj_bias: [12], bias_k: [1, 1, 4], bias_v: [1, 1, 4], 'out_proj.weight': [4, 4], 'out_proj.bias': [4],
    });
    const x = randn([3, 2, 4]);
    const w = m.forward(x, x, x, { keyPaddingMask: zeros([2, 3], 'bool') })[1] as Var;
    expect([...w.shape]).toEqual([2, 3, 5]);
    // The zero key scores 0, so it keeps a share of every row; the rows still sum to 1.
    const v = Array.from(w.dataSync());
    for (let r = 0; r < 6; r++) expect(v.slice(r * 5, r * 5 + 5).reduce((a, b) => a + b)).toBeCloseTo(1, 6);
    expect(() => new nn.MultiheadAttention(4, 2, { addZeroAttn: 1 as never })).toThrow(/MultiheadAttention: addZeroAttn must be a boolean/);
  });
});

describe('Transformer layers', () => {
  it('name their submodules as PyTorch', () => {
    const enc = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8 }), 2, { norm: new nn.LayerNorm(4) });
    expect(Object.keys(enc.stateDict())).toEqual([
      ...[0, 1].flatMap((i) => ['self_attn.in_proj_weight', 'self_attn.in_proj_bias', 'self_attn.out_proj.weight', 'self_attn.out_proj.bias',
        'linear1.weight', 'linear1.bias', 'linear2.weight', 'linear2.bias', 'norm1.weight', 'norm1.bias', 'norm2.weight', 'norm2.bias'].map((k) => `layers.${i}.${k}`)),
      'norm.weight',
      'norm.bias',
    ]);
    const dec = new nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 8 });
    expect(Object.keys(dec.stateDict()).filter((k) => k.startsWith('multihead_attn') || k.startsWith('norm3'))).toEqual([
      'multihead_attn.in_proj_weight', 'multihead_attn.in_proj_bias', 'multihead_attn.out_proj.weight', 'multihead_attn.out_proj.bias', 'norm3.weight', 'norm3.bias',
    ]);
  });

  it('TransformerEncoder starts every layer from the same weights (PyTorch deep-copies the layer), stored apart', () => {
    const enc = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8 }), 2);
    const d = enc.stateDict();
    expect(Array.from(d['layers.0.linear1.weight'].dataSync())).toEqual(Array.from(d['layers.1.linear1.weight'].dataSync()));
    expect(d['layers.0.linear1.weight']).not.toBe(d['layers.1.linear1.weight']);
  });

  it('generateSquareSubsequentMask is -inf above the diagonal, 0 elsewhere, and equals the bool causal mask in a layer', () => {
    expect(Array.from(nn.generateSquareSubsequentMask(3).dataSync())).toEqual([0, -Infinity, -Infinity, 0, 0, -Infinity, 0, 0, 0]);
    const layer = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8, dropout: 0 });
    const x = randn([3, 2, 4]);
    const causal = tensor([0, 1, 1, 0, 0, 1, 0, 0, 0], [3, 3], 'bool');
    const a = Array.from(layer.forward(x, { srcMask: nn.generateSquareSubsequentMask(3), isCausal: true }).dataSync());
    const b = Array.from(layer.forward(x, { srcMask: causal }).dataSync());
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 6));
  });

  it('nn.Transformer: PyTorch keys, xavier_uniform_ weights, and the errors PyTorch raises', () => {
    const t = new nn.Transformer({ dModel: 4, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 1, dimFeedforward: 8, dropout: 0 });
    const keys = Object.keys(t.stateDict());
    expect(keys.filter((k) => k.startsWith('encoder.layers.'))).toHaveLength(24);
    expect(keys.filter((k) => k.startsWith('decoder.layers.0.'))).toHaveLength(18);
    expect(keys).toEqual(expect.arrayContaining(['encoder.norm.weight', 'encoder.norm.bias', 'decoder.norm.weight', 'decoder.norm.bias']));
    // xavier_uniform_ on every matrix: linear1.weight [8, 4] has bound sqrt(6 / 12); Linear's own init would give 1/sqrt(4) = 0.5.
    const w = Array.from(t.stateDict()['encoder.layers.1.linear1.weight'].dataSync());
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / 12));
    expect(Array.from(t.stateDict()['decoder.norm.weight'].dataSync())).toEqual([1, 1, 1, 1]);
    const src = randn([5, 2, 4]);
    expect([...t.forward(src, randn([3, 2, 4]), { tgtMask: nn.Transformer.generateSquareSubsequentMask(3) }).shape]).toEqual([3, 2, 4]);
    expect(() => t.forward(src, randn([3, 1, 4]))).toThrow(/Transformer: the batch number of src and tgt must be equal/);
    expect(() => t.forward(src, randn([3, 2, 5]))).toThrow(/Transformer: the feature number of src and tgt must be equal to dModel 4/);
    expect(() => new nn.Transformer({ dModel: 4, nhead: 2, numEncoderLayers: 0 })).toThrow(/Transformer: numEncoderLayers must be a positive integer/);
    expect(() => new nn.Transformer({ dmodel: 4 } as never)).toThrow(ArgumentError);
  });

  it('rejects an unknown activation', () => {
    expect(() => new nn.TransformerEncoderLayer(4, 2, { activation: 'tanh' as never })).toThrow(/TransformerEncoderLayer: activation should be 'relu', 'gelu' or a function/);
  });
});
