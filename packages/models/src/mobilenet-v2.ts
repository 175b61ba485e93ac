// MobileNetV2: inverted residual blocks (1×1 expand, 3×3 depthwise, 1×1 linear projection) with
// ReLU6, channel counts rounded to multiples of 8, as torchvision builds it.
import { ArgumentError, type OptionKeys, type Var } from '@metaop/core';
import { BatchNorm2d, Conv2d, Dropout, Linear, Module, ReLU6, Sequential } from '@metaop/nn';
import { adaptiveAvgPool2d, add, flatten } from '@metaop/ops';
import { conv2dNormActivation } from './blocks/conv-norm-activation.js';
import { Initializer, kaimingFanOutConvs, normalLinears } from './init.js';
import { dropoutClassifierKeys, numClassesOf, probabilityOf, type DropoutClassifierOptions } from './options.js';

/** torchvision's _make_divisible: the nearest multiple of divisor, never more than 10% below v. */
export function makeDivisible(v: number, divisor: number, minValue = divisor): number {
  let out = Math.max(minValue, Math.floor(Math.floor(v + divisor / 2) / divisor) * divisor);
  if (out < 0.9 * v) out += divisor;
  return out;
}

/** A MobileNetV2 block; the input is added back when stride is 1 and the channel count is kept. */
export class MobileNetV2InvertedResidual extends Module {
  readonly conv: Sequential;
  readonly useResConnect: boolean;

  constructor(inp: number, oup: number, stride: number, expandRatio: number) {
    super();
    if (stride !== 1 && stride !== 2) throw new ArgumentError(`stride must be 1 or 2, got ${stride}`, 'InvertedResidual');
    const hidden = Math.round(inp * expandRatio);
    this.useResConnect = stride === 1 && inp === oup;
    const conv = new Sequential();
    if (expandRatio !== 1) conv.append(conv2dNormActivation(inp, hidden, { kernelSize: 1, activation: new ReLU6() }));
    conv.append(conv2dNormActivation(hidden, hidden, { stride, groups: hidden, activation: new ReLU6() }));
    conv.append(new Conv2d(hidden, oup, 1, { bias: false }));
    conv.append(new BatchNorm2d(oup));
    this.conv = this.registerModule('conv', conv);
  }

  forward(x: Var): Var {
    const y = this.conv.forward(x);
    return this.useResConnect ? add(x, y) : y;
  }
}

/** One row per stage: expansion t, output channels c, repeats n, first stride s. */
export type InvertedResidualSetting = readonly (readonly [t: number, c: number, n: number, s: number])[];

export const mobilenetV2Setting: InvertedResidualSetting = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

export interface MobileNetV2Options extends DropoutClassifierOptions {
  /** Multiplies every layer's channel count (default 1). */
  widthMult?: number;
  /** Channel counts are rounded to multiples of this (default 8; 1 turns rounding off). */
  roundNearest?: number;
  invertedResidualSetting?: InvertedResidualSetting;
}
const mobileNetV2Keys: OptionKeys<MobileNetV2Options> = { ...dropoutClassifierKeys, widthMult: true, roundNearest: true, invertedResidualSetting: true };

export class MobileNetV2 extends Module {
  readonly features: Sequential;
  readonly classifier: Sequential;
  readonly lastChannel: number;

  constructor(options: MobileNetV2Options = {}) {
    super();
    const numClasses = numClassesOf(options, mobileNetV2Keys, 'MobileNetV2');
    const p = probabilityOf(options.dropout, 0.2, 'dropout', 'MobileNetV2');
    const widthMult = options.widthMult ?? 1;
    const roundNearest = options.roundNearest ?? 8;
    const setting = options.invertedResidualSetting ?? mobilenetV2Setting;
    if (!(widthMult > 0)) throw new ArgumentError(`widthMult must be positive, got ${widthMult}`, 'MobileNetV2');
    if (setting.length === 0 || setting.some((row) => row.length !== 4)) {
      throw new ArgumentError('invertedResidualSetting must be a non-empty list of [t, c, n, s] rows', 'MobileNetV2');
    }
    let inputChannel = makeDivisible(32 * widthMult, roundNearest);
    this.lastChannel = makeDivisible(1280 * Math.max(1, widthMult), roundNearest);
    const features = new Sequential(conv2dNormActivation(3, inputChannel, { stride: 2, activation: new ReLU6() }));
    for (const [t, c, n, s] of setting) {
      const outputChannel = makeDivisible(c * widthMult, roundNearest);
      for (let i = 0; i < n; i++) {
        features.append(new MobileNetV2InvertedResidual(inputChannel, outputChannel, i === 0 ? s : 1, t));
        inputChannel = outputChannel;
      }
    }
    features.append(conv2dNormActivation(inputChannel, this.lastChannel, { kernelSize: 1, activation: new ReLU6() }));
    this.features = this.registerModule('features', features);
    this.classifier = this.registerModule('classifier', new Sequential(new Dropout(p), new Linear(this.lastChannel, numClasses)));
    normalLinears(this, 0.01, kaimingFanOutConvs(this, new Initializer())).apply();
  }

  forward(x: Var): Var {
    return this.classifier.forward(flatten(adaptiveAvgPool2d(this.features.forward(x), 1), 1));
  }
}

/** MobileNetV2; input [N, 3, H, W] (224×224 for the ImageNet weights). */
export function mobilenet_v2(options: MobileNetV2Options = {}): MobileNetV2 {
  return new MobileNetV2(options);
}
