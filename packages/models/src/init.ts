// The weight initialisations torchvision's constructors apply after building a model, so a model
// trained from scratch here starts from the same distributions as in torchvision. The new values
// are built lazily and realized together, so their kernels compile in one batch.
import { type Var } from '@metaop/core';
import { Conv2d, Linear, init, type AnyModule } from '@metaop/nn';
import { add, cast, clamp, mul, noGrad, rand, randn, realize, zeros } from '@metaop/ops';

/** Pending [parameter, new value] pairs of one model. */
export class Initializer {
  readonly #updates: [Var, Var][] = [];

  /** N(mean, std²). */
  normal(w: Var, std: number, mean = 0): this {
    return this.#set(w, add(mul(randn(w.shape, { dtype: 'float64' }), std), mean));
  }

  /**
   * N(0, std²) truncated to [a, b], as torch.nn.init.trunc_normal_ with torchvision's bounds ±2.
   * For the standard deviations torchvision uses (at most 0.1) the bounds lie 20σ out, so clamping
   * draws the same distribution; @metaop/nn has no trunc_normal_ yet.
   */
  truncNormal(w: Var, std: number, a = -2, b = 2): this {
    return this.#set(w, clamp(mul(randn(w.shape, { dtype: 'float64' }), std), a, b));
  }

  /** He normal, std = gain/√fan with the ReLU gain √2 (torch's kaiming_normal_ with a = 0). */
  kaimingNormal(w: Var, mode: 'fan_in' | 'fan_out' = 'fan_in'): this {
    const fans = init.computeFans(w);
    return this.normal(w, Math.SQRT2 / Math.sqrt(mode === 'fan_in' ? fans.fanIn : fans.fanOut));
  }

  /** He uniform with a = 0 (torch's kaiming_uniform_ default): bound √3·√2/√fan_in. */
  kaimingUniform(w: Var): this {
    const bound = Math.sqrt(3) * (Math.SQRT2 / Math.sqrt(init.computeFans(w).fanIn));
    return this.#set(w, add(mul(rand(w.shape, { dtype: 'float64' }), 2 * bound), -bound));
  }

  zeros(w: Var | null): this {
    return w ? this.#set(w, zeros(w.shape, w.dtype)) : this;
  }

  #set(w: Var, value: Var): this {
    this.#updates.push([w, cast(value, w.dtype)]);
    return this;
  }

  /** Computes every new value (one batch of kernels), then moves each into its parameter. */
  apply(): void {
    noGrad(() => {
      realize(this.#updates.map(([, v]) => v));
      for (const [w, v] of this.#updates) w.assign(v);
    });
    this.#updates.length = 0;
  }
}

/** Calls fn on each module of the given class, in module order. */
export function eachModule<T extends AnyModule>(root: AnyModule, kind: abstract new (...args: never[]) => T, fn: (m: T) => void): void {
  for (const m of root.modules()) if (m instanceof kind) fn(m);
}

/**
 * Conv2d weights He-normal (fan_out), biases zero: ResNet, VGG, MobileNetV2. (BatchNorm weights 1
 * and biases 0, which torchvision also sets, are already @metaop/nn's defaults.)
 */
export function kaimingFanOutConvs(root: AnyModule, into: Initializer): Initializer {
  eachModule(root, Conv2d, (c) => into.kaimingNormal(c.weight, 'fan_out').zeros(c.bias));
  return into;
}

/** Linear weights N(0, std²), biases zero (VGG and MobileNetV2 with std 0.01). */
export function normalLinears(root: AnyModule, std: number, into: Initializer): Initializer {
  eachModule(root, Linear, (l) => into.normal(l.weight, std).zeros(l.bias));
  return into;
}
