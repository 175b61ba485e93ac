// The model registry: every constructor under its torchvision name.
import { ArgumentError } from '@metaop/core';
import type { Module } from '@metaop/nn';
import { alexnet } from './alexnet.js';
import { densenet121, densenet161, densenet169, densenet201 } from './densenet.js';
import { googlenet } from './googlenet.js';
import { inception_v3 } from './inception-v3.js';
import { mobilenet_v2 } from './mobilenet-v2.js';
import type { ClassifierOptions } from './options.js';
import {
  resnet101,
  resnet152,
  resnet18,
  resnet34,
  resnet50,
  resnext101_32x8d,
  resnext101_64x4d,
  resnext50_32x4d,
  wide_resnet101_2,
  wide_resnet50_2,
} from './resnet.js';
import { shufflenet_v2_x0_5, shufflenet_v2_x1_0, shufflenet_v2_x1_5, shufflenet_v2_x2_0 } from './shufflenet-v2.js';
import { squeezenet1_0, squeezenet1_1 } from './squeezenet.js';
import { vgg11, vgg11_bn, vgg13, vgg13_bn, vgg16, vgg16_bn, vgg19, vgg19_bn } from './vgg.js';

/** Model constructors by torchvision name; each takes its own options (numClasses everywhere). */
export const models = Object.freeze({
  alexnet,
  vgg11,
  vgg11_bn,
  vgg13,
  vgg13_bn,
  vgg16,
  vgg16_bn,
  vgg19,
  vgg19_bn,
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
  squeezenet1_0,
  squeezenet1_1,
  mobilenet_v2,
  googlenet,
  inception_v3,
  shufflenet_v2_x0_5,
  shufflenet_v2_x1_0,
  shufflenet_v2_x1_5,
  shufflenet_v2_x2_0,
  densenet121,
  densenet161,
  densenet169,
  densenet201,
} satisfies Record<string, (options?: ClassifierOptions) => Module>);

export type ModelName = keyof typeof models;

/** Every registered model name, in registry order. */
export const modelNames: readonly ModelName[] = Object.freeze(Object.keys(models) as ModelName[]);

export function isModelName(name: string): name is ModelName {
  return Object.hasOwn(models, name);
}

/** Builds a model by name, e.g. from a command line; unknown names are an ArgumentError listing the known ones. */
export function createModel(name: string, options: ClassifierOptions = {}): Module {
  if (!isModelName(name)) throw new ArgumentError(`unknown model '${name}'; known models: ${modelNames.join(', ')}`, 'createModel');
  return models[name](options);
}
