// Option objects: an unknown key is an ArgumentError naming the op, the key and the accepted keys
// (PyTorch raises on an unexpected keyword), never silently ignored; maxPool2d's returnIndices.
import { beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, checkOptions } from '@metaop/core';
import * as M from '@metaop/ops';

beforeAll(() => {
  M.setBackend('reference');
});

const x4 = () => M.randn([1, 2, 5, 5], { seed: 1 });
const w4 = () => M.randn([3, 2, 3, 3], { seed: 2 });
const logits = () => M.randn([3, 4], { seed: 3 });
const target = () => M.tensor([0, 3, 1], [3], 'int32');
const bogus = { bogusKey: 1 } as unknown as Record<string, never>;

/** Every public op of @metaop/ops that takes an options object, called with one bogus key. */
const calls: [op: string, accepted: string[], call: () => unknown][] = [
  ['conv2d', ['stride', 'padding', 'dilation', 'groups', 'bias'], () => M.conv2d(x4(), w4(), bogus)],
  ['conv1d', ['stride', 'padding', 'dilation', 'groups', 'bias'], () => M.conv1d(M.randn([1, 2, 5]), M.randn([3, 2, 3]), bogus)],
  ['convTranspose2d', ['outputPadding'], () => M.convTranspose2d(x4(), M.randn([2, 3, 3, 3]), bogus)],
  ['maxPool2d', ['stride', 'padding', 'dilation', 'ceilMode', 'returnIndices'], () => M.maxPool2d(x4(), 2, bogus)],
  ['avgPool2d', ['countIncludePad', 'divisorOverride'], () => M.avgPool2d(x4(), 2, bogus)],
  ['dropout', ['training', 'seed'], () => M.dropout(x4(), 0.5, bogus)],
  ['nllLoss', ['reduction', 'weight', 'ignoreIndex'], () => M.nllLoss(M.logSoftmax(logits(), 1), target(), bogus)],
  ['crossEntropy', ['labelSmoothing'], () => M.crossEntropy(logits(), target(), bogus)],
  ['binaryCrossEntropyWithLogits', ['posWeight'], () => M.binaryCrossEntropyWithLogits(logits(), M.rand([3, 4]), bogus)],
  ['var', ['correction', 'keepdim'], () => M.variance(logits(), 1, bogus)],
  ['var', ['correction', 'keepdim'], () => M.std(logits(), 1, bogus)],
  ['var', ['correction', 'keepdim'], () => logits().var(1, bogus)],
  ['rand', ['dtype', 'seed'], () => M.rand([2], bogus)],
  ['randn', ['dtype', 'seed'], () => M.randn([2], bogus)],
  ['scaledDotProductAttention', ['attnMask', 'dropoutP', 'isCausal', 'scale', 'seed'], () => M.scaledDotProductAttention(logits(), logits(), logits(), bogus)],
  ['sort', ['descending', 'stable'], () => M.sort(logits(), -1, bogus)],
  ['argsort', ['descending', 'stable'], () => M.argsort(logits(), -1, bogus)],
  ['topk', ['largest', 'sorted'], () => M.topk(logits(), 2, -1, bogus)],
  ['batchNorm', ['weight', 'bias', 'training', 'eps'], () => M.batchNorm(logits(), null, null, bogus)],
  ['binaryCrossEntropy', ['reduction', 'weight'], () => M.binaryCrossEntropy(M.rand([3, 4]), M.rand([3, 4]), bogus)],
  ['interpolate', ['size', 'scaleFactor', 'mode', 'alignCorners'], () => M.interpolate(x4(), bogus)],
  ['multinomial', ['replacement', 'seed'], () => M.multinomial(M.rand([4]), 2, bogus)],
  ['random', ['dist', 'seed', 'offset'], () => M.random([2], { seed: 1, offset: 0, ...bogus })],
];

describe('unknown option keys', () => {
  it.each(calls)('%s names the unknown key and the accepted ones', (op, accepted, call) => {
    let err: unknown;
    try {
      call();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ArgumentError);
    const e = err as ArgumentError;
    expect(e.op).toBe(op);
    expect(e.message).toContain("unknown option 'bogusKey'");
    for (const k of accepted) expect(e.message).toContain(k);
  });

  it('the issue case: maxPool2d with a misspelt returnIndices raises instead of returning one tensor', () => {
    expect(() => M.maxPool2d(x4(), 2, { returnIndex: true } as never)).toThrow(
      /maxPool2d: unknown option 'returnIndex'; accepted options: stride, padding, dilation, ceilMode, returnIndices/,
    );
  });

  it('options that are not an object are refused too (a positional stride, as in PyTorch, is a common slip)', () => {
    expect(() => M.maxPool2d(x4(), 2, 2 as never)).toThrow(/maxPool2d: options must be an object like \{ stride, .* got number 2/);
    expect(() => checkOptions<{ a?: number }>(null as never, { a: true }, 'op')).toThrow(/got null/);
  });

  it('known keys, undefined values and a missing options object all pass', () => {
    expect(() => M.conv2d(x4(), w4(), { stride: undefined, padding: 1 })).not.toThrow();
    expect(checkOptions(undefined, { a: true }, 'op')).toEqual({});
  });
});

describe('maxPool2d returnIndices', () => {
  it('gives int32 indices into the flattened H*W plane of each channel, and values as without it', () => {
    const x = M.tensor([1, 5, 2, 0, 4, 3, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 2, 7, 2, 7, 1, 1, 1, 1, 0, 0, 3, 0, 9, 9, 9, 9], [2, 1, 4, 4]);
    const [values, indices] = M.maxPool2d(x, 2, { returnIndices: true });
    expect(indices.dtype).toBe('int32');
    expect(indices.shape).toEqual([2, 1, 2, 2]);
    expect(values.arraySync()).toEqual(M.maxPool2d(x, 2).arraySync());
    // torch.nn.functional.max_pool2d(x, 2, return_indices=True)[1] for this x: first maximum wins.
    expect(Array.from(indices.dataSync())).toEqual([1, 6, 8, 10, 1, 3, 12, 14]);
    // Every index reads its value back from the input plane.
    const flat = M.reshape(x, [2, 1, 16]);
    expect(M.gather(flat, 2, M.reshape(indices, [2, 1, 4])).dataSync()).toEqual(M.reshape(values, [2, 1, 4]).dataSync());
  });

  it('the values keep their gradient (the indices are integers, outside the graph)', () => {
    const x = M.randn([1, 1, 4, 4], { seed: 9 });
    const [values] = M.maxPool2d(x, 2, { returnIndices: true });
    const [g] = M.grad(M.sum(values), [x]);
    expect(Array.from(g.dataSync()).sort()).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
  });
});
