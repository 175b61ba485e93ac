// The mixed blocks of Inception v3 (A to E) and its auxiliary classifier, with torchvision's names.
import { type Var } from '@metaop/core';
import { Linear, Module, type Pair } from '@metaop/nn';
import { adaptiveAvgPool2d, avgPool2d, concat, flatten, maxPool2d } from '@metaop/ops';
import { BasicConv2d } from './blocks/basic-conv2d.js';

/** A block whose branches are BasicConv2d layers registered under torchvision's names. */
abstract class MixedBlock extends Module {
  protected conv(name: string, inChannels: number, outChannels: number, kernelSize: Pair, padding: Pair = 0, stride = 1): BasicConv2d {
    return this.registerModule(name, new BasicConv2d(inChannels, outChannels, kernelSize, { padding, stride }));
  }
}

const pool3x3 = (x: Var) => avgPool2d(x, 3, { stride: 1, padding: 1 });

/** 35×35 block: 1×1, 5×5, double 3×3 and pooled branches. */
export class InceptionA extends MixedBlock {
  readonly branch1x1: BasicConv2d;
  readonly branch5x5_1: BasicConv2d;
  readonly branch5x5_2: BasicConv2d;
  readonly branch3x3dbl_1: BasicConv2d;
  readonly branch3x3dbl_2: BasicConv2d;
  readonly branch3x3dbl_3: BasicConv2d;
  readonly branch_pool: BasicConv2d;

  constructor(inChannels: number, poolFeatures: number) {
    super();
    this.branch1x1 = this.conv('branch1x1', inChannels, 64, 1);
    this.branch5x5_1 = this.conv('branch5x5_1', inChannels, 48, 1);
    this.branch5x5_2 = this.conv('branch5x5_2', 48, 64, 5, 2);
    this.branch3x3dbl_1 = this.conv('branch3x3dbl_1', inChannels, 64, 1);
    this.branch3x3dbl_2 = this.conv('branch3x3dbl_2', 64, 96, 3, 1);
    this.branch3x3dbl_3 = this.conv('branch3x3dbl_3', 96, 96, 3, 1);
    this.branch_pool = this.conv('branch_pool', inChannels, poolFeatures, 1);
  }

  forward(x: Var): Var {
    const b5 = this.branch5x5_2.forward(this.branch5x5_1.forward(x));
    const b3 = this.branch3x3dbl_3.forward(this.branch3x3dbl_2.forward(this.branch3x3dbl_1.forward(x)));
    return concat([this.branch1x1.forward(x), b5, b3, this.branch_pool.forward(pool3x3(x))], 1);
  }
}

/** Grid reduction 35→17: strided 3×3, strided double 3×3 and a 3×3 max pool. */
export class InceptionB extends MixedBlock {
  readonly branch3x3: BasicConv2d;
  readonly branch3x3dbl_1: BasicConv2d;
  readonly branch3x3dbl_2: BasicConv2d;
  readonly branch3x3dbl_3: BasicConv2d;

  constructor(inChannels: number) {
    super();
    this.branch3x3 = this.conv('branch3x3', inChannels, 384, 3, 0, 2);
    this.branch3x3dbl_1 = this.conv('branch3x3dbl_1', inChannels, 64, 1);
    this.branch3x3dbl_2 = this.conv('branch3x3dbl_2', 64, 96, 3, 1);
    this.branch3x3dbl_3 = this.conv('branch3x3dbl_3', 96, 96, 3, 0, 2);
  }

  forward(x: Var): Var {
    const b3 = this.branch3x3dbl_3.forward(this.branch3x3dbl_2.forward(this.branch3x3dbl_1.forward(x)));
    return concat([this.branch3x3.forward(x), b3, maxPool2d(x, 3, { stride: 2 })], 1);
  }
}

/** 17×17 block with factorised 7×7 convolutions (1×7 then 7×1). */
export class InceptionC extends MixedBlock {
  readonly branch1x1: BasicConv2d;
  readonly branch7x7_1: BasicConv2d;
  readonly branch7x7_2: BasicConv2d;
  readonly branch7x7_3: BasicConv2d;
  readonly branch7x7dbl_1: BasicConv2d;
  readonly branch7x7dbl_2: BasicConv2d;
  readonly branch7x7dbl_3: BasicConv2d;
  readonly branch7x7dbl_4: BasicConv2d;
  readonly branch7x7dbl_5: BasicConv2d;
  readonly branch_pool: BasicConv2d;

  constructor(inChannels: number, channels7x7: number) {
    super();
    const c7 = channels7x7;
    this.branch1x1 = this.conv('branch1x1', inChannels, 192, 1);
    this.branch7x7_1 = this.conv('branch7x7_1', inChannels, c7, 1);
    this.branch7x7_2 = this.conv('branch7x7_2', c7, c7, [1, 7], [0, 3]);
    this.branch7x7_3 = this.conv('branch7x7_3', c7, 192, [7, 1], [3, 0]);
    this.branch7x7dbl_1 = this.conv('branch7x7dbl_1', inChannels, c7, 1);
    this.branch7x7dbl_2 = this.conv('branch7x7dbl_2', c7, c7, [7, 1], [3, 0]);
    this.branch7x7dbl_3 = this.conv('branch7x7dbl_3', c7, c7, [1, 7], [0, 3]);
    this.branch7x7dbl_4 = this.conv('branch7x7dbl_4', c7, c7, [7, 1], [3, 0]);
    this.branch7x7dbl_5 = this.conv('branch7x7dbl_5', c7, 192, [1, 7], [0, 3]);
    this.branch_pool = this.conv('branch_pool', inChannels, 192, 1);
  }

