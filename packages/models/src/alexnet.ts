// AlexNet as torchvision builds it (the "one weird trick" variant: 64-192-384-256-256 channels).
import { type Var } from '@metaop/core';
import { AdaptiveAvgPool2d, Conv2d, Dropout, Linear, MaxPool2d, Module, ReLU, Sequential } from '@metaop/nn';
import { flatten } from '@metaop/ops';
import { dropoutClassifierKeys, numClassesOf, probabilityOf, type DropoutClassifierOptions } from './options.js';

export type AlexNetOptions = DropoutClassifierOptions;

export class AlexNet extends Module {
  readonly features: Sequential;
  readonly avgpool: AdaptiveAvgPool2d;
  readonly classifier: Sequential;

  constructor(options: AlexNetOptions = {}) {
    super();
    const numClasses = numClassesOf(options, dropoutClassifierKeys, 'AlexNet');
    const p = probabilityOf(options.dropout, 0.5, 'dropout', 'AlexNet');
    this.features = this.registerModule(
      'features',
      new Sequential(
        new Conv2d(3, 64, 11, { stride: 4, padding: 2 }),
        new ReLU(),
        new MaxPool2d(3, { stride: 2 }),
        new Conv2d(64, 192, 5, { padding: 2 }),
        new ReLU(),
        new MaxPool2d(3, { stride: 2 }),
        new Conv2d(192, 384, 3, { padding: 1 }),
        new ReLU(),
        new Conv2d(384, 256, 3, { padding: 1 }),
        new ReLU(),
        new Conv2d(256, 256, 3, { padding: 1 }),
        new ReLU(),
        new MaxPool2d(3, { stride: 2 }),
      ),
    );
    this.avgpool = this.registerModule('avgpool', new AdaptiveAvgPool2d(6));
    this.classifier = this.registerModule(
      'classifier',
      new Sequential(new Dropout(p), new Linear(256 * 6 * 6, 4096), new ReLU(), new Dropout(p), new Linear(4096, 4096), new ReLU(), new Linear(4096, numClasses)),
    );
  }

  forward(x: Var): Var {
    return this.classifier.forward(flatten(this.avgpool.forward(this.features.forward(x)), 1));
  }
}

/** AlexNet; input [N, 3, H, W] with H, W >= 63 (224 for the ImageNet weights). */
export function alexnet(options: AlexNetOptions = {}): AlexNet {
  return new AlexNet(options);
}
