// Inception v3 as torchvision builds it (299×299 inputs for the ImageNet weights, at least 75×75).
import { type OptionKeys, type Var } from '@metaop/core';
import { AdaptiveAvgPool2d, Conv2d, Dropout, Linear, MaxPool2d, Module } from '@metaop/nn';
import { flatten } from '@metaop/ops';
import { BasicConv2d } from './blocks/basic-conv2d.js';
import { imageNetTransform, transformImageNetInput, type ImageNetTransform } from './blocks/transform-input.js';
import { InceptionA, InceptionAux, InceptionB, InceptionC, InceptionD, InceptionE } from './inception-v3-blocks.js';
import { eachModule, Initializer } from './init.js';
import { dropoutClassifierKeys, initWeightsKeys, numClassesOf, probabilityOf, type DropoutClassifierOptions, type InitWeightsOption } from './options.js';

export interface Inception3Options extends DropoutClassifierOptions, InitWeightsOption {
  /** Build the auxiliary classifier (default true, as torchvision's inception_v3()). */
  auxLogits?: boolean;
  /**
   * Re-normalise an ImageNet-normalised input to (x - 0.5) / 0.5 first (default false; the ported
   * ImageNet weights expect true, which torchvision sets when it loads them).
   */
  transformInput?: boolean;
}
const inception3Keys: OptionKeys<Inception3Options> = { ...dropoutClassifierKeys, ...initWeightsKeys, auxLogits: true, transformInput: true };

/** The main logits and, in training mode with auxLogits, the auxiliary classifier's (torchvision's InceptionOutputs). */
export interface InceptionOutputs {
  logits: Var;
  auxLogits: Var | null;
}

export class Inception3 extends Module {
  readonly auxLogits: boolean;
  readonly transformInput: boolean;
  readonly #transform: ImageNetTransform | null;
  readonly Conv2d_1a_3x3: BasicConv2d;
  readonly Conv2d_2a_3x3: BasicConv2d;
  readonly Conv2d_2b_3x3: BasicConv2d;
  readonly maxpool1: MaxPool2d;
  readonly Conv2d_3b_1x1: BasicConv2d;
  readonly Conv2d_4a_3x3: BasicConv2d;
  readonly maxpool2: MaxPool2d;
  readonly Mixed_5b: InceptionA;
  readonly Mixed_5c: InceptionA;
  readonly Mixed_5d: InceptionA;
  readonly Mixed_6a: InceptionB;
  readonly Mixed_6b: InceptionC;
  readonly Mixed_6c: InceptionC;
  readonly Mixed_6d: InceptionC;
  readonly Mixed_6e: InceptionC;
  readonly AuxLogits: InceptionAux | null;
  readonly Mixed_7a: InceptionD;
  readonly Mixed_7b: InceptionE;
  readonly Mixed_7c: InceptionE;
  readonly avgpool: AdaptiveAvgPool2d;
  readonly dropout: Dropout;
  readonly fc: Linear;

