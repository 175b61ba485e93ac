// ShuffleNetV2 (x0.5, x1.0, x1.5, x2.0) as torchvision builds it: split, convolve half the channels,
// concatenate, and shuffle the channels between the two halves.
import { ArgumentError, formatShape, ShapeError, type Var } from '@metaop/core';
import { BatchNorm2d, Conv2d, Linear, MaxPool2d, Module, ReLU, Sequential } from '@metaop/nn';
import { chunk, concat, mean, reshape, transpose } from '@metaop/ops';
import { classifierKeys, numClassesOf, type ClassifierOptions } from './options.js';

/** Interleaves the channels of `groups` equal groups: [N, g·c, H, W] → view [N, g, c, H, W] → swap g and c. */
export function channelShuffle(x: Var, groups: number): Var {
  if (x.ndim !== 4 || x.shape[1] % groups !== 0) {
    throw new ShapeError(`needs [N, C, H, W] with C divisible by ${groups}, got ${formatShape(x.shape)}`, 'channelShuffle');
  }
  const [n, c, h, w] = x.shape;
  return reshape(transpose(reshape(x, [n, groups, c / groups, h, w]), 1, 2), [n, c, h, w]);
}

function depthwise(channels: number, stride: number): Conv2d {
  return new Conv2d(channels, channels, 3, { stride, padding: 1, groups: channels, bias: false });
}

function pointwise(inChannels: number, outChannels: number): Conv2d {
  return new Conv2d(inChannels, outChannels, 1, { bias: false });
}

/** A ShuffleNetV2 unit: stride 1 convolves the second half of the channels; stride 2 both halves of a copy. */
export class ShuffleNetV2InvertedResidual extends Module {
  readonly stride: number;
  readonly branch1: Sequential;
  readonly branch2: Sequential;

  constructor(inp: number, oup: number, stride: number) {
    super();
    if (!(stride >= 1 && stride <= 3)) throw new ArgumentError(`stride must be 1, 2 or 3, got ${stride}`, 'InvertedResidual');
    const features = Math.floor(oup / 2);
    if (stride === 1 && inp !== features * 2) {
      throw new ArgumentError(`with stride 1, inp (${inp}) must equal oup (${oup}) rounded down to even`, 'InvertedResidual');
    }
    this.stride = stride;
    this.branch1 = this.registerModule(
      'branch1',
      stride > 1 ? new Sequential(depthwise(inp, stride), new BatchNorm2d(inp), pointwise(inp, features), new BatchNorm2d(features), new ReLU()) : new Sequential(),
    );
    this.branch2 = this.registerModule(
      'branch2',
      new Sequential(
        pointwise(stride > 1 ? inp : features, features),
        new BatchNorm2d(features),
        new ReLU(),
        depthwise(features, stride),
        new BatchNorm2d(features),
        pointwise(features, features),
        new BatchNorm2d(features),
        new ReLU(),
      ),
    );
  }

  forward(x: Var): Var {
    let out: Var;
    if (this.stride === 1) {
      const [x1, x2] = chunk(x, 2, 1);
      out = concat([x1, this.branch2.forward(x2)], 1);
    } else {
      out = concat([this.branch1.forward(x), this.branch2.forward(x)], 1);
    }
    return channelShuffle(out, 2);
  }
}

export type ShuffleNetV2Options = ClassifierOptions;

export class ShuffleNetV2 extends Module {
  readonly conv1: Sequential;
  readonly maxpool: MaxPool2d;
  readonly stage2: Sequential;
  readonly stage3: Sequential;
  readonly stage4: Sequential;
  readonly conv5: Sequential;
  readonly fc: Linear;

  /** stagesRepeats: units per stage (3 entries); stagesOutChannels: conv1, the 3 stages, conv5 (5 entries). */
  constructor(stagesRepeats: readonly number[], stagesOutChannels: readonly number[], options: ShuffleNetV2Options = {}) {
    super();
    const numClasses = numClassesOf(options, classifierKeys, 'ShuffleNetV2');
    if (stagesRepeats.length !== 3) throw new ArgumentError('stagesRepeats needs 3 positive integers', 'ShuffleNetV2');
    if (stagesOutChannels.length !== 5) throw new ArgumentError('stagesOutChannels needs 5 positive integers', 'ShuffleNetV2');
    let channels = stagesOutChannels[0];
    this.conv1 = this.registerModule('conv1', new Sequential(new Conv2d(3, channels, 3, { stride: 2, padding: 1, bias: false }), new BatchNorm2d(channels), new ReLU()));
    this.maxpool = this.registerModule('maxpool', new MaxPool2d(3, { stride: 2, padding: 1 }));
    const stages: Sequential[] = [];
    for (let s = 0; s < 3; s++) {
      const out = stagesOutChannels[s + 1];
      const stage = new Sequential(new ShuffleNetV2InvertedResidual(channels, out, 2));
      for (let i = 1; i < stagesRepeats[s]; i++) stage.append(new ShuffleNetV2InvertedResidual(out, out, 1));
      stages.push(this.registerModule(`stage${s + 2}`, stage));
      channels = out;
    }
    [this.stage2, this.stage3, this.stage4] = stages;
    const last = stagesOutChannels[4];
    this.conv5 = this.registerModule('conv5', new Sequential(pointwise(channels, last), new BatchNorm2d(last), new ReLU()));
    this.fc = this.registerModule('fc', new Linear(last, numClasses));
  }

  forward(x: Var): Var {
    let y = this.maxpool.forward(this.conv1.forward(x));
    y = this.conv5.forward(this.stage4.forward(this.stage3.forward(this.stage2.forward(y))));
    return this.fc.forward(mean(y, [2, 3]));
  }
}

/** ShuffleNetV2 with 0.5× output channels; input [N, 3, H, W]. */
export function shufflenet_v2_x0_5(options: ShuffleNetV2Options = {}): ShuffleNetV2 {
  return new ShuffleNetV2([4, 8, 4], [24, 48, 96, 192, 1024], options);
}

export function shufflenet_v2_x1_0(options: ShuffleNetV2Options = {}): ShuffleNetV2 {
  return new ShuffleNetV2([4, 8, 4], [24, 116, 232, 464, 1024], options);
}

export function shufflenet_v2_x1_5(options: ShuffleNetV2Options = {}): ShuffleNetV2 {
  return new ShuffleNetV2([4, 8, 4], [24, 176, 352, 704, 1024], options);
}

export function shufflenet_v2_x2_0(options: ShuffleNetV2Options = {}): ShuffleNetV2 {
  return new ShuffleNetV2([4, 8, 4], [24, 244, 488, 976, 2048], options);
}
