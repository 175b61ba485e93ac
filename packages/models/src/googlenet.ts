// GoogLeNet (Inception v1) as torchvision builds it, including its 3×3 (not 5×5) third branch and
// the two auxiliary classifiers that run only in training mode.
import { type OptionKeys, type Var } from '@metaop/core';
import { AdaptiveAvgPool2d, Conv2d, Dropout, Linear, MaxPool2d, Module, Sequential } from '@metaop/nn';
import { adaptiveAvgPool2d, concat, flatten, relu } from '@metaop/ops';
import { BasicConv2d } from './blocks/basic-conv2d.js';
import { imageNetTransform, transformImageNetInput, type ImageNetTransform } from './blocks/transform-input.js';
import { eachModule, Initializer } from './init.js';
import { dropoutClassifierKeys, initWeightsKeys, numClassesOf, probabilityOf, type DropoutClassifierOptions, type InitWeightsOption } from './options.js';

/** Four parallel branches (1×1; 1×1→3×3; 1×1→3×3; 3×3 max pool→1×1) concatenated on channels. */
export class Inception extends Module {
  readonly branch1: BasicConv2d;
  readonly branch2: Sequential;
  readonly branch3: Sequential;
  readonly branch4: Sequential;

  constructor(inChannels: number, ch1x1: number, ch3x3red: number, ch3x3: number, ch5x5red: number, ch5x5: number, poolProj: number) {
    super();
    this.branch1 = this.registerModule('branch1', new BasicConv2d(inChannels, ch1x1, 1));
    this.branch2 = this.registerModule('branch2', new Sequential(new BasicConv2d(inChannels, ch3x3red, 1), new BasicConv2d(ch3x3red, ch3x3, 3, { padding: 1 })));
    // torchvision uses a 3×3 kernel here where the paper has 5×5 (pytorch/vision#906); the weights expect it.
    this.branch3 = this.registerModule('branch3', new Sequential(new BasicConv2d(inChannels, ch5x5red, 1), new BasicConv2d(ch5x5red, ch5x5, 3, { padding: 1 })));
    this.branch4 = this.registerModule(
      'branch4',
      new Sequential(new MaxPool2d(3, { stride: 1, padding: 1, ceilMode: true }), new BasicConv2d(inChannels, poolProj, 1)),
    );
  }

  forward(x: Var): Var {
    return concat([this.branch1.forward(x), this.branch2.forward(x), this.branch3.forward(x), this.branch4.forward(x)], 1);
  }
}

/** GoogLeNet's auxiliary classifier: 4×4 adaptive average pool, 1×1 conv to 128, two Linear layers. */
export class GoogLeNetAux extends Module {
  readonly conv: BasicConv2d;
  readonly fc1: Linear;
  readonly fc2: Linear;
  readonly dropout: Dropout;

  constructor(inChannels: number, numClasses: number, dropout = 0.7) {
    super();
    this.conv = this.registerModule('conv', new BasicConv2d(inChannels, 128, 1));
    this.fc1 = this.registerModule('fc1', new Linear(2048, 1024));
    this.fc2 = this.registerModule('fc2', new Linear(1024, numClasses));
    this.dropout = this.registerModule('dropout', new Dropout(dropout));
  }

  forward(x: Var): Var {
    const y = flatten(this.conv.forward(adaptiveAvgPool2d(x, 4)), 1);
    return this.fc2.forward(this.dropout.forward(relu(this.fc1.forward(y))));
  }
}

export interface GoogLeNetOptions extends DropoutClassifierOptions, InitWeightsOption {
  /** Build the two auxiliary classifiers (default true, as torchvision's googlenet()). */
  auxLogits?: boolean;
  /**
   * Re-normalise an ImageNet-normalised input to (x - 0.5) / 0.5 first (default false; the ported
   * ImageNet weights expect true, which torchvision sets when it loads them).
   */
  transformInput?: boolean;
  /** Dropout of the auxiliary classifiers (default 0.7). */
  dropoutAux?: number;
}
const googLeNetKeys: OptionKeys<GoogLeNetOptions> = { ...dropoutClassifierKeys, ...initWeightsKeys, auxLogits: true, transformInput: true, dropoutAux: true };

/** The main logits and, in training mode with auxLogits, the auxiliary classifiers' logits. */
export interface GoogLeNetOutputs {
  logits: Var;
  auxLogits2: Var | null;
  auxLogits1: Var | null;
}

export class GoogLeNet extends Module {
  readonly auxLogits: boolean;
  readonly transformInput: boolean;
  readonly #transform: ImageNetTransform | null;
  readonly conv1: BasicConv2d;
  readonly maxpool1: MaxPool2d;
  readonly conv2: BasicConv2d;
  readonly conv3: BasicConv2d;
  readonly maxpool2: MaxPool2d;
  readonly inception3a: Inception;
  readonly inception3b: Inception;
  readonly maxpool3: MaxPool2d;
  readonly inception4a: Inception;
  readonly inception4b: Inception;
  readonly inception4c: Inception;
  readonly inception4d: Inception;
  readonly inception4e: Inception;
  readonly maxpool4: MaxPool2d;
  readonly inception5a: Inception;
  readonly inception5b: Inception;
  readonly aux1: GoogLeNetAux | null;
  readonly aux2: GoogLeNetAux | null;
  readonly avgpool: AdaptiveAvgPool2d;
  readonly dropout: Dropout;
  readonly fc: Linear;

