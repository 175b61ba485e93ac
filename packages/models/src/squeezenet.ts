// SqueezeNet 1.0 and 1.1: Fire modules, and a classifier that is a 1×1 convolution followed by
// ReLU and global average pooling (no Linear layer).
import { ArgumentError, type Var } from '@metaop/core';
import { AdaptiveAvgPool2d, Conv2d, Dropout, MaxPool2d, Module, ReLU, Sequential } from '@metaop/nn';
import { concat, flatten } from '@metaop/ops';
import { eachModule, Initializer } from './init.js';
import { dropoutClassifierKeys, numClassesOf, probabilityOf, type DropoutClassifierOptions } from './options.js';

/** Squeeze with a 1×1 convolution, then expand with parallel 1×1 and 3×3 convolutions, concatenated. */
export class Fire extends Module {
  readonly squeeze: Conv2d;
  readonly squeezeActivation: ReLU;
  readonly expand1x1: Conv2d;
  readonly expand1x1Activation: ReLU;
  readonly expand3x3: Conv2d;
  readonly expand3x3Activation: ReLU;

  constructor(inPlanes: number, squeezePlanes: number, expand1x1Planes: number, expand3x3Planes: number) {
    super();
    this.squeeze = this.registerModule('squeeze', new Conv2d(inPlanes, squeezePlanes, 1));
    this.squeezeActivation = this.registerModule('squeeze_activation', new ReLU());
    this.expand1x1 = this.registerModule('expand1x1', new Conv2d(squeezePlanes, expand1x1Planes, 1));
    this.expand1x1Activation = this.registerModule('expand1x1_activation', new ReLU());
    this.expand3x3 = this.registerModule('expand3x3', new Conv2d(squeezePlanes, expand3x3Planes, 3, { padding: 1 }));
    this.expand3x3Activation = this.registerModule('expand3x3_activation', new ReLU());
  }

  forward(x: Var): Var {
    const s = this.squeezeActivation.forward(this.squeeze.forward(x));
    return concat([this.expand1x1Activation.forward(this.expand1x1.forward(s)), this.expand3x3Activation.forward(this.expand3x3.forward(s))], 1);
  }
}

export type SqueezeNetVersion = '1_0' | '1_1';
export type SqueezeNetOptions = DropoutClassifierOptions;

export class SqueezeNet extends Module {
  readonly features: Sequential;
  readonly classifier: Sequential;

  constructor(version: SqueezeNetVersion = '1_0', options: SqueezeNetOptions = {}) {
    super();
    const numClasses = numClassesOf(options, dropoutClassifierKeys, 'SqueezeNet');
    const p = probabilityOf(options.dropout, 0.5, 'dropout', 'SqueezeNet');
    const pool = () => new MaxPool2d(3, { stride: 2, ceilMode: true });
    let features: Sequential;
    if (version === '1_0') {
      features = new Sequential(
        new Conv2d(3, 96, 7, { stride: 2 }),
        new ReLU(),
        pool(),
        new Fire(96, 16, 64, 64),
        new Fire(128, 16, 64, 64),
        new Fire(128, 32, 128, 128),
        pool(),
        new Fire(256, 32, 128, 128),
        new Fire(256, 48, 192, 192),
        new Fire(384, 48, 192, 192),
        new Fire(384, 64, 256, 256),
        pool(),
        new Fire(512, 64, 256, 256),
      );
    } else if (version === '1_1') {
      features = new Sequential(
        new Conv2d(3, 64, 3, { stride: 2 }),
        new ReLU(),
        pool(),
        new Fire(64, 16, 64, 64),
        new Fire(128, 16, 64, 64),
        pool(),
        new Fire(128, 32, 128, 128),
        new Fire(256, 32, 128, 128),
        pool(),
        new Fire(256, 48, 192, 192),
        new Fire(384, 48, 192, 192),
        new Fire(384, 64, 256, 256),
        new Fire(512, 64, 256, 256),
      );
    } else {
      throw new ArgumentError(`unsupported SqueezeNet version '${String(version)}'; expected '1_0' or '1_1'`, 'SqueezeNet');
    }
    this.features = this.registerModule('features', features);
    const finalConv = new Conv2d(512, numClasses, 1);
    this.classifier = this.registerModule('classifier', new Sequential(new Dropout(p), finalConv, new ReLU(), new AdaptiveAvgPool2d(1)));
    const initializer = new Initializer();
    eachModule(this, Conv2d, (c) => (c === finalConv ? initializer.normal(c.weight, 0.01) : initializer.kaimingUniform(c.weight)).zeros(c.bias));
    initializer.apply();
  }

  forward(x: Var): Var {
    return flatten(this.classifier.forward(this.features.forward(x)), 1);
  }
}

/** SqueezeNet 1.0; input [N, 3, H, W] with H, W >= 21. */
export function squeezenet1_0(options: SqueezeNetOptions = {}): SqueezeNet {
  return new SqueezeNet('1_0', options);
}

/** SqueezeNet 1.1: 2.4× less computation than 1.0 at the same accuracy. Input H, W >= 17. */
export function squeezenet1_1(options: SqueezeNetOptions = {}): SqueezeNet {
  return new SqueezeNet('1_1', options);
}
