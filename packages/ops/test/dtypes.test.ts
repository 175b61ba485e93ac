// dtype rules against PyTorch 1.13: element-wise ops promote (torch.result_type), matmul and the
// softmax family raise a DTypeError naming the dtypes where PyTorch raises, instead of computing.
import { beforeAll, describe, expect, it } from 'vitest';
import { DTypeError, type DType } from '@metaop/core';
import * as M from '@metaop/ops';

beforeAll(() => {
  M.setBackend('reference');
});

const dtypes: DType[] = ['float32', 'float64', 'int32', 'uint8', 'bool'];
// torch.result_type(ones(1, dtype=a), ones(1, dtype=b)), rows a, columns b, in the order above.
const torchResultType: DType[][] = [
  ['float32', 'float64', 'float32', 'float32', 'float32'],
  ['float64', 'float64', 'float64', 'float64', 'float64'],
  ['float32', 'float64', 'int32', 'int32', 'int32'],
  ['float32', 'float64', 'int32', 'uint8', 'uint8'],
  ['float32', 'float64', 'int32', 'uint8', 'bool'],
];
const ones = (dtype: DType, shape = [2, 2]) => M.full(shape, 1, dtype);

describe('element-wise type promotion follows torch.result_type', () => {
  // bool + bool is logical or in torch; MetaOp's add refuses it (use logicalOr), checked below.
  const pairs = dtypes.flatMap((a, i) => dtypes.map((b, j) => [a, b, torchResultType[i][j]] as const)).filter(([a, b]) => a !== 'bool' || b !== 'bool');
  it.each(pairs)('%s + %s -> %s', (a, b, want) => {
    const y = M.add(ones(a), ones(b));
    expect(y.dtype).toBe(want);
    expect(Array.from(y.dataSync())).toEqual([2, 2, 2, 2]);
  });

  it('bool + bool raises naming the dtype (a known difference: torch computes logical or)', () => {
    expect(() => M.add(ones('bool'), ones('bool'))).toThrow(/needs numeric operands, got bool\[2, 2\]/);
  });

  it('float32 + int32 computes in float32, as in the issue', () => {
    const y = M.add(M.tensor([0.5, 1.5]), M.tensor([1, 2], [2], 'int32'));
    expect(y.dtype).toBe('float32');
    expect(Array.from(y.dataSync())).toEqual([1.5, 3.5]);
  });
});

describe('where PyTorch raises, MetaOp raises a DTypeError naming the dtypes', () => {
  it('matmul of different dtypes (torch: "expected scalar type Float but found Int")', () => {
    const a = M.randn([2, 3]);
    expect(() => M.matmul(a, ones('int32', [3, 2]))).toThrow(DTypeError);
    expect(() => M.matmul(a, ones('int32', [3, 2]))).toThrow(/^matmul: expected both operands to have the same dtype, got float32\[2, 3\] @ int32\[3, 2\]/);
    expect(() => a.matmul(ones('float64', [3, 2]))).toThrow(/float32\[2, 3\] @ float64\[3, 2\]/);
    expect(() => M.matmul(ones('int32', [3]), a.cast('float64').reshape([3, 2]))).toThrow(DTypeError);
  });

  it('matmul of two int32 matrices is exact, as in torch', () => {
    const a = M.tensor([1, 2, 3, 4, 5, 6], [2, 3], 'int32');
    const b = M.tensor([7, 8, 9, 10, 11, 12], [3, 2], 'int32');
    const y = M.matmul(a, b);
    expect(y.dtype).toBe('int32');
    expect(y.arraySync()).toEqual([[58, 64], [139, 154]]);
  });

  it('integer logits to crossEntropy, nllLoss, softmax, logSoftmax', () => {
    const logits = M.tensor([1, 2, 3, 4, 5, 6], [2, 3], 'int32');
    const target = M.tensor([0, 2], [2], 'int32');
    expect(() => M.crossEntropy(logits, target)).toThrow(/^crossEntropy: logits must be float, got int32\[2, 3\]/);
    expect(() => M.nllLoss(logits, target)).toThrow(/^nllLoss: input must hold float log-probabilities, got int32\[2, 3\]/);
    expect(() => M.softmax(logits, 1)).toThrow(/^softmax: needs a float input, got int32\[2, 3\]/);
    expect(() => M.logSoftmax(logits.cast('uint8'), 1)).toThrow(/^logSoftmax: needs a float input, got uint8\[2, 3\]/);
    for (const f of [() => M.crossEntropy(logits, target), () => M.softmax(logits)]) expect(f).toThrow(DTypeError);
  });

  it('mse of two integer tensors raises; a float with an int promotes (torch: float32)', () => {
    const i = M.tensor([1, 2], [2], 'int32');
    expect(() => M.mse(i, i)).toThrow(/^mse: needs a float input or target, got int32\[2\] and int32\[2\]/);
    const y = M.mse(M.tensor([1.5, 2]), i);
    expect(y.dtype).toBe('float32');
    expect(y.item()).toBeCloseTo(0.125, 7);
  });
});
