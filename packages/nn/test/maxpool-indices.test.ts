// nn.MaxPool2d with returnIndices returns values and indices, as torch.nn.MaxPool2d(return_indices=True).
import { beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError } from '@metaop/core';
import { tensor } from '@metaop/ops';
import * as nn from '@metaop/nn';
import { useTestBackend } from './helpers.js';

beforeAll(useTestBackend);

// torch 1.13: x = tensor([(i*7) % 25 for i in range(25)]).reshape(1,1,5,5);
// nn.MaxPool2d(3, stride=2, padding=1, return_indices=True)(x)
const input = Array.from({ length: 25 }, (_, i) => (i * 7) % 25);
const torchValues = [17, 24, 21, 20, 24, 23, 22, 22, 18];
const torchIndices = [6, 7, 3, 10, 7, 14, 21, 21, 24];

describe('nn.MaxPool2d returnIndices', () => {
  it('returns [values, indices] equal to PyTorch', () => {
    const pool = new nn.MaxPool2d(3, { stride: 2, padding: 1, returnIndices: true });
    const [values, indices] = pool.forward(tensor(input, [1, 1, 5, 5]));
    expect(values.shape).toEqual([1, 1, 3, 3]);
    expect(indices.dtype).toBe('int32');
    expect(Array.from(values.dataSync())).toEqual(torchValues);
    expect(Array.from(indices.dataSync())).toEqual(torchIndices);
  });

  it('returns one tensor without it', () => {
    const y = new nn.MaxPool2d(3, { stride: 2, padding: 1 }).forward(tensor(input, [1, 1, 5, 5]));
    expect(Array.from(y.dataSync())).toEqual(torchValues);
  });

  it('still refuses unknown option keys', () => {
    expect(() => new nn.MaxPool2d(2, { returnIndex: true } as never)).toThrow(ArgumentError);
  });
});
