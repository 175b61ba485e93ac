// DenseNet-BC 121/161/169/201 as torchvision builds it: every layer of a dense block sees the
// concatenation of the block input and all earlier layers' outputs.
import { ArgumentError, checkOptions, type OptionKeys, type Var } from '@metaop/core';
import { AvgPool2d, BatchNorm2d, Conv2d, Linear, MaxPool2d, Module, ReLU, Sequential, type VarModule } from '@metaop/nn';
import { adaptiveAvgPool2d, concat, dropout, flatten, relu } from '@metaop/ops';
import { eachModule, Initializer } from './init.js';
import { classifierKeys, numClassesOf, type ClassifierOptions } from './options.js';

/** BN → ReLU → 1×1 conv (bnSize·growth channels) → BN → ReLU → 3×3 conv (growth channels). */
export class DenseLayer extends Module {
  readonly norm1: BatchNorm2d;
  readonly relu1: ReLU;
  readonly conv1: Conv2d;
  readonly norm2: BatchNorm2d;
  readonly relu2: ReLU;
  readonly conv2: Conv2d;
  readonly dropRate: number;

  constructor(inputFeatures: number, growthRate: number, bnSize: number, dropRate: number) {
    super();
    this.norm1 = this.registerModule('norm1', new BatchNorm2d(inputFeatures));
    this.relu1 = this.registerModule('relu1', new ReLU());
    this.conv1 = this.registerModule('conv1', new Conv2d(inputFeatures, bnSize * growthRate, 1, { bias: false }));
    this.norm2 = this.registerModule('norm2', new BatchNorm2d(bnSize * growthRate));
    this.relu2 = this.registerModule('relu2', new ReLU());
    this.conv2 = this.registerModule('conv2', new Conv2d(bnSize * growthRate, growthRate, 3, { padding: 1, bias: false }));
    this.dropRate = dropRate;
  }

  /** x is the concatenation (on channels) of the block input and every earlier layer's output. */
  forward(x: Var): Var {
    const bottleneck = this.conv1.forward(this.relu1.forward(this.norm1.forward(x)));
    const out = this.conv2.forward(this.relu2.forward(this.norm2.forward(bottleneck)));
    return this.dropRate > 0 ? dropout(out, this.dropRate, { training: this.training }) : out;
  }
}

/** Layers named denselayer1, denselayer2, ...; returns the input with every layer's output appended. */
export class DenseBlock extends Module {
  readonly layers: DenseLayer[] = [];

  constructor(numLayers: number, inputFeatures: number, bnSize: number, growthRate: number, dropRate: number) {
    super();
    for (let i = 0; i < numLayers; i++) {
      this.layers.push(this.registerModule(`denselayer${i + 1}`, new DenseLayer(inputFeatures + i * growthRate, growthRate, bnSize, dropRate)));
    }
  }

  forward(x: Var): Var {
    // Appending each new output to the running concatenation gives torchvision's cat(all features).
    let features = x;
    for (const layer of this.layers) features = concat([features, layer.forward(features)], 1);
    return features;
  }
}

/** BN → ReLU → 1×1 conv halving the channels → 2×2 average pool; a Sequential named as torchvision's. */
function transition(inputFeatures: number, outputFeatures: number): Sequential {
  return Sequential.named({
    norm: new BatchNorm2d(inputFeatures),
    relu: new ReLU(),
    conv: new Conv2d(inputFeatures, outputFeatures, 1, { bias: false }),
    pool: new AvgPool2d(2, { stride: 2 }),
  });
}

export interface DenseNetOptions extends ClassifierOptions {
  /** Channels each layer adds (k in the paper; default 32). */
  growthRate?: number;
  /** Layers in each of the four dense blocks (default [6, 12, 24, 16], DenseNet-121). */
  blockConfig?: readonly [number, number, number, number];
  /** Channels of the first convolution (default 64). */
  numInitFeatures?: number;
  /** Bottleneck width as a multiple of growthRate (default 4). */
  bnSize?: number;
  /** Dropout after each dense layer (default 0). */
  dropRate?: number;
}
const denseNetKeys: OptionKeys<DenseNetOptions> = { ...classifierKeys, growthRate: true, blockConfig: true, numInitFeatures: true, bnSize: true, dropRate: true };