  constructor(options: GoogLeNetOptions = {}) {
    super();
    const numClasses = numClassesOf(options, googLeNetKeys, 'GoogLeNet');
    const p = probabilityOf(options.dropout, 0.2, 'dropout', 'GoogLeNet');
    const pAux = probabilityOf(options.dropoutAux, 0.7, 'dropoutAux', 'GoogLeNet');
    this.auxLogits = options.auxLogits ?? true;
    this.transformInput = options.transformInput ?? false;
    if (this.transformInput) {
      const t = imageNetTransform();
      this.#transform = {
        scale: this.registerBuffer('transformScale', t.scale, { persistent: false }),
        shift: this.registerBuffer('transformShift', t.shift, { persistent: false }),
      };
    } else this.#transform = null;
    const pool = (k: number) => new MaxPool2d(k, { stride: 2, ceilMode: true });
    this.conv1 = this.registerModule('conv1', new BasicConv2d(3, 64, 7, { stride: 2, padding: 3 }));
    this.maxpool1 = this.registerModule('maxpool1', pool(3));
    this.conv2 = this.registerModule('conv2', new BasicConv2d(64, 64, 1));
    this.conv3 = this.registerModule('conv3', new BasicConv2d(64, 192, 3, { padding: 1 }));
    this.maxpool2 = this.registerModule('maxpool2', pool(3));
    this.inception3a = this.registerModule('inception3a', new Inception(192, 64, 96, 128, 16, 32, 32));
    this.inception3b = this.registerModule('inception3b', new Inception(256, 128, 128, 192, 32, 96, 64));
    this.maxpool3 = this.registerModule('maxpool3', pool(3));
    this.inception4a = this.registerModule('inception4a', new Inception(480, 192, 96, 208, 16, 48, 64));
    this.inception4b = this.registerModule('inception4b', new Inception(512, 160, 112, 224, 24, 64, 64));
    this.inception4c = this.registerModule('inception4c', new Inception(512, 128, 128, 256, 24, 64, 64));
    this.inception4d = this.registerModule('inception4d', new Inception(512, 112, 144, 288, 32, 64, 64));
    this.inception4e = this.registerModule('inception4e', new Inception(528, 256, 160, 320, 32, 128, 128));
    this.maxpool4 = this.registerModule('maxpool4', pool(2));
    this.inception5a = this.registerModule('inception5a', new Inception(832, 256, 160, 320, 32, 128, 128));
    this.inception5b = this.registerModule('inception5b', new Inception(832, 384, 192, 384, 48, 128, 128));
    this.aux1 = this.registerModule('aux1', this.auxLogits ? new GoogLeNetAux(512, numClasses, pAux) : null);
    this.aux2 = this.registerModule('aux2', this.auxLogits ? new GoogLeNetAux(528, numClasses, pAux) : null);
    this.avgpool = this.registerModule('avgpool', new AdaptiveAvgPool2d(1));
    this.dropout = this.registerModule('dropout', new Dropout(p));
    this.fc = this.registerModule('fc', new Linear(1024, numClasses));
    if (options.initWeights ?? true) {
      const initializer = new Initializer();
      eachModule(this, Conv2d, (c) => initializer.truncNormal(c.weight, 0.01));
      eachModule(this, Linear, (l) => initializer.truncNormal(l.weight, 0.01));
      initializer.apply();
    }
  }

  /** All outputs: in training mode with auxLogits the auxiliary logits too (torchvision's GoogLeNetOutputs). */
  forwardWithAux(x: Var): GoogLeNetOutputs {
    return this.#run(x, this.training);
  }

  /** The main classifier's logits (use forwardWithAux to train the auxiliary classifiers too). */
  forward(x: Var): Var {
    return this.#run(x, false).logits;
  }

  #run(x: Var, withAux: boolean): GoogLeNetOutputs {
    let y = this.#transform !== null ? transformImageNetInput(x, this.#transform, 'GoogLeNet') : x;
    y = this.maxpool1.forward(this.conv1.forward(y));
    y = this.maxpool2.forward(this.conv3.forward(this.conv2.forward(y)));
    y = this.maxpool3.forward(this.inception3b.forward(this.inception3a.forward(y)));
    y = this.inception4a.forward(y);
    const aux1 = this.aux1 && withAux ? this.aux1.forward(y) : null;
    y = this.inception4d.forward(this.inception4c.forward(this.inception4b.forward(y)));
    const aux2 = this.aux2 && withAux ? this.aux2.forward(y) : null;
    y = this.maxpool4.forward(this.inception4e.forward(y));
    y = this.inception5b.forward(this.inception5a.forward(y));
    y = flatten(this.avgpool.forward(y), 1);
    return { logits: this.fc.forward(this.dropout.forward(y)), auxLogits2: aux2, auxLogits1: aux1 };
  }
}

/** GoogLeNet; input [N, 3, H, W] with H, W >= 15 (224×224 for the ImageNet weights). */
export function googlenet(options: GoogLeNetOptions = {}): GoogLeNet {
  return new GoogLeNet(options);
}
