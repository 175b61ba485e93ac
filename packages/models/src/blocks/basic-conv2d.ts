// BasicConv2d of GoogLeNet and Inception v3: a bias-free convolution, BatchNorm (eps 0.001), ReLU.
import { type Var } from '@metaop/core';
import { BatchNorm2d, Conv2d, Module, type Conv2dOptions, type Pair } from '@metaop/nn';
import { relu } from '@metaop/ops';

export class BasicConv2d extends Module {
  readonly conv: Conv2d;
  readonly bn: BatchNorm2d;

  constructor(inChannels: number, outChannels: number, kernelSize: Pair, options: Omit<Conv2dOptions, 'bias'> = {}) {
    super();
    this.conv = this.registerModule('conv', new Conv2d(inChannels, outChannels, kernelSize, { ...options, bias: false }));
    this.bn = this.registerModule('bn', new BatchNorm2d(outChannels, { eps: 0.001 }));
  }

  forward(x: Var): Var {
    return relu(this.bn.forward(this.conv.forward(x)));
  }
}
