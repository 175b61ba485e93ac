// ResNet (v1.5: the stride sits on the 3×3 convolution of the bottleneck), ResNeXt and Wide ResNet,
// as torchvision builds them.
import { ArgumentError, checkOptions, type OptionKeys, type Var } from '@metaop/core';
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Linear, MaxPool2d, Module, ReLU, Sequential } from '@metaop/nn';
import { add, flatten } from '@metaop/ops';
import { Initializer, kaimingFanOutConvs } from './init.js';
import { classifierKeys, numClassesOf, type ClassifierOptions } from './options.js';

function conv3x3(inPlanes: number, outPlanes: number, stride = 1, groups = 1, dilation = 1): Conv2d {
  return new Conv2d(inPlanes, outPlanes, 3, { stride, padding: dilation, groups, dilation, bias: false });
}

function conv1x1(inPlanes: number, outPlanes: number, stride = 1): Conv2d {
  return new Conv2d(inPlanes, outPlanes, 1, { stride, bias: false });
}

export interface BlockOptions {
  stride?: number;
  /** The 1×1 convolution and BatchNorm that reshape the shortcut, when the block changes shape. */
  downsample?: Sequential | null;
  groups?: number;
  baseWidth?: number;
  dilation?: number;
}
const blockKeys: OptionKeys<BlockOptions> = { stride: true, downsample: true, groups: true, baseWidth: true, dilation: true };

/** Two 3×3 convolutions with a shortcut (ResNet-18/34). */
export class BasicBlock extends Module {
  static readonly expansion = 1;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly relu: ReLU;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly downsample: Sequential | null;

  constructor(inPlanes: number, planes: number, options: BlockOptions = {}) {
    super();
    checkOptions(options, blockKeys, 'BasicBlock');
    if ((options.groups ?? 1) !== 1 || (options.baseWidth ?? 64) !== 64) {
      throw new ArgumentError('BasicBlock only supports groups 1 and baseWidth 64; use Bottleneck for ResNeXt and Wide ResNet', 'BasicBlock');
    }
    if ((options.dilation ?? 1) > 1) throw new ArgumentError('BasicBlock does not support dilation > 1', 'BasicBlock');
    this.conv1 = this.registerModule('conv1', conv3x3(inPlanes, planes, options.stride ?? 1));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(planes));
    this.relu = this.registerModule('relu', new ReLU());
    this.conv2 = this.registerModule('conv2', conv3x3(planes, planes));
    this.bn2 = this.registerModule('bn2', new BatchNorm2d(planes));
    this.downsample = this.registerModule('downsample', options.downsample ?? null);
  }

  forward(x: Var): Var {
    const out = this.bn2.forward(this.conv2.forward(this.relu.forward(this.bn1.forward(this.conv1.forward(x)))));
    const identity = this.downsample ? this.downsample.forward(x) : x;
    return this.relu.forward(add(out, identity));
  }
}

/** 1×1 reduce, 3×3 (grouped for ResNeXt, strided), 1×1 expand by 4, with a shortcut (ResNet-50 and up). */
export class Bottleneck extends Module {
  static readonly expansion = 4;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly conv3: Conv2d;
  readonly bn3: BatchNorm2d;
  readonly relu: ReLU;
  readonly downsample: Sequential | null;

  constructor(inPlanes: number, planes: number, options: BlockOptions = {}) {
    super();
    checkOptions(options, blockKeys, 'Bottleneck');
    const groups = options.groups ?? 1;
    const width = Math.floor(planes * ((options.baseWidth ?? 64) / 64)) * groups;
    this.conv1 = this.registerModule('conv1', conv1x1(inPlanes, width));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(width));
    this.conv2 = this.registerModule('conv2', conv3x3(width, width, options.stride ?? 1, groups, options.dilation ?? 1));
    this.bn2 = this.registerModule('bn2', new BatchNorm2d(width));
    this.conv3 = this.registerModule('conv3', conv1x1(width, planes * Bottleneck.expansion));
    this.bn3 = this.registerModule('bn3', new BatchNorm2d(planes * Bottleneck.expansion));
    this.relu = this.registerModule('relu', new ReLU());
    this.downsample = this.registerModule('downsample', options.downsample ?? null);
  }

  forward(x: Var): Var {
    let out = this.relu.forward(this.bn1.forward(this.conv1.forward(x)));
    out = this.relu.forward(this.bn2.forward(this.conv2.forward(out)));
    out = this.bn3.forward(this.conv3.forward(out));
    const identity = this.downsample ? this.downsample.forward(x) : x;
    return this.relu.forward(add(out, identity));
  }
}

