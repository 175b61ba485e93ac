// The network of the Fashion-MNIST example: LeNet-5's shape with batch norm and wider conv layers
// (two 5x5 conv blocks, each conv → BatchNorm → ReLU → 2x2 max pool, then three linear layers).
import * as nn from '@metaop/nn';

export interface FashionNetOptions {
  /** Channels of the two conv blocks (default 16 and 32; LeNet-5 had 6 and 16). */
  channels?: readonly [number, number];
}

export function fashionNet(options: FashionNetOptions = {}): nn.Sequential {
  const [c1, c2] = options.channels ?? [16, 32];
  return new nn.Sequential(
    new nn.Conv2d(1, c1, 5, { padding: 2 }), // 28x28 -> 28x28
    new nn.BatchNorm2d(c1),
    new nn.ReLU(),
    new nn.MaxPool2d(2), // -> 14x14
    new nn.Conv2d(c1, c2, 5), // -> 10x10
    new nn.BatchNorm2d(c2),
    new nn.ReLU(),
    new nn.MaxPool2d(2), // -> 5x5
    new nn.Flatten(),
    new nn.Linear(c2 * 25, 120),
    new nn.ReLU(),
    new nn.Linear(120, 84),
    new nn.ReLU(),
    new nn.Linear(84, 10),
  );
}
