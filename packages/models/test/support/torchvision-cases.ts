// The torchvision models the tests build and compare with PyTorch: constructor options, the
// torchvision arguments they match, and the input each forward comparison uses.
import type { ModelName } from '@metaop/models';
import type { TorchKwargs } from './torchvision.js';

export interface ModelCase {
  /** The fixture key: the torchvision name, with constructor arguments for variants. */
  tag: string;
  name: ModelName;
  options?: Record<string, number | boolean>;
  kwargs?: TorchKwargs;
  /** Input [batch, 3, size, size] for the forward comparison; null: names and shapes only. */
  size: number | null;
  batch?: number;
  /** The dtype PyTorch computes the reference in (default float64). */
  referenceDtype?: 'float32' | 'float64';
  /** Run only with METAOP_TEST_ALL_MODELS=1: the forward comparison, or everything (construction included). */
  large?: 'forward' | 'all';
}

// VGG's 120M classifier weights dominate its cost: both sides skip torchvision's re-initialisation
// (the weights are replaced anyway) and PyTorch computes in float32.
const vggCase = (name: ModelName): ModelCase => ({
  tag: name,
  name,
  options: { initWeights: false },
  kwargs: { init_weights: false },
  referenceDtype: 'float32',
  size: 64,
});

// Resolutions are reduced where 224×224 would make the file too slow on two cores (see README).
export const allCases: ModelCase[] = [
  { tag: 'resnet18', name: 'resnet18', size: 224 },
  { tag: 'alexnet', name: 'alexnet', size: 224 },
  { tag: 'squeezenet1_0', name: 'squeezenet1_0', size: 224 },
  { tag: 'squeezenet1_1', name: 'squeezenet1_1', size: 224 },
  { tag: 'mobilenet_v2', name: 'mobilenet_v2', size: 224 },
  { tag: 'shufflenet_v2_x1_0', name: 'shufflenet_v2_x1_0', size: 224 },
  { tag: 'googlenet', name: 'googlenet', size: 112 },
  // transform_input is off by default; turning it on here covers both input paths (googlenet: off).
  { tag: 'inception_v3', name: 'inception_v3', options: { transformInput: true }, kwargs: { transform_input: true }, size: 96, batch: 2 },
  { tag: 'resnet34', name: 'resnet34', size: 64, batch: 2 },
  { tag: 'resnet50', name: 'resnet50', size: 64, batch: 2 },
  { tag: 'resnet101', name: 'resnet101', size: 64, batch: 2 },
  { tag: 'resnet152', name: 'resnet152', size: 64, batch: 2 },
  { tag: 'resnext50_32x4d', name: 'resnext50_32x4d', size: 64, batch: 2 },
  { tag: 'wide_resnet50_2', name: 'wide_resnet50_2', size: 64, batch: 2 },
  { tag: 'densenet121', name: 'densenet121', size: 64, batch: 2 },
  vggCase('vgg11'),
  vggCase('vgg11_bn'),
  vggCase('vgg13'),
  vggCase('vgg13_bn'),
  vggCase('vgg16'),
  vggCase('vgg16_bn'),
  vggCase('vgg19'),
  vggCase('vgg19_bn'),
  { tag: 'resnext101_32x8d', name: 'resnext101_32x8d', size: 64, large: 'all' },
  { tag: 'resnext101_64x4d', name: 'resnext101_64x4d', size: 64, large: 'all' },
  { tag: 'wide_resnet101_2', name: 'wide_resnet101_2', size: 64, large: 'all' },
  { tag: 'densenet161', name: 'densenet161', size: 64, large: 'all' },
  { tag: 'densenet169', name: 'densenet169', size: 64, large: 'all' },
  { tag: 'densenet201', name: 'densenet201', size: 64, large: 'all' },
  { tag: 'shufflenet_v2_x0_5', name: 'shufflenet_v2_x0_5', size: 64, large: 'forward' },
  { tag: 'shufflenet_v2_x1_5', name: 'shufflenet_v2_x1_5', size: 64, large: 'forward' },
  { tag: 'shufflenet_v2_x2_0', name: 'shufflenet_v2_x2_0', size: 64, large: 'forward' },
  // Constructor options against the same torchvision arguments.
  { tag: 'mobilenet_v2:width_mult=0.5', name: 'mobilenet_v2', options: { widthMult: 0.5 }, kwargs: { width_mult: 0.5 }, size: 64, batch: 2 },
  { tag: 'mobilenet_v2:width_mult=1.4', name: 'mobilenet_v2', options: { widthMult: 1.4 }, kwargs: { width_mult: 1.4 }, size: null },
  { tag: 'googlenet:aux_logits=False', name: 'googlenet', options: { auxLogits: false }, kwargs: { aux_logits: false }, size: null },
  { tag: 'inception_v3:aux_logits=False', name: 'inception_v3', options: { auxLogits: false }, kwargs: { aux_logits: false }, size: null },
  { tag: 'resnet18:num_classes=10', name: 'resnet18', options: { numClasses: 10 }, kwargs: { num_classes: 10 }, size: null },
  { tag: 'squeezenet1_1:num_classes=10', name: 'squeezenet1_1', options: { numClasses: 10 }, kwargs: { num_classes: 10 }, size: null },
];

