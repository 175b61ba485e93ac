// A plain classification training loop and evaluation, shared by the training tests (and meant
// to be mirrored by the examples app): forward, cross entropy, one optimizer step per batch.
import { argmax, eq, noGrad, sum, type Var } from '@metaop/ops';
import { CrossEntropyLoss, type DataLoader, type ImageBatch, type ImageDataset, type LRScheduler, type Module, type Optimizer, type StepOptions } from '@metaop/nn';

export interface TrainOptions {
  epochs: number;
  /** The loss (default: plain cross entropy). */
  loss?: Module<[Var, Var]>;
  /** Stepped after every optimizer step (schedules defined in iterations). */
  scheduler?: LRScheduler;
  /** Stop after this many steps in total. */
  maxSteps?: number;
  step?: StepOptions;
  /** Called with the step index and the loss after each step. */
  onStep?: (step: number, loss: number) => void;
}

/** Trains `model` and returns the loss of every step. */
export function trainClassifier(
  model: Module,
  optimizer: Optimizer<object>,
  loader: DataLoader<ImageBatch>,
  options: TrainOptions,
): number[] {
  const losses: number[] = [];
  const lossFn = options.loss ?? new CrossEntropyLoss();
  model.train();
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (const { x, y } of loader) {
      const { loss } = optimizer.step(lossFn.forward(model.forward(x), y), options.step);
      const value = loss.item();
      losses.push(value);
      options.onStep?.(losses.length - 1, value);
      options.scheduler?.step();
      if (options.maxSteps !== undefined && losses.length >= options.maxSteps) return losses;
    }
  }
  return losses;
}

/** Fraction of `dataset` classified correctly, in eval mode without gradients. */
export function accuracy(model: Module, dataset: ImageDataset, batchSize = 500): number {
  model.eval();
  let correct = 0;
  noGrad(() => {
    for (let start = 0; start < dataset.length; start += batchSize) {
      const idx = new Int32Array(Math.min(batchSize, dataset.length - start)).map((_, i) => start + i);
      const { x, y }: { x: Var; y: Var } = dataset.batch(idx);
      correct += sum(eq(argmax(model.forward(x), 1), y)).item();
    }
  });
  model.train();
  return correct / dataset.length;
}

/** Means of consecutive windows of `size` values (a smoothed loss curve). */
export function windowMeans(values: readonly number[], size: number): number[] {
  const out: number[] = [];
  for (let i = 0; i + size <= values.length; i += size) out.push(values.slice(i, i + size).reduce((a, b) => a + b, 0) / size);
  return out;
}
