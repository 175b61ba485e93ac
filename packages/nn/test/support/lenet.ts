// The LeNet-style CNN the Fashion-MNIST training test uses (models proper live in @metaop/models):
// two 5x5 conv blocks with batch norm, ReLU and 2x2 max pooling, then three linear layers.
import * as nn from '@metaop/nn';

export interface LeNetOptions {
  /** Channels of the two conv blocks (LeNet-5 has 6 and 16). */
  channels?: readonly [number, number];
  /** Batch norm after each convolution (default true). */
  batchNorm?: boolean;
}

export function leNet(options: LeNetOptions = {}): nn.Sequential {
  const [c1, c2] = options.channels ?? [6, 16];
  const bn = options.batchNorm ?? true;
  const block = (cin: number, cout: number, padding: number) => [
    new nn.Conv2d(cin, cout, 5, { padding }),
    ...(bn ? [new nn.BatchNorm2d(cout)] : []),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
  ];
  return new nn.Sequential(
    ...block(1, c1, 2),
    ...block(c1, c2, 0),
    new nn.Flatten(),
    new nn.Linear(c2 * 25, 120),
    new nn.ReLU(),
    new nn.Linear(120, 84),
    new nn.ReLU(),
    new nn.Linear(84, 10),
  );
}
