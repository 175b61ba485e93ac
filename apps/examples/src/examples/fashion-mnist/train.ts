// The training loop of the Fashion-MNIST example: seeded shuffled batches, one SGD step per batch
// with a progress bar, evaluation and a checkpoint after each epoch, and a clean stop on Ctrl-C
// (the checkpoint is saved, --resume continues from that step).
import { crossEntropy } from '@metaop/ops';
import { saveCheckpoint, type CosineAnnealingLR, type DataLoader, type ImageBatch, type ImageDataset, type Module, type SGD } from '@metaop/nn';
import { ProgressBar } from '../../ui/progress.js';
import { evaluate } from './evaluate.js';
import { historyToJson, type EpochRecord, type History } from './history.js';

export interface TrainingRun {
  readonly model: Module;
  readonly optimizer: SGD;
  readonly scheduler: CosineAnnealingLR;
  readonly loader: DataLoader<ImageBatch>;
  readonly train: ImageDataset;
  readonly test: ImageDataset;
  readonly epochs: number;
  readonly history: History;
  /** Steps already taken (from a checkpoint). */
  readonly startStep: number;
  readonly checkpointPath: string;
  /** Also save every this many steps (0: only after each epoch). */
  readonly checkpointEvery: number;
  /** Extra metadata stored with every checkpoint (the run's settings). */
  readonly config: Record<string, string | number | boolean>;
  readonly stderr: NodeJS.WriteStream;
  readonly print: (line: string) => void;
}

export interface TrainingOutcome {
  /** Steps taken in all, including those before a resume. */
  steps: number;
  /** Stopped by SIGINT before the last epoch ended. */
  interrupted: boolean;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function runTraining(run: TrainingRun): Promise<TrainingOutcome> {
  const { model, optimizer, scheduler, loader, history } = run;
  const spe = history.stepsPerEpoch;
  const bs = history.batchSize;
  let step = run.startStep;
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    run.stderr.write('\n[fashion-mnist] interrupted: saving a checkpoint after this step (Ctrl-C again to quit at once)\n');
  };
  process.on('SIGINT', onSigint);
  const save = (epoch: number) =>
    saveCheckpoint(run.checkpointPath, {
      model,
      optimizer,
      scheduler,
      step,
      epoch,
      metadata: { history: historyToJson(history), config: run.config },
    });
  try {
    model.train();
    for (let epoch = Math.floor(step / spe); epoch < run.epochs; epoch++) {
      const order = loader.order(epoch);
      const first = step - epoch * spe;
      const bar = new ProgressBar(run.stderr, { total: spe, label: `epoch ${epoch + 1}/${run.epochs}`, itemsPerStep: bs });
      const started = performance.now();
      let recent = 0;
      for (let b = first; b < spe; b++) {
        const { x, y } = run.train.batch(order.subarray(b * bs, (b + 1) * bs));
        const { loss } = optimizer.step(crossEntropy(model.forward(x), y));
        const value = loss.item();
        for (const v of [x, y, loss]) v.dispose();
        scheduler.step();
        history.losses.push(value);
        step++;
        // Exponential moving average of the loss, bias-corrected so the first steps are not dragged to 0.
        recent = 0.9 * recent + 0.1 * value;
        const shown = recent / (1 - 0.9 ** (b - first + 1));
        bar.update(b + 1, { loss: shown.toFixed(4), lr: optimizer.paramGroups[0].lr.toPrecision(3) });
        if (run.checkpointEvery > 0 && step % run.checkpointEvery === 0) save(epoch);
        await tick(); // lets a Ctrl-C through
        if (interrupted && b + 1 < spe) {
          bar.close();
          save(epoch);
          run.print(`stopped at step ${step}; checkpoint saved to ${run.checkpointPath} (continue with --resume)`);
          return { steps: step, interrupted: true };
        }
      }
      bar.close();
      const seconds = (performance.now() - started) / 1000;
      const ev = evaluate(model, run.test, 10);
      const epochLosses = history.losses.slice(epoch * spe, (epoch + 1) * spe);
      const record: EpochRecord = {
        epoch: epoch + 1,
        trainLoss: epochLosses.reduce((a, c) => a + c, 0) / Math.max(1, epochLosses.length),
        testLoss: ev.loss,
        testAccuracy: ev.accuracy,
        seconds,
        imagesPerSecond: ((spe - first) * bs) / seconds,
        confusion: ev.confusion,
      };
      history.epochs = [...history.epochs.filter((e) => e.epoch !== record.epoch), record];
      run.print(
        `epoch ${record.epoch}/${run.epochs}: train loss ${record.trainLoss.toFixed(4)}, test loss ${record.testLoss.toFixed(4)}, ` +
          `test accuracy ${(record.testAccuracy * 100).toFixed(2)}%, ${record.seconds.toFixed(1)} s (${record.imagesPerSecond.toFixed(0)} img/s)`,
      );
      save(epoch + 1);
      if (interrupted) return { steps: step, interrupted: epoch + 1 < run.epochs };
    }
    return { steps: step, interrupted: false };
  } finally {
    process.off('SIGINT', onSigint);
  }
}
