// Every options object of @metaop/nn's public API refuses an unknown key with an ArgumentError naming
// the op and the accepted keys (PyTorch raises on an unexpected keyword argument).
import { beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError } from '@metaop/core';
import { randn, tensor } from '@metaop/ops';
import * as nn from '@metaop/nn';
import { useTestBackend } from './helpers.js';

beforeAll(useTestBackend);

const bogus = { bogusKey: true } as unknown as Record<string, never>;
const params = () => [nn.Parameter(randn([2]))];

const calls: [op: string, accepted: string[], call: () => unknown][] = [
  ['Linear', ['bias'], () => new nn.Linear(2, 3, bogus)],
  ['Conv2d', ['stride', 'padding', 'paddingMode'], () => new nn.Conv2d(2, 3, 3, bogus)],
  ['Conv1d', ['stride', 'paddingMode'], () => new nn.Conv1d(2, 3, 3, bogus)],
  ['ConvTranspose2d', ['outputPadding'], () => new nn.ConvTranspose2d(2, 3, 3, bogus)],
  ['BatchNorm1d', ['eps', 'momentum', 'affine', 'trackRunningStats'], () => new nn.BatchNorm1d(3, bogus)],
  ['BatchNorm2d', ['momentum'], () => new nn.BatchNorm2d(3, bogus)],
  ['LayerNorm', ['eps', 'elementwiseAffine', 'bias'], () => new nn.LayerNorm(3, bogus)],
  ['GroupNorm', ['eps', 'affine'], () => new nn.GroupNorm(1, 3, bogus)],
  ['Embedding', ['paddingIdx'], () => new nn.Embedding(4, 2, bogus)],
  ['MaxPool2d', ['stride', 'ceilMode'], () => new nn.MaxPool2d(2, bogus)],
  ['AvgPool2d', ['countIncludePad', 'divisorOverride'], () => new nn.AvgPool2d(2, bogus)],
  ['RNN', ['numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional', 'nonlinearity'], () => new nn.RNN(2, 3, bogus)],
  ['LSTM', ['numLayers', 'bidirectional'], () => new nn.LSTM(2, 3, bogus)],
  ['GRU', ['batchFirst', 'dropout'], () => new nn.GRU(2, 3, bogus)],
  ['MultiheadAttention', ['dropout', 'bias', 'batchFirst', 'kdim', 'vdim'], () => new nn.MultiheadAttention(4, 2, bogus)],
  ['MultiheadAttention', ['attnMask', 'keyPaddingMask', 'needWeights', 'averageAttnWeights', 'isCausal'], () => {
    const x = randn([3, 1, 4]);
    return new nn.MultiheadAttention(4, 2).forward(x, x, x, bogus);
  }],
  ['TransformerEncoderLayer', ['dimFeedforward', 'dropout', 'activation', 'layerNormEps', 'batchFirst', 'normFirst', 'bias'], () => new nn.TransformerEncoderLayer(4, 2, bogus)],
  ['TransformerEncoderLayer', ['srcMask', 'srcKeyPaddingMask', 'isCausal'], () => new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8 }).forward(randn([3, 1, 4]), bogus)],
  ['TransformerDecoderLayer', ['normFirst'], () => new nn.TransformerDecoderLayer(4, 2, bogus)],
  ['TransformerDecoderLayer', ['tgtMask', 'memoryMask', 'tgtKeyPaddingMask', 'memoryKeyPaddingMask', 'tgtIsCausal', 'memoryIsCausal'], () =>
    new nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 8 }).forward(randn([3, 1, 4]), randn([2, 1, 4]), bogus)],
  ['TransformerEncoder', ['norm', 'enableNestedTensor'], () => new nn.TransformerEncoder(new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8 }), 2, bogus)],
  ['TransformerEncoder', ['mask', 'srcKeyPaddingMask', 'isCausal'], () =>
    new nn.TransformerEncoder(new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8 }), 1).forward(randn([3, 1, 4]), bogus)],
  ['TransformerDecoder', ['norm'], () => new nn.TransformerDecoder(new nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 8 }), 2, bogus)],
  ['Upsample', ['size', 'scaleFactor', 'mode', 'alignCorners'], () => new nn.Upsample(bogus)],
  ['NLLLoss', ['weight', 'ignoreIndex', 'reduction'], () => new nn.NLLLoss(bogus)],
  ['CrossEntropyLoss', ['labelSmoothing'], () => new nn.CrossEntropyLoss(bogus)],
  ['MSELoss', ['reduction'], () => new nn.MSELoss(bogus)],
  ['BCELoss', ['weight', 'reduction'], () => new nn.BCELoss(bogus)],
  ['BCEWithLogitsLoss', ['posWeight'], () => new nn.BCEWithLogitsLoss(bogus)],
  ['SGD', ['lr', 'momentum', 'nesterov'], () => new nn.SGD(params(), { lr: 0.1, ...bogus })],
  ['Adam', ['betas', 'amsgrad'], () => new nn.Adam(params(), bogus)],
  ['AdamW', ['weightDecay'], () => new nn.AdamW(params(), bogus)],
  ['SGD parameter group', ['params', 'momentum', 'lr'], () => new nn.SGD([{ params: params(), ...bogus }], { lr: 0.1 })],
  ['SGD.step', ['maxGradNorm', 'normType'], () => new nn.SGD(params(), { lr: 0.1 }).step(randn([1]), bogus)],
  ['SGD.applyGradients', ['realizeWith'], () => new nn.SGD(params(), { lr: 0.1 }).applyGradients([null], bogus)],
  ['loadStateDict', ['strict'], () => new nn.Linear(2, 2).loadStateDict({}, bogus)],
  ['kaiming', ['a', 'mode', 'nonlinearity'], () => nn.init.kaimingUniform_(nn.Parameter(randn([2, 2])), bogus)],
  ['DataLoader', ['batchSize', 'shuffle', 'dropLast'], () => new nn.DataLoader({ length: 4, batch: () => 0 } as never, { batchSize: 2, ...bogus })],
  ['loadFashionMnist', ['split', 'dir', 'normalization'], () => nn.loadFashionMnist({ split: 'test', ...bogus })],
  ['saveCheckpoint', ['model', 'optimizer', 'step', 'metadata'], () => nn.saveCheckpoint('/nonexistent/x', { model: new nn.Linear(1, 1), ...bogus })],
  ['loadCheckpoint', ['model', 'strict'], () => nn.loadCheckpoint('/nonexistent/x', { model: new nn.Linear(1, 1), ...bogus })],
  ['loadSafetensorsSync', ['names'], () => nn.loadSafetensorsSync('/nonexistent/x', bogus)],
];

describe('unknown option keys in @metaop/nn', () => {
  it.each(calls)('%s', (op, accepted, call) => {
    expect(call).toThrow(ArgumentError);
    // The op first, then the key, then the accepted keys in declaration order.
    const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(call).toThrow(new RegExp(`^${escape(op)}: unknown option 'bogusKey'; accepted options: .*${accepted.join('.*')}`));
  });

  it('registerBuffer checks its options too', () => {
    class M extends nn.Module {
      b = this.registerBuffer('b', tensor([1]), bogus);
      forward(x: never) {
        return x;
      }
    }
    expect(() => new M()).toThrow(/registerBuffer: unknown option 'bogusKey'; accepted options: persistent/);
  });

  it('the async loadSafetensors rejects with the same error', async () => {
    await expect(nn.loadSafetensors('/nonexistent/x', bogus)).rejects.toThrow(/loadSafetensors: unknown option 'bogusKey'; accepted options: names/);
  });
});
