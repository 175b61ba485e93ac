// `fashion-mnist`: the main demo. Trains a small CNN on Fashion-MNIST with progress bars, evaluates
// each epoch, saves a checkpoint (resumable with --resume) and writes report.html.
import { mkdirSync, existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { flags, manualSeed } from '@metaop/ops';
import * as nn from '@metaop/nn';
import type { Example } from '../../cli/example.js';
import { ExampleError } from '../../cli/example.js';
import { UsageError } from '../../cli/args.js';
import { runStats, statsJson, statsLine, useBackend } from '../../runtime/backend.js';
import { formatDuration } from '../../ui/progress.js';
import { emptyHistory, historyFromJson } from './history.js';
import { fashionNet } from './model.js';
import { renderReport } from './report.js';
import { runTraining } from './train.js';

/** Pixel mean and standard deviation of the Fashion-MNIST training set (pixels scaled to [0, 1]). */
const normalization = { mean: 0.286, std: 0.353 };

function missingDataMessage(dir: string): string {
  return [
    `Fashion-MNIST was not found in ${dir}.`,
    'Get it in one of two ways:',
    '  - on Debian or Ubuntu: sudo apt-get install dataset-fashion-mnist   (installs /usr/share/datasets/fashion-mnist;',
    '    `pnpm demo` does this for you when it runs as root)',
    '  - or put the four IDX files (gzip-compressed or not) in a folder and pass --data <folder>:',
    '    train-images-idx3-ubyte.gz  train-labels-idx1-ubyte.gz  t10k-images-idx3-ubyte.gz  t10k-labels-idx1-ubyte.gz',
    '    (from https://github.com/zalandoresearch/fashion-mnist)',
  ].join('\n');
}

export const fashionMnist: Example = {
  name: 'fashion-mnist',
  summary: 'train a small CNN on Fashion-MNIST with progress bars, checkpoints and an HTML report',
  usage: 'pnpm example fashion-mnist [--epochs 2] [--batch-size 64] [--lr 0.1] [--backend c] [--data <folder>] [--out <folder>] [--resume]',
  options: [
    { name: 'epochs', type: 'number', description: 'epochs to train in all, counting those before a --resume (default 2; --smoke: 1)' },
    { name: 'batch-size', type: 'number', description: 'examples per SGD step (default 64; --smoke: 32)' },
    { name: 'lr', type: 'number', default: 0.1, description: 'peak learning rate of SGD (momentum 0.9), annealed to 0 along a cosine' },
    { name: 'momentum', type: 'number', default: 0.9, description: 'SGD momentum' },
    { name: 'data', type: 'string', value: 'folder', description: 'folder with the four Fashion-MNIST IDX files (default: METAOP_FASHION_MNIST_DIR, else /usr/share/datasets/fashion-mnist)' },
    { name: 'out', type: 'string', value: 'folder', default: 'metaop-runs/fashion-mnist', description: 'where checkpoint.safetensors and report.html go' },
    { name: 'seed', type: 'number', default: 0, description: 'seed of the weight initialisation and of the shuffle' },
    { name: 'resume', type: 'boolean', description: 'continue from <out>/checkpoint.safetensors (model, optimizer, schedule, step and history)' },
    { name: 'checkpoint-every', type: 'number', default: 0, description: 'also save the checkpoint every n steps (0: after each epoch only)' },
    { name: 'profile', type: 'boolean', description: 'time every kernel launch and list the slowest kernels in the report (METAOP_PROFILE=1 does the same)' },
    { name: 'train-limit', type: 'number', value: 'n', description: 'train on the first n training images only (--smoke: 384)' },
    { name: 'test-limit', type: 'number', value: 'n', description: 'evaluate on the first n test images only (--smoke: 500)' },
  ],
  notes: [
    'Runs on the c backend by default (generated C compiled by the system compiler, kernels cached on disk).',
    'Progress goes to stderr; Ctrl-C saves a checkpoint first, and --resume continues from it.',
  ],
  async run(args, io) {
    const smoke = args.flag('smoke');
    const epochs = args.number('epochs') ?? (smoke ? 1 : 2);
    const batchSize = args.number('batch-size') ?? (smoke ? 32 : 64);
    const lr = args.number('lr') as number;
    const seed = args.number('seed') as number;
    if (!Number.isInteger(epochs) || epochs < 1) throw new UsageError(`--epochs must be a positive integer, got ${epochs}`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new UsageError(`--batch-size must be a positive integer, got ${batchSize}`);
    if (!(lr > 0)) throw new UsageError(`--lr must be positive, got ${lr}`);
    const dir = args.string('data') ?? nn.fashionMnistDir();
    if (!nn.hasFashionMnist(dir)) throw new ExampleError(missingDataMessage(dir));

    const backend = await useBackend(args.string('backend'), 'c');
    if (args.flag('profile')) flags.profile = true;
    const out = resolve(args.string('out') as string);
    mkdirSync(out, { recursive: true });
    const checkpointPath = join(out, 'checkpoint.safetensors');
    const reportPath = join(out, 'report.html');

    const trainLimit = args.number('train-limit') ?? (smoke ? 384 : undefined);
    const testLimit = args.number('test-limit') ?? (smoke ? 500 : undefined);
    let train = nn.loadFashionMnist({ split: 'train', dir, normalization });
    let test = nn.loadFashionMnist({ split: 'test', dir, normalization });
    if (trainLimit !== undefined) train = train.slice(0, trainLimit);
    if (testLimit !== undefined) test = test.slice(0, testLimit);

    manualSeed(seed);
    const model = fashionNet();
    const optimizer = new nn.SGD(model.parameters(), { lr, momentum: args.number('momentum') as number });
    const loader = new nn.DataLoader(train, { batchSize, shuffle: true, seed, dropLast: true });
    if (loader.length === 0) throw new UsageError(`--batch-size ${batchSize} is larger than the ${train.length} training images`);
    let history = emptyHistory(loader.length, batchSize);
    let startStep = 0;
    const config = { batchSize, trainImages: train.length, seed, epochs };

    if (args.flag('resume')) {
      if (!existsSync(checkpointPath)) throw new ExampleError(`--resume: no checkpoint at ${checkpointPath}; run without --resume first (or pass the --out of that run)`);
      // The schedule is rebuilt below for this run's --epochs, so the scheduler state is not restored.
      const restored = nn.loadCheckpoint(checkpointPath, { model, optimizer });
      const meta = restored.metadata as { history?: nn.JsonValue; config?: typeof config } | null;
      const saved = meta?.history ? historyFromJson(meta.history) : null;
      if (!saved || !meta?.config) throw new ExampleError(`${checkpointPath} was not written by this example (no training history in it)`);
      if (meta.config.batchSize !== batchSize || meta.config.trainImages !== train.length || meta.config.seed !== seed) {
        throw new ExampleError(
          `${checkpointPath} is from a run with batch size ${meta.config.batchSize}, ${meta.config.trainImages} training images and seed ${meta.config.seed}; ` +
            `resume with the same settings (now ${batchSize}, ${train.length}, ${seed})`,
        );
      }
      if (meta.config.epochs !== epochs) {
        io.note(`[fashion-mnist] the checkpoint's run planned ${meta.config.epochs} epochs, this one ${epochs}: the cosine schedule now spans ${epochs}`);
      }
      history = saved;
      startStep = restored.step;
      io.print(`resuming from ${checkpointPath}: step ${startStep} (epoch ${Math.floor(startStep / loader.length) + 1}), ${history.epochs.length} epochs evaluated so far`);
    }

    // A cosine schedule over all of this run's steps, advanced to the resumed step (the same learning
    // rates an uninterrupted run would use).
    optimizer.paramGroups[0].lr = lr;
    const scheduler = new nn.CosineAnnealingLR(optimizer, epochs * loader.length);
    for (let i = 0; i < Math.min(startStep, epochs * loader.length); i++) scheduler.step();

    const params = model.parameters().reduce((a, p) => a + p.numel, 0);
    io.print(`Fashion-MNIST: ${train.length} training and ${test.length} test images from ${dir}`);
    io.print(`model: LeNet-style CNN with batch norm, ${params.toLocaleString('en-US')} parameters; SGD lr ${lr} momentum ${args.number('momentum')}, cosine schedule, batch ${batchSize}`);
    io.print(`backend: ${backend.label}`);
    if (startStep >= epochs * loader.length) io.print(`the checkpoint already holds ${startStep} steps (${epochs} epochs): nothing to train; raise --epochs to continue`);

    const started = performance.now();
    const outcome = await runTraining({
      model,
      optimizer,
      scheduler,
      loader,
      train,
      test,
      epochs,
      history,
      startStep,
      checkpointPath,
      checkpointEvery: args.number('checkpoint-every') as number,
      config,
      stderr: io.stderr,
      print: io.print,
    });
    const seconds = (performance.now() - started) / 1000;
    const stats = runStats(backend);
    const settings: [string, string | number][] = [
      ['data', dir],
      ['training images', train.length],
      ['test images', test.length],
      ['epochs', epochs],
      ['batch size', io.worldSize > 1 ? `${batchSize} global (${batchSize / io.worldSize} on each of ${io.worldSize} ranks)` : batchSize],
      ['optimizer', `SGD lr ${lr}, momentum ${args.number('momentum')}, cosine annealing over ${epochs * loader.length} steps`],
      ['seed', seed],
      ['parameters', params],
      ['resumed from step', startStep],
      ['checkpoint', checkpointPath],
    ];
    // Under mpirun only rank 0 writes the report (as it alone writes checkpoints).
    if (nn.isPrimaryRank()) writeFileSync(reportPath, renderReport({ history, classes: nn.fashionMnistClasses, stats, settings }));
    const last = history.epochs[history.epochs.length - 1];
    io.print(statsLine(stats));
    io.print(`${outcome.steps} steps in all; this run took ${formatDuration(seconds)}`);
    if (last) io.print(`test accuracy ${(last.testAccuracy * 100).toFixed(2)}% after epoch ${last.epoch}`);
    io.print(`checkpoint: ${checkpointPath}`);
    io.print(`report:     ${reportPath}  (open it in a browser)`);
    if (outcome.interrupted) process.exitCode = 130; // the shell's code for Ctrl-C
    return {
      example: 'fashion-mnist',
      worldSize: io.worldSize,
      backend: backend.name,
      backendLabel: backend.label,
      epochs,
      batchSize,
      lr,
      trainImages: train.length,
      testImages: test.length,
      parameters: params,
      steps: outcome.steps,
      resumedFromStep: startStep,
      interrupted: outcome.interrupted,
      testAccuracy: last ? last.testAccuracy : null,
      testLoss: last ? last.testLoss : null,
      finalTrainLoss: history.losses.length > 0 ? history.losses[history.losses.length - 1] : null,
      epochSeconds: history.epochs.map((e) => Number(e.seconds.toFixed(2))),
      imagesPerSecond: last ? Number(last.imagesPerSecond.toFixed(1)) : null,
      seconds: Number(seconds.toFixed(2)),
      checkpoint: checkpointPath,
      report: reportPath,
      stats: statsJson(stats),
    };
  },
};
