// Test-set evaluation: accuracy, mean cross-entropy and the confusion matrix, in eval mode
// without gradients.
import { argmax, crossEntropy, noGrad, realize } from '@metaop/ops';
import type { ImageDataset, Module } from '@metaop/nn';

export interface Evaluation {
  accuracy: number;
  loss: number;
  /** Rows: true class, columns: predicted class. */
  confusion: number[][];
}

export function evaluate(model: Module, dataset: ImageDataset, classes: number, batchSize = 500): Evaluation {
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let lossSum = 0;
  let correct = 0;
  const wasTraining = model.training;
  model.eval();
  noGrad(() => {
    for (let start = 0; start < dataset.length; start += batchSize) {
      const n = Math.min(batchSize, dataset.length - start);
      const idx = Int32Array.from({ length: n }, (_, i) => start + i);
      const { x, y } = dataset.batch(idx);
      const logits = model.forward(x);
      const loss = crossEntropy(logits, y, { reduction: 'sum' });
      const pred = argmax(logits, 1);
      realize([loss, pred]); // one pass over the network for both
      lossSum += loss.item();
      const p = pred.dataSync();
      for (let i = 0; i < n; i++) {
        const t = dataset.labels[start + i];
        confusion[t][Number(p[i])]++;
        if (Number(p[i]) === t) correct++;
      }
      for (const v of [x, y, logits, loss, pred]) v.dispose();
    }
  });
  model.train(wasTraining);
  return { accuracy: correct / dataset.length, loss: lossSum / dataset.length, confusion };
}