/** The options of the fixed DenseNet variants (their widths and depths are set). */
export type DenseNetVariantOptions = Omit<DenseNetOptions, 'growthRate' | 'blockConfig' | 'numInitFeatures'>;
const denseNetVariantKeys: OptionKeys<DenseNetVariantOptions> = { ...classifierKeys, bnSize: true, dropRate: true };

/** A fixed DenseNet variant: its widths and depths are not options. */
function denseNetVariant(name: string, options: DenseNetVariantOptions, config: Pick<DenseNetOptions, 'growthRate' | 'blockConfig' | 'numInitFeatures'>): DenseNet {
  checkOptions(options, denseNetVariantKeys, name);
  return new DenseNet({ ...options, ...config });
}

export class DenseNet extends Module {
  readonly features: Sequential;
  readonly classifier: Linear;

  constructor(options: DenseNetOptions = {}) {
    super();
    const numClasses = numClassesOf(options, denseNetKeys, 'DenseNet');
    const growthRate = options.growthRate ?? 32;
    const blockConfig = options.blockConfig ?? [6, 12, 24, 16];
    const numInit = options.numInitFeatures ?? 64;
    const bnSize = options.bnSize ?? 4;
    const dropRate = options.dropRate ?? 0;
    if (!(dropRate >= 0 && dropRate <= 1)) throw new ArgumentError(`dropRate ${dropRate} must be a probability in [0, 1]`, 'DenseNet');
    const layers: Record<string, VarModule> = {
      conv0: new Conv2d(3, numInit, 7, { stride: 2, padding: 3, bias: false }),
      norm0: new BatchNorm2d(numInit),
      relu0: new ReLU(),
      pool0: new MaxPool2d(3, { stride: 2, padding: 1 }),
    };
    let channels = numInit;
    blockConfig.forEach((numLayers, i) => {
      layers[`denseblock${i + 1}`] = new DenseBlock(numLayers, channels, bnSize, growthRate, dropRate);
      channels += numLayers * growthRate;
      if (i !== blockConfig.length - 1) {
        layers[`transition${i + 1}`] = transition(channels, Math.floor(channels / 2));
        channels = Math.floor(channels / 2);
      }
    });
    layers.norm5 = new BatchNorm2d(channels);
    this.features = this.registerModule('features', Sequential.named(layers));
    this.classifier = this.registerModule('classifier', new Linear(channels, numClasses));
    const initializer = new Initializer();
    eachModule(this, Conv2d, (c) => initializer.kaimingNormal(c.weight));
    initializer.zeros(this.classifier.bias).apply();
  }

  forward(x: Var): Var {
    const f = relu(this.features.forward(x));
    return this.classifier.forward(flatten(adaptiveAvgPool2d(f, 1), 1));
  }
}

/** DenseNet-121; input [N, 3, H, W] with H, W >= 29 (224×224 for the ImageNet weights). */
export function densenet121(options: DenseNetVariantOptions = {}): DenseNet {
  return denseNetVariant('densenet121', options, { growthRate: 32, blockConfig: [6, 12, 24, 16], numInitFeatures: 64 });
}

export function densenet161(options: DenseNetVariantOptions = {}): DenseNet {
  return denseNetVariant('densenet161', options, { growthRate: 48, blockConfig: [6, 12, 36, 24], numInitFeatures: 96 });
}

export function densenet169(options: DenseNetVariantOptions = {}): DenseNet {
  return denseNetVariant('densenet169', options, { growthRate: 32, blockConfig: [6, 12, 32, 32], numInitFeatures: 64 });
}

export function densenet201(options: DenseNetVariantOptions = {}): DenseNet {
  return denseNetVariant('densenet201', options, { growthRate: 32, blockConfig: [6, 12, 48, 32], numInitFeatures: 64 });
}