  constructor(options: Inception3Options = {}) {
    super();
    const numClasses = numClassesOf(options, inception3Keys, 'Inception3');
    const p = probabilityOf(options.dropout, 0.5, 'dropout', 'Inception3');
    this.auxLogits = options.auxLogits ?? true;
    this.transformInput = options.transformInput ?? false;
    if (this.transformInput) {
      const t = imageNetTransform();
      this.#transform = {
        scale: this.registerBuffer('transformScale', t.scale, { persistent: false }),
        shift: this.registerBuffer('transformShift', t.shift, { persistent: false }),
      };
    } else this.#transform = null;
    const conv = (name: string, i: number, o: number, k: number, stride = 1, padding = 0) =>
      this.registerModule(name, new BasicConv2d(i, o, k, { stride, padding }));
    this.Conv2d_1a_3x3 = conv('Conv2d_1a_3x3', 3, 32, 3, 2);
    this.Conv2d_2a_3x3 = conv('Conv2d_2a_3x3', 32, 32, 3);
    this.Conv2d_2b_3x3 = conv('Conv2d_2b_3x3', 32, 64, 3, 1, 1);
    this.maxpool1 = this.registerModule('maxpool1', new MaxPool2d(3, { stride: 2 }));
    this.Conv2d_3b_1x1 = conv('Conv2d_3b_1x1', 64, 80, 1);
    this.Conv2d_4a_3x3 = conv('Conv2d_4a_3x3', 80, 192, 3);
    this.maxpool2 = this.registerModule('maxpool2', new MaxPool2d(3, { stride: 2 }));
    this.Mixed_5b = this.registerModule('Mixed_5b', new InceptionA(192, 32));
    this.Mixed_5c = this.registerModule('Mixed_5c', new InceptionA(256, 64));
    this.Mixed_5d = this.registerModule('Mixed_5d', new InceptionA(288, 64));
    this.Mixed_6a = this.registerModule('Mixed_6a', new InceptionB(288));
    this.Mixed_6b = this.registerModule('Mixed_6b', new InceptionC(768, 128));
    this.Mixed_6c = this.registerModule('Mixed_6c', new InceptionC(768, 160));
    this.Mixed_6d = this.registerModule('Mixed_6d', new InceptionC(768, 160));
    this.Mixed_6e = this.registerModule('Mixed_6e', new InceptionC(768, 192));
    this.AuxLogits = this.registerModule('AuxLogits', this.auxLogits ? new InceptionAux(768, numClasses) : null);
    this.Mixed_7a = this.registerModule('Mixed_7a', new InceptionD(768));
    this.Mixed_7b = this.registerModule('Mixed_7b', new InceptionE(1280));
    this.Mixed_7c = this.registerModule('Mixed_7c', new InceptionE(2048));
    this.avgpool = this.registerModule('avgpool', new AdaptiveAvgPool2d(1));
    this.dropout = this.registerModule('dropout', new Dropout(p));
    this.fc = this.registerModule('fc', new Linear(2048, numClasses));
    if (options.initWeights ?? true) this.#initWeights();
  }

  /** torchvision's: truncated normal, std 0.1 except the auxiliary head's conv1 (0.01) and fc (0.001). */
  #initWeights(): void {
    const std = new Map<Module, number>();
    if (this.AuxLogits) {
      std.set(this.AuxLogits.conv1.conv, 0.01);
      std.set(this.AuxLogits.fc, 0.001);
    }
    const initializer = new Initializer();
    eachModule(this, Conv2d, (c) => initializer.truncNormal(c.weight, std.get(c) ?? 0.1));
    eachModule(this, Linear, (l) => initializer.truncNormal(l.weight, std.get(l) ?? 0.1));
    initializer.apply();
  }

  /** All outputs: in training mode with auxLogits the auxiliary logits too. */
  forwardWithAux(x: Var): InceptionOutputs {
    return this.#run(x, this.training);
  }

  /** The main classifier's logits (use forwardWithAux to train the auxiliary classifier too). */
  forward(x: Var): Var {
    return this.#run(x, false).logits;
  }

  #run(x: Var, withAux: boolean): InceptionOutputs {
    let y = this.#transform !== null ? transformImageNetInput(x, this.#transform, 'Inception3') : x;
    for (const layer of [this.Conv2d_1a_3x3, this.Conv2d_2a_3x3, this.Conv2d_2b_3x3, this.maxpool1, this.Conv2d_3b_1x1, this.Conv2d_4a_3x3, this.maxpool2]) {
      y = layer.forward(y);
    }
    for (const block of [this.Mixed_5b, this.Mixed_5c, this.Mixed_5d, this.Mixed_6a, this.Mixed_6b, this.Mixed_6c, this.Mixed_6d, this.Mixed_6e]) {
      y = block.forward(y);
    }
    const aux = this.AuxLogits && withAux ? this.AuxLogits.forward(y) : null;
    y = this.Mixed_7c.forward(this.Mixed_7b.forward(this.Mixed_7a.forward(y)));
    y = flatten(this.dropout.forward(this.avgpool.forward(y)), 1);
    return { logits: this.fc.forward(y), auxLogits: aux };
  }
}

/** Inception v3; input [N, 3, H, W] with H, W >= 75 (299×299 for the ImageNet weights). */
export function inception_v3(options: Inception3Options = {}): Inception3 {
  return new Inception3(options);
}
