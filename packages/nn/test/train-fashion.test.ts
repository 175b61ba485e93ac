// The end-to-end acceptance test: a LeNet-style CNN trained with SGD on Fashion-MNIST for two
// epochs must reach 89% test accuracy, with a loss that falls monotonically (in 50-step means)
// over the first 200 steps. It needs a compiled backend: 'c' from @metaop/backend-c (or the one
// METAOP_BACKEND names, when that is not the reference oracle); it skips with a message otherwise.
import { describe, expect, it } from 'vitest';
import { manualSeed, setBackend } from '@metaop/ops';
import * as nn from '@metaop/nn';
import { leNet } from './support/lenet.js';
import { accuracy, trainClassifier, windowMeans } from './support/training.js';

const wanted = process.env.METAOP_BACKEND && process.env.METAOP_BACKEND !== 'reference' ? process.env.METAOP_BACKEND : 'c';

async function backendProblem(): Promise<string | undefined> {
  try {
    await import(/* @vite-ignore */ `@metaop/backend-${wanted}`);
  } catch (e) {
    return `@metaop/backend-${wanted} cannot be imported (${(e as Error).message.split('\n')[0]})`;
  }
  try {
    setBackend(wanted);
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}

const problem = nn.hasFashionMnist()
  ? await backendProblem()
  : `Fashion-MNIST not found in ${nn.fashionMnistDir()} (apt-get install dataset-fashion-mnist)`;
if (problem) console.warn(`[nn tests] skipping the LeNet training test: ${problem}`);

describe.skipIf(problem !== undefined)(`LeNet on Fashion-MNIST (${wanted} backend)`, () => {
  it('reaches 89% test accuracy in two epochs of SGD with a steadily falling loss', { timeout: 60 * 60 * 1000 }, () => {
    manualSeed(0);
    const norm = { mean: 0.286, std: 0.353 };
    const train = nn.loadFashionMnist({ split: 'train', normalization: norm });
    const test = nn.loadFashionMnist({ split: 'test', normalization: norm });
    const model = leNet({ channels: [16, 32] });
    const epochs = 2;
    const loader = new nn.DataLoader(train, { batchSize: 64, shuffle: true, seed: 0, dropLast: true });
    // Nesterov SGD with a little weight decay and label smoothing, annealed over the two epochs:
    // PyTorch reaches 90.4% and 90.8% with this recipe (seeds 0 and 1), 89.3% without the extras.
    const optimizer = new nn.SGD(model.parameters(), { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 5e-4 });
    const scheduler = new nn.CosineAnnealingLR(optimizer, epochs * loader.length);
    const started = performance.now();
    const losses = trainClassifier(model, optimizer, loader, {
      epochs,
      scheduler,
      loss: new nn.CrossEntropyLoss({ labelSmoothing: 0.1 }),
      onStep: (step, loss) => {
        if (step % 200 === 0) console.log(`[nn tests] step ${step}/${epochs * loader.length}: loss ${loss.toFixed(4)} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
      },
    });
    const early = windowMeans(losses.slice(0, 200), 50);
    for (let i = 1; i < early.length; i++) expect(early[i], `50-step mean loss ${i} vs ${i - 1}: ${early.join(', ')}`).toBeLessThan(early[i - 1]);
    const acc = accuracy(model, test);
    console.log(`[nn tests] LeNet: ${(acc * 100).toFixed(2)}% test accuracy after ${losses.length} steps in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    expect(acc).toBeGreaterThanOrEqual(0.89);
  });
});