  forward(x: Var): Var {
    const b7 = this.branch7x7_3.forward(this.branch7x7_2.forward(this.branch7x7_1.forward(x)));
    let d = this.branch7x7dbl_1.forward(x);
    for (const layer of [this.branch7x7dbl_2, this.branch7x7dbl_3, this.branch7x7dbl_4, this.branch7x7dbl_5]) d = layer.forward(d);
    return concat([this.branch1x1.forward(x), b7, d, this.branch_pool.forward(pool3x3(x))], 1);
  }
}

/** Grid reduction 17→8: strided 3×3, 7×7 then strided 3×3, and a 3×3 max pool. */
export class InceptionD extends MixedBlock {
  readonly branch3x3_1: BasicConv2d;
  readonly branch3x3_2: BasicConv2d;
  readonly branch7x7x3_1: BasicConv2d;
  readonly branch7x7x3_2: BasicConv2d;
  readonly branch7x7x3_3: BasicConv2d;
  readonly branch7x7x3_4: BasicConv2d;

  constructor(inChannels: number) {
    super();
    this.branch3x3_1 = this.conv('branch3x3_1', inChannels, 192, 1);
    this.branch3x3_2 = this.conv('branch3x3_2', 192, 320, 3, 0, 2);
    this.branch7x7x3_1 = this.conv('branch7x7x3_1', inChannels, 192, 1);
    this.branch7x7x3_2 = this.conv('branch7x7x3_2', 192, 192, [1, 7], [0, 3]);
    this.branch7x7x3_3 = this.conv('branch7x7x3_3', 192, 192, [7, 1], [3, 0]);
    this.branch7x7x3_4 = this.conv('branch7x7x3_4', 192, 192, 3, 0, 2);
  }

  forward(x: Var): Var {
    const b3 = this.branch3x3_2.forward(this.branch3x3_1.forward(x));
    let b7 = this.branch7x7x3_1.forward(x);
    for (const layer of [this.branch7x7x3_2, this.branch7x7x3_3, this.branch7x7x3_4]) b7 = layer.forward(b7);
    return concat([b3, b7, maxPool2d(x, 3, { stride: 2 })], 1);
  }
}

/** 8×8 block whose 3×3 branches fan out into parallel 1×3 and 3×1 convolutions. */
export class InceptionE extends MixedBlock {
  readonly branch1x1: BasicConv2d;
  readonly branch3x3_1: BasicConv2d;
  readonly branch3x3_2a: BasicConv2d;
  readonly branch3x3_2b: BasicConv2d;
  readonly branch3x3dbl_1: BasicConv2d;
  readonly branch3x3dbl_2: BasicConv2d;
  readonly branch3x3dbl_3a: BasicConv2d;
  readonly branch3x3dbl_3b: BasicConv2d;
  readonly branch_pool: BasicConv2d;

  constructor(inChannels: number) {
    super();
    this.branch1x1 = this.conv('branch1x1', inChannels, 320, 1);
    this.branch3x3_1 = this.conv('branch3x3_1', inChannels, 384, 1);
    this.branch3x3_2a = this.conv('branch3x3_2a', 384, 384, [1, 3], [0, 1]);
    this.branch3x3_2b = this.conv('branch3x3_2b', 384, 384, [3, 1], [1, 0]);
    this.branch3x3dbl_1 = this.conv('branch3x3dbl_1', inChannels, 448, 1);
    this.branch3x3dbl_2 = this.conv('branch3x3dbl_2', 448, 384, 3, 1);
    this.branch3x3dbl_3a = this.conv('branch3x3dbl_3a', 384, 384, [1, 3], [0, 1]);
    this.branch3x3dbl_3b = this.conv('branch3x3dbl_3b', 384, 384, [3, 1], [1, 0]);
    this.branch_pool = this.conv('branch_pool', inChannels, 192, 1);
  }

  forward(x: Var): Var {
    const s = this.branch3x3_1.forward(x);
    const b3 = concat([this.branch3x3_2a.forward(s), this.branch3x3_2b.forward(s)], 1);
    const d = this.branch3x3dbl_2.forward(this.branch3x3dbl_1.forward(x));
    const bd = concat([this.branch3x3dbl_3a.forward(d), this.branch3x3dbl_3b.forward(d)], 1);
    return concat([this.branch1x1.forward(x), b3, bd, this.branch_pool.forward(pool3x3(x))], 1);
  }
}

/** Inception v3's auxiliary classifier on the 17×17 grid: 5×5/3 average pool, 1×1 and 5×5 convolutions, Linear. */
export class InceptionAux extends MixedBlock {
  readonly conv0: BasicConv2d;
  readonly conv1: BasicConv2d;
  readonly fc: Linear;

  constructor(inChannels: number, numClasses: number) {
    super();
    this.conv0 = this.conv('conv0', inChannels, 128, 1);
    this.conv1 = this.conv('conv1', 128, 768, 5);
    this.fc = this.registerModule('fc', new Linear(768, numClasses));
  }

  forward(x: Var): Var {
    const y = this.conv1.forward(this.conv0.forward(avgPool2d(x, 5, { stride: 3 })));
    return this.fc.forward(flatten(adaptiveAvgPool2d(y, 1), 1));
  }
}
