// Every model factory refuses an unknown option key with an ArgumentError naming the model and the
// accepted keys (checked before any layer is built, so even the largest models refuse at once).
import { describe, expect, test } from 'vitest';
import { ArgumentError } from '@metaop/core';
import { conv2dNormActivation, createModel, modelNames, models, resnext50_32x4d, densenet121 } from '@metaop/models';

const bogus = { bogusKey: 1 } as never;

describe('unknown option keys in @metaop/models', () => {
  test.each(modelNames)('%s', (name) => {
    let err: unknown;
    try {
      models[name](bogus);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ArgumentError);
    expect((err as Error).message).toMatch(/unknown option 'bogusKey'; accepted options: numClasses/);
  });

  test('createModel passes the check through; fixed variants refuse the options they set themselves', () => {
    expect(() => createModel('resnet18', bogus)).toThrow(/^ResNet: unknown option 'bogusKey'/);
    expect(() => resnext50_32x4d({ groups: 8 } as never)).toThrow(/^resnext50_32x4d: unknown option 'groups'; accepted options: numClasses, zeroInitResidual, replaceStrideWithDilation$/);
    expect(() => densenet121({ growthRate: 12 } as never)).toThrow(/^densenet121: unknown option 'growthRate'/);
    expect(() => conv2dNormActivation(3, 4, { activation: null, padding: 1 } as never)).toThrow(
      /^conv2dNormActivation: unknown option 'padding'; accepted options: kernelSize, stride, groups, activation$/,
    );
  });
});
