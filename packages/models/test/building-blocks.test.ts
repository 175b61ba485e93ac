// Behaviour of the pieces the models are built from, and of the registry and options, without PyTorch.
import { beforeAll, describe, expect, test } from 'vitest';
import '@metaop/backend-c';
import { ArgumentError } from '@metaop/core';
import { StateDictError } from '@metaop/nn';
import { arange, manualSeed, noGrad, randn, setBackend } from '@metaop/ops';
import type { Var } from '@metaop/core';
import { channelShuffle, createModel, googlenet, isModelName, makeDivisible, mobilenet_v2, modelNames, models, resnet18, squeezenet1_1 } from '@metaop/models';

const backend = process.env.METAOP_BACKEND ?? 'c';

beforeAll(async () => {
  if (backend !== 'c' && backend !== 'reference') await import(/* @vite-ignore */ `@metaop/backend-${backend}`);
  setBackend(backend);
});

describe('channelShuffle', () => {
  test('interleaves the groups as torchvision does', () => {
    const x = arange(12).reshape([1, 12, 1, 1]);
    // torchvision.models.shufflenetv2.channel_shuffle(arange(12), 2) and (..., 3)
    expect(Array.from(channelShuffle(x, 2).dataSync())).toEqual([0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11]);
    expect(Array.from(channelShuffle(x, 3).dataSync())).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
  });

  test('keeps each pixel with its channel', () => {
    const x = arange(2 * 4 * 2 * 3).reshape([2, 4, 2, 3]);
    const y = channelShuffle(x, 2).dataSync();
    // output channel 1 is input channel 2 of the same image, pixel by pixel
    expect(Array.from(y.slice(6, 12))).toEqual([12, 13, 14, 15, 16, 17]);
    expect(Array.from(y.slice(24 + 6, 24 + 12))).toEqual([36, 37, 38, 39, 40, 41]);
  });

  test('rejects a channel count the groups do not divide', () => {
    expect(() => channelShuffle(arange(6).reshape([1, 3, 1, 2]), 2)).toThrow(/divisible by 2/);
  });
});

test('makeDivisible rounds like torchvision _make_divisible', () => {
  // (value, divisor) -> torchvision.models._utils._make_divisible(value, divisor)
  const expected: [number, number][] = [
    [32 * 0.5, 16],
    [1280 * 1.4, 1792],
    [16 * 0.35, 8],
    [24 * 0.75, 24],
    [96 * 1.4, 136],
    [20, 24],
    [11, 16],
    [3.5, 8],
    [320 * 0.75, 240],
  ];
  for (const [v, want] of expected) expect(makeDivisible(v, 8), `makeDivisible(${v}, 8)`).toBe(want);
});

describe('registry', () => {
  test('names every constructor, and createModel builds by name', () => {
    expect(modelNames).toContain('resnet18');
    expect(modelNames.length).toBe(Object.keys(models).length);
    expect(isModelName('vgg16_bn')).toBe(true);
    expect(isModelName('toString')).toBe(false);
    const m = createModel('squeezenet1_1', { numClasses: 7 });
    expect(m.stateDict()['classifier.1.weight'].shape).toEqual([7, 512, 1, 1]);
  });

  test('an unknown name is an ArgumentError that lists the known ones', () => {
    expect(() => createModel('resnet9')).toThrow(ArgumentError);
    expect(() => createModel('resnet9')).toThrow(/unknown model 'resnet9'; known models: alexnet, vgg11/);
  });

  test('options are checked', () => {
    expect(() => resnet18({ numClasses: 0 })).toThrow(/numClasses must be a positive integer/);
    expect(() => squeezenet1_1({ dropout: 1.5 })).toThrow(/dropout 1.5 must be a probability/);
  });
});

describe('GoogLeNet auxiliary classifiers', () => {
  test('exist in the state dict by default and run only in training mode', () => {
    manualSeed(1);
    const m = googlenet({ numClasses: 10 });
    const x = randn([2, 3, 64, 64]);
    const train = noGrad(() => m.train().forwardWithAux(x));
    expect(train.logits.shape).toEqual([2, 10]);
    expect(train.auxLogits1?.shape).toEqual([2, 10]);
    expect(train.auxLogits2?.shape).toEqual([2, 10]);
    const evaluated = noGrad(() => m.eval().forwardWithAux(x));
    expect(evaluated.auxLogits1).toBeNull();
    expect(evaluated.auxLogits2).toBeNull();
    // forward() gives the main logits only, in either mode
    expect(Array.from(noGrad(() => m.forward(x)).dataSync())).toEqual(Array.from(evaluated.logits.dataSync()));
  });

  test('a state dict with them does not load strictly into a model built without them', () => {
    const withAux = googlenet({ numClasses: 10 }).stateDict();
    const without = googlenet({ numClasses: 10, auxLogits: false });
    expect(() => without.loadStateDict(withAux, { strict: true })).toThrow(StateDictError);
    const result = without.loadStateDict(withAux, { strict: false });
    expect(result.missingKeys).toEqual([]);
    expect(result.unexpectedKeys.length).toBeGreaterThan(0);
    expect(result.unexpectedKeys.every((k) => k.startsWith('aux1.') || k.startsWith('aux2.'))).toBe(true);
  });
});

