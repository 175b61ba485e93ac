// Activation modules, Softmax/LogSoftmax and Dropout: thin wrappers over the ops.
import { ArgumentError, type Var } from '@metaop/core';
import { dropout, gelu, hardswish, leakyRelu, logSoftmax, relu, relu6, sigmoid, silu, softmax, tanh } from '@metaop/ops';
import { Module } from '../module.js';

export class ReLU extends Module {
  forward(x: Var): Var {
    return relu(x);
  }
}

/** min(max(x, 0), 6). */
export class ReLU6 extends Module {
  forward(x: Var): Var {
    return relu6(x);
  }
}

export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }

  forward(x: Var): Var {
    return leakyRelu(x, this.negativeSlope);
  }
}

/** GELU, exact (erf) by default or with the tanh approximation. */
export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
  }

  forward(x: Var): Var {
    return gelu(x, this.approximate);
  }
}

/** x·sigmoid(x). */
export class SiLU extends Module {
  forward(x: Var): Var {
    return silu(x);
  }
}

export class Sigmoid extends Module {
  forward(x: Var): Var {
    return sigmoid(x);
  }
}

export class Tanh extends Module {
  forward(x: Var): Var {
    return tanh(x);
  }
}

/** x·relu6(x + 3)/6. */
export class Hardswish extends Module {
  forward(x: Var): Var {
    return hardswish(x);
  }
}

/** Softmax along `dim` (required: PyTorch's implicit dim is deprecated). */
export class Softmax extends Module {
  constructor(readonly dim: number) {
    super();
  }

  forward(x: Var): Var {
    return softmax(x, this.dim);
  }
}

export class LogSoftmax extends Module {
  constructor(readonly dim: number) {
    super();
  }

  forward(x: Var): Var {
    return logSoftmax(x, this.dim);
  }
}

/**
 * In training mode zeroes each element with probability p and scales the rest by 1/(1-p); the
 * identity in eval mode. Masks come from the global Philox stream (manualSeed).
 */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p <= 1)) throw new ArgumentError(`probability ${p} must be in [0, 1]`, 'Dropout');
  }

  forward(x: Var): Var {
    return dropout(x, this.p, { training: this.training });
  }
}
