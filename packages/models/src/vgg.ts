// VGG 11/13/16/19 (configurations A, B, D, E), with and without BatchNorm, as torchvision builds them.
import { checkOptions, type OptionKeys, type Var } from '@metaop/core';
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Dropout, Linear, MaxPool2d, Module, ReLU, Sequential } from '@metaop/nn';
import { flatten } from '@metaop/ops';
import { Initializer, kaimingFanOutConvs, normalLinears } from './init.js';
import { dropoutClassifierKeys, initWeightsKeys, numClassesOf, probabilityOf, type DropoutClassifierOptions, type InitWeightsOption } from './options.js';

/** Output channels of each 3×3 convolution, 'M' for a 2×2 max pool. */
export type VggConfig = readonly (number | 'M')[];

export const vggConfigs = {
  A: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  B: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  D: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
  E: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
} as const satisfies Record<string, VggConfig>;

/** The feature extractor: conv(3×3, pad 1) [→ BatchNorm] → ReLU per entry, max pools between. */
export function makeVggLayers(config: VggConfig, batchNorm: boolean): Sequential {
  const layers = new Sequential();
  let channels = 3;
  for (const v of config) {
    if (v === 'M') {
      layers.append(new MaxPool2d(2, { stride: 2 }));
      continue;
    }
    layers.append(new Conv2d(channels, v, 3, { padding: 1 }));
    if (batchNorm) layers.append(new BatchNorm2d(v));
    layers.append(new ReLU());
    channels = v;
  }
  return layers;
}

export interface VGGOptions extends DropoutClassifierOptions, InitWeightsOption {}
const vggKeys: OptionKeys<VGGOptions> = { ...dropoutClassifierKeys, ...initWeightsKeys };

export class VGG extends Module {
  readonly features: Sequential;
  readonly avgpool: AdaptiveAvgPool2d;
  readonly classifier: Sequential;

  constructor(features: Sequential, options: VGGOptions = {}) {
    super();
    const numClasses = numClassesOf(options, vggKeys, 'VGG');
    const p = probabilityOf(options.dropout, 0.5, 'dropout', 'VGG');
    this.features = this.registerModule('features', features);
    this.avgpool = this.registerModule('avgpool', new AdaptiveAvgPool2d(7));
    this.classifier = this.registerModule(
      'classifier',
      new Sequential(new Linear(512 * 7 * 7, 4096), new ReLU(), new Dropout(p), new Linear(4096, 4096), new ReLU(), new Dropout(p), new Linear(4096, numClasses)),
    );
    if (options.initWeights ?? true) normalLinears(this, 0.01, kaimingFanOutConvs(this, new Initializer())).apply();
  }

  forward(x: Var): Var {
    return this.classifier.forward(flatten(this.avgpool.forward(this.features.forward(x)), 1));
  }
}

function vgg(config: VggConfig, batchNorm: boolean, options: VGGOptions): VGG {
  checkOptions(options, vggKeys, 'VGG'); // before building the layers, which is most of the work
  return new VGG(makeVggLayers(config, batchNorm), options);
}

/** VGG-11 (configuration A); input [N, 3, H, W] with H, W >= 32. */
export function vgg11(options: VGGOptions = {}): VGG {
  return vgg(vggConfigs.A, false, options);
}

export function vgg11_bn(options: VGGOptions = {}): VGG {
  return vgg(vggConfigs.A, true, options);
}

/** VGG-13 (configuration B). */
export function vgg13(options: VGGOptions = {}): VGG {
  return vgg(vggConfigs.B, false, options);
}

export function vgg13_bn(options: VGGOptions = {}): VGG {
  return vgg(vggConfigs.B, true, options);
}

/** VGG-16 (configuration D). */
export function vgg16(options: VGGOptions = {}): VGG {
  return vgg(vggConfigs.D, false, options);
}

export function vgg16_bn(options: VGGOptions = {}): VGG {
  return vgg(vggConfigs.D, true, options);
}

/** VGG-19 (configuration E). */
export function vgg19(options: VGGOptions = {}): VGG {
  return vgg(vggConfigs.E, false, options);
}

export function vgg19_bn(options: VGGOptions = {}): VGG {
  return vgg(vggConfigs.E, true, options);
}