/** Mean, standard deviation and largest magnitude of a parameter's values. */
function stats(v: Var): { mean: number; std: number; maxAbs: number } {
  const d = v.dataSync();
  let sum = 0;
  let maxAbs = 0;
  for (const x of d) {
    sum += x;
    maxAbs = Math.max(maxAbs, Math.abs(x));
  }
  const mean = sum / d.length;
  let sq = 0;
  for (const x of d) sq += (x - mean) ** 2;
  return { mean, std: Math.sqrt(sq / d.length), maxAbs };
}

describe("torchvision's weight initialisation", () => {
  test('SqueezeNet: He-uniform convolutions, N(0, 0.01) final convolution, zero biases', () => {
    manualSeed(2);
    const sd = squeezenet1_1().stateDict();
    const bound = Math.sqrt(3) * Math.sqrt(2 / 27); // fan_in 3·3·3
    const first = stats(sd['features.0.weight']);
    expect(first.maxAbs).toBeLessThanOrEqual(bound);
    expect(first.std).toBeCloseTo(bound / Math.sqrt(3), 1);
    expect(stats(sd['classifier.1.weight']).std).toBeCloseTo(0.01, 3);
    expect(stats(sd['features.3.expand3x3.bias']).maxAbs).toBe(0);
    expect(stats(sd['classifier.1.bias']).maxAbs).toBe(0);
  });

  test('MobileNetV2: He-normal (fan_out) convolutions, N(0, 0.01) Linear with zero bias, BatchNorm 1 and 0', () => {
    manualSeed(3);
    const sd = mobilenet_v2().stateDict();
    const w = stats(sd['features.18.0.weight']); // [1280, 320, 1, 1]: fan_out 1280
    expect(Math.abs(w.std / Math.sqrt(2 / 1280) - 1)).toBeLessThan(0.02);
    expect(Math.abs(w.mean)).toBeLessThan(1e-3);
    expect(Math.abs(stats(sd['classifier.1.weight']).std / 0.01 - 1)).toBeLessThan(0.02);
    expect(stats(sd['classifier.1.bias']).maxAbs).toBe(0);
    expect(Array.from(sd['features.18.1.weight'].dataSync()).every((x) => x === 1)).toBe(true);
    expect(stats(sd['features.18.1.bias']).maxAbs).toBe(0);
  });

  test('ResNet: He-normal (fan_out) convolutions; zeroInitResidual zeroes the last BatchNorm weight of each block', () => {
    manualSeed(4);
    const sd = resnet18({ zeroInitResidual: true }).stateDict();
    const w = stats(sd['layer4.0.conv2.weight']); // [512, 512, 3, 3]: fan_out 4608
    expect(Math.abs(w.std / Math.sqrt(2 / 4608) - 1)).toBeLessThan(0.02);
    expect(stats(sd['layer1.0.bn2.weight']).maxAbs).toBe(0);
    expect(stats(sd['layer4.1.bn2.weight']).maxAbs).toBe(0);
    expect(Array.from(sd['layer1.0.bn1.weight'].dataSync()).every((x) => x === 1)).toBe(true);
  });

  test('GoogLeNet: truncated N(0, 0.01) weights; initWeights: false keeps the layer defaults', () => {
    manualSeed(5);
    const fc = stats(googlenet().stateDict()['fc.weight']); // [1000, 1024]
    expect(Math.abs(fc.std / 0.01 - 1)).toBeLessThan(0.02);
    expect(fc.maxAbs).toBeLessThan(0.1);
    // PyTorch's Linear default: U(±1/√1024), std 1/√(3·1024)
    const plain = stats(googlenet({ initWeights: false }).stateDict()['fc.weight']);
    expect(plain.maxAbs).toBeLessThanOrEqual(1 / 32);
    expect(Math.abs(plain.std / (1 / Math.sqrt(3 * 1024)) - 1)).toBeLessThan(0.02);
  });
});
