// @metaop/models: torchvision's image classification architectures with torchvision's parameter and
// buffer names, so converted torchvision weights load with loadStateDict(dict, { strict: true }).
export { models, modelNames, createModel, isModelName, type ModelName } from './registry.js';
export type { ClassifierOptions, DropoutClassifierOptions, InitWeightsOption } from './options.js';

export { AlexNet, alexnet, type AlexNetOptions } from './alexnet.js';
export { VGG, makeVggLayers, vggConfigs, vgg11, vgg11_bn, vgg13, vgg13_bn, vgg16, vgg16_bn, vgg19, vgg19_bn, type VGGOptions, type VggConfig } from './vgg.js';
export {
  ResNet,
  BasicBlock,
  Bottleneck,
  resnet18,
  resnet34,
  resnet50,
  resnet101,
  resnet152,
  resnext50_32x4d,
  resnext101_32x8d,
  resnext101_64x4d,
  wide_resnet50_2,
  wide_resnet101_2,
  type ResNetOptions,
  type ResNetBlock,
  type BlockOptions,
} from './resnet.js';
export { SqueezeNet, Fire, squeezenet1_0, squeezenet1_1, type SqueezeNetOptions, type SqueezeNetVersion } from './squeezenet.js';
export {
  MobileNetV2,
  MobileNetV2InvertedResidual,
  makeDivisible,
  mobilenetV2Setting,
  mobilenet_v2,
  type MobileNetV2Options,
  type InvertedResidualSetting,
} from './mobilenet-v2.js';
export { GoogLeNet, Inception, GoogLeNetAux, googlenet, type GoogLeNetOptions, type GoogLeNetOutputs } from './googlenet.js';
export { Inception3, inception_v3, type Inception3Options, type InceptionOutputs } from './inception-v3.js';
export { InceptionA, InceptionB, InceptionC, InceptionD, InceptionE, InceptionAux } from './inception-v3-blocks.js';
export {
  ShuffleNetV2,
  ShuffleNetV2InvertedResidual,
  channelShuffle,
  shufflenet_v2_x0_5,
  shufflenet_v2_x1_0,
  shufflenet_v2_x1_5,
  shufflenet_v2_x2_0,
  type ShuffleNetV2Options,
} from './shufflenet-v2.js';
export { DenseNet, DenseBlock, DenseLayer, densenet121, densenet161, densenet169, densenet201, type DenseNetOptions, type DenseNetVariantOptions } from './densenet.js';
export { BasicConv2d } from './blocks/basic-conv2d.js';
export { conv2dNormActivation, type ConvNormActivationOptions } from './blocks/conv-norm-activation.js';