export type ResNetBlock = typeof BasicBlock | typeof Bottleneck;

export interface ResNetOptions extends ClassifierOptions {
  /** Start each residual branch at zero (the last BatchNorm weight of every block set to 0). */
  zeroInitResidual?: boolean;
  /** Groups of the 3×3 convolutions (ResNeXt's cardinality). */
  groups?: number;
  /** Channels per group of the 3×3 convolutions at the first stage (64 in ResNet). */
  widthPerGroup?: number;
  /** For layer2..layer4: dilate instead of striding (keeps the resolution, as for segmentation). */
  replaceStrideWithDilation?: readonly [boolean, boolean, boolean];
}
const resNetKeys: OptionKeys<ResNetOptions> = { ...classifierKeys, zeroInitResidual: true, groups: true, widthPerGroup: true, replaceStrideWithDilation: true };

export class ResNet extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly relu: ReLU;
  readonly maxpool: MaxPool2d;
  readonly layer1: Sequential;
  readonly layer2: Sequential;
  readonly layer3: Sequential;
  readonly layer4: Sequential;
  readonly avgpool: AdaptiveAvgPool2d;
  readonly fc: Linear;
  #inPlanes = 64;
  #dilation = 1;
  readonly #groups: number;
  readonly #baseWidth: number;

  constructor(block: ResNetBlock, layers: readonly [number, number, number, number], options: ResNetOptions = {}) {
    super();
    const numClasses = numClassesOf(options, resNetKeys, 'ResNet');
    const dilate = options.replaceStrideWithDilation ?? [false, false, false];
    if (dilate.length !== 3) throw new ArgumentError(`replaceStrideWithDilation needs 3 entries, got ${dilate.length}`, 'ResNet');
    this.#groups = options.groups ?? 1;
    this.#baseWidth = options.widthPerGroup ?? 64;
    this.conv1 = this.registerModule('conv1', new Conv2d(3, 64, 7, { stride: 2, padding: 3, bias: false }));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(64));
    this.relu = this.registerModule('relu', new ReLU());
    this.maxpool = this.registerModule('maxpool', new MaxPool2d(3, { stride: 2, padding: 1 }));
    this.layer1 = this.registerModule('layer1', this.#makeLayer(block, 64, layers[0], 1, false));
    this.layer2 = this.registerModule('layer2', this.#makeLayer(block, 128, layers[1], 2, dilate[0]));
    this.layer3 = this.registerModule('layer3', this.#makeLayer(block, 256, layers[2], 2, dilate[1]));
    this.layer4 = this.registerModule('layer4', this.#makeLayer(block, 512, layers[3], 2, dilate[2]));
    this.avgpool = this.registerModule('avgpool', new AdaptiveAvgPool2d(1));
    this.fc = this.registerModule('fc', new Linear(512 * block.expansion, numClasses));
    const initializer = kaimingFanOutConvs(this, new Initializer());
    if (options.zeroInitResidual) {
      for (const m of this.modules()) {
        if (m instanceof Bottleneck) initializer.zeros(m.bn3.weight);
        else if (m instanceof BasicBlock) initializer.zeros(m.bn2.weight);
      }
    }
    initializer.apply();
  }

  #makeLayer(block: ResNetBlock, planes: number, blocks: number, stride: number, dilate: boolean): Sequential {
    const previousDilation = this.#dilation;
    if (dilate) {
      this.#dilation *= stride;
      stride = 1;
    }
    const outPlanes = planes * block.expansion;
    const downsample = stride !== 1 || this.#inPlanes !== outPlanes ? new Sequential(conv1x1(this.#inPlanes, outPlanes, stride), new BatchNorm2d(outPlanes)) : null;
    const shared = { groups: this.#groups, baseWidth: this.#baseWidth };
    const layer = new Sequential(new block(this.#inPlanes, planes, { ...shared, stride, downsample, dilation: previousDilation }));
    this.#inPlanes = outPlanes;
    for (let i = 1; i < blocks; i++) layer.append(new block(this.#inPlanes, planes, { ...shared, dilation: this.#dilation }));
    return layer;
  }

  forward(x: Var): Var {
    let y = this.maxpool.forward(this.relu.forward(this.bn1.forward(this.conv1.forward(x))));
    y = this.layer4.forward(this.layer3.forward(this.layer2.forward(this.layer1.forward(y))));
    return this.fc.forward(flatten(this.avgpool.forward(y), 1));
  }
}

/** ResNet-18; input [N, 3, H, W] (224×224 for the ImageNet weights). */
export function resnet18(options: ResNetOptions = {}): ResNet {
  return new ResNet(BasicBlock, [2, 2, 2, 2], options);
}

export function resnet34(options: ResNetOptions = {}): ResNet {
  return new ResNet(BasicBlock, [3, 4, 6, 3], options);
}

export function resnet50(options: ResNetOptions = {}): ResNet {
  return new ResNet(Bottleneck, [3, 4, 6, 3], options);
}

export function resnet101(options: ResNetOptions = {}): ResNet {
  return new ResNet(Bottleneck, [3, 4, 23, 3], options);
}

export function resnet152(options: ResNetOptions = {}): ResNet {
  return new ResNet(Bottleneck, [3, 8, 36, 3], options);
}

type FixedWidthOptions = Omit<ResNetOptions, 'groups' | 'widthPerGroup'>;
const fixedWidthKeys: OptionKeys<FixedWidthOptions> = { ...classifierKeys, zeroInitResidual: true, replaceStrideWithDilation: true };

/** ResNeXt and Wide ResNet set the group width themselves: it is not an option. */
function fixedWidth(name: string, layers: readonly [number, number, number, number], options: FixedWidthOptions, width: Pick<ResNetOptions, 'groups' | 'widthPerGroup'>): ResNet {
  checkOptions(options, fixedWidthKeys, name);
  return new ResNet(Bottleneck, layers, { ...options, ...width });
}

/** ResNeXt-50 32×4d: 32 groups of 4 channels in the first stage's 3×3 convolutions. */
export function resnext50_32x4d(options: FixedWidthOptions = {}): ResNet {
  return fixedWidth('resnext50_32x4d', [3, 4, 6, 3], options, { groups: 32, widthPerGroup: 4 });
}

export function resnext101_32x8d(options: FixedWidthOptions = {}): ResNet {
  return fixedWidth('resnext101_32x8d', [3, 4, 23, 3], options, { groups: 32, widthPerGroup: 8 });
}

export function resnext101_64x4d(options: FixedWidthOptions = {}): ResNet {
  return fixedWidth('resnext101_64x4d', [3, 4, 23, 3], options, { groups: 64, widthPerGroup: 4 });
}

/** Wide ResNet-50-2: the bottleneck's inner width doubled (128 per group), outer widths unchanged. */
export function wide_resnet50_2(options: FixedWidthOptions = {}): ResNet {
  return fixedWidth('wide_resnet50_2', [3, 4, 6, 3], options, { widthPerGroup: 128 });
}

export function wide_resnet101_2(options: FixedWidthOptions = {}): ResNet {
  return fixedWidth('wide_resnet101_2', [3, 4, 23, 3], options, { widthPerGroup: 128 });
}
