// Conv2dNormActivation (torchvision.ops): a Sequential of a bias-free convolution with "same"-style
// padding (k-1)/2, BatchNorm and an activation, children named 0, 1, 2 as in torchvision.
import { checkOptions, type OptionKeys } from '@metaop/core';
import { BatchNorm2d, Conv2d, Sequential, type VarModule } from '@metaop/nn';

export interface ConvNormActivationOptions {
  kernelSize?: number;
  stride?: number;
  groups?: number;
  /** The activation module (ReLU6 in MobileNetV2); null for none. */
  activation: VarModule | null;
}
const convNormActivationKeys: OptionKeys<ConvNormActivationOptions> = { kernelSize: true, stride: true, groups: true, activation: true };

export function conv2dNormActivation(inChannels: number, outChannels: number, options: ConvNormActivationOptions): Sequential {
  checkOptions(options, convNormActivationKeys, 'conv2dNormActivation');
  const k = options.kernelSize ?? 3;
  const conv = new Conv2d(inChannels, outChannels, k, {
    stride: options.stride ?? 1,
    padding: Math.floor((k - 1) / 2),
    groups: options.groups ?? 1,
    bias: false,
  });
  const s = new Sequential(conv, new BatchNorm2d(outChannels));
  if (options.activation) s.append(options.activation);
  return s;
}
