// Options every classifier shares, and their checks.
import { ArgumentError, checkOptions, type OptionKeys } from '@metaop/core';

export interface ClassifierOptions {
  /** Size of the final layer's output (default 1000, ImageNet's classes). */
  numClasses?: number;
}

export interface DropoutClassifierOptions extends ClassifierOptions {
  /** Dropout probability before (or inside) the classifier, as in torchvision. */
  dropout?: number;
}

export interface InitWeightsOption {
  /**
   * Apply torchvision's weight initialisation after building (default true). False keeps the
   * layers' own defaults, which is cheaper when weights are loaded right after.
   */
  initWeights?: boolean;
}

export const classifierKeys: OptionKeys<ClassifierOptions> = { numClasses: true };
export const dropoutClassifierKeys: OptionKeys<DropoutClassifierOptions> = { ...classifierKeys, dropout: true };
export const initWeightsKeys: OptionKeys<InitWeightsOption> = { initWeights: true };

/** Checks a classifier's options against `keys` (every option it takes), then returns numClasses. */
export function numClassesOf<T extends ClassifierOptions>(options: T, keys: OptionKeys<T>, model: string): number {
  checkOptions(options, keys, model);
  const n = options.numClasses ?? 1000;
  if (!Number.isInteger(n) || n < 1) throw new ArgumentError(`numClasses must be a positive integer, got ${n}`, model);
  return n;
}

export function probabilityOf(p: number | undefined, fallback: number, what: string, model: string): number {
  const v = p ?? fallback;
  if (!(v >= 0 && v <= 1)) throw new ArgumentError(`${what} ${v} must be a probability in [0, 1]`, model);
  return v;
}
