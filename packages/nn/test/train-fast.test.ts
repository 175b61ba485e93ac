// A fast end-to-end training check that runs on any backend, the slow reference oracle included:
// an MLP on 4x-downsampled Fashion-MNIST (7x7 block means, computed once on the host), a few
// hundred SGD steps on a subset, must reach 70% test accuracy.
import { beforeAll, describe, expect, it } from 'vitest';
import { manualSeed } from '@metaop/ops';
import * as nn from '@metaop/nn';
import { backendName, useTestBackend } from './helpers.js';
import { accuracy, trainClassifier, windowMeans } from './support/training.js';

/** The dataset with each 4x4 pixel block replaced by its (rounded) mean: 28x28 -> 7x7. */
function downsample4(ds: nn.ImageDataset): nn.ImageDataset {
  const out = new Uint8Array(ds.length * 49);
  for (let n = 0; n < ds.length; n++) {
    for (let r = 0; r < 7; r++) {
      for (let c = 0; c < 7; c++) {
        let s = 0;
        for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) s += ds.images[n * 784 + (4 * r + i) * 28 + 4 * c + j];
        out[n * 49 + r * 7 + c] = Math.round(s / 16);
      }
    }
  }
  return new nn.ImageDataset(out, ds.labels, 7, 7, ds.normalization);
}

const haveData = nn.hasFashionMnist();
if (!haveData) console.warn(`[nn tests] Fashion-MNIST not found in ${nn.fashionMnistDir()}: skipping the training test (apt-get install dataset-fashion-mnist)`);

beforeAll(useTestBackend);

describe.skipIf(!haveData)(`training on Fashion-MNIST (${backendName} backend)`, () => {
  it('an MLP on 7x7 images beats 70% test accuracy after 300 steps', () => {
    manualSeed(0);
    const norm = { mean: 0.286, std: 0.353 };
    const train = downsample4(nn.loadFashionMnist({ split: 'train', normalization: norm }).slice(0, 19200));
    const test = downsample4(nn.loadFashionMnist({ split: 'test', normalization: norm }).slice(0, 2000));
    const model = new nn.Sequential(new nn.Flatten(), new nn.Linear(49, 16), new nn.ReLU(), new nn.Linear(16, 10));
    const optimizer = new nn.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
    const loader = new nn.DataLoader(train, { batchSize: 64, shuffle: true, seed: 1, dropLast: true });
    const losses = trainClassifier(model, optimizer, loader, { epochs: 1, maxSteps: 300 });
    expect(losses.length).toBe(300);
    const curve = windowMeans(losses, 50);
    expect(curve[curve.length - 1]).toBeLessThan(curve[0] * 0.6);
    const acc = accuracy(model, test);
    console.log(`[nn tests] fast MLP: ${(acc * 100).toFixed(1)}% test accuracy, smoothed loss ${curve.map((l) => l.toFixed(3)).join(' > ')}`);
    expect(acc).toBeGreaterThan(0.7);
  });
});
