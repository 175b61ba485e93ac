// The training loop of char-gpt: AdamW steps on random windows with gradient clipping and the
// warm-up + cosine schedule, a progress bar with loss, tokens/s and ETA, an evaluation (training and
// validation loss estimates and a sample) every evalEvery steps and at the end, a checkpoint with
// each evaluation, and a clean stop on Ctrl-C (checkpoint saved; --resume continues).
import * as M from '@metaop/ops';
import { saveCheckpoint, type AdamW, type JsonValue } from '@metaop/nn';
import { ProgressBar } from '../../ui/progress.js';
import { batchAt } from './batches.js';
import { gptHistoryToJson, type Evaluation, type GptHistory } from './history.js';
import type { Gpt } from './model.js';
import { generate } from './sample.js';
import { learningRate } from './schedule.js';
import type { Vocabulary } from './corpus.js';

export interface Recipe {
  batchSize: number;
  blockSize: number;
  steps: number;
  lr: number;
  warmup: number;
  weightDecay: number;
  gradClip: number;
  evalEvery: number;
  evalBatches: number;
  sampleLength: number;
  temperature: number;
  topK: number;
  seed: number;
}

export interface GptTrainingRun {
  readonly model: Gpt;
  readonly optimizer: AdamW;
  readonly trainIds: Int32Array;
  readonly valIds: Int32Array;
  readonly vocab: Vocabulary;
  readonly recipe: Recipe;
  readonly history: GptHistory;
  readonly startStep: number;
  readonly checkpointPath: string;
  /** Stored with every checkpoint (the run's settings and vocabulary). */
  readonly metadata: Record<string, JsonValue>;
  readonly stderr: NodeJS.WriteStream;
  readonly print: (line: string) => void;
}

export interface GptOutcome {
  steps: number;
  interrupted: boolean;
  /** Training tokens per second of this session's steps. */
  tokensPerSecond: number;
  /** Median time of this session's steps after its first two (which compile or load kernels), or null. */
  medianStepMs: number | null;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Mean loss over the same `batches` windows every time (streams 1 and 2), in eval mode. */
function estimate(model: Gpt, ids: Int32Array, stream: number, r: Recipe): number {
  model.eval();
  let total = 0;
  M.noGrad(() => {
    for (let b = 0; b < r.evalBatches; b++) {
      total += M.tidy(() => {
        const { x, y } = batchAt(ids, r.seed, stream, b, r.batchSize, r.blockSize);
        return model.loss(x, y).item();
      });
    }
  });
  model.train();
  return total / r.evalBatches;
}

function evaluateAt(run: GptTrainingRun, step: number): Evaluation {
  const r = run.recipe;
  const trainLoss = estimate(run.model, run.trainIds, 1, r);
  const valLoss = estimate(run.model, run.valIds, 2, r);
  // Each sample starts after a fortune separator line, where a new text begins.
  const prompt = run.vocab.encode('\n');
  const ids = generate(run.model, Array.from(prompt), { length: r.sampleLength, temperature: r.temperature, topK: r.topK, seed: r.seed + step });
  return { step, trainLoss, valLoss, sample: run.vocab.decode(ids.slice(prompt.length)) };
}

export async function runGptTraining(run: GptTrainingRun): Promise<GptOutcome> {
  const { model, optimizer, history, recipe: r } = run;
  let step = run.startStep;
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    run.stderr.write('\n[char-gpt] interrupted: saving a checkpoint after this step (Ctrl-C again to quit at once)\n');
  };
  process.on('SIGINT', onSigint);
  const save = () => saveCheckpoint(run.checkpointPath, { model, optimizer, step, metadata: { history: gptHistoryToJson(history), ...run.metadata } });
  const report = (e: Evaluation) => {
    run.print(`step ${e.step}: train loss ${e.trainLoss.toFixed(4)}, validation loss ${e.valLoss.toFixed(4)}; sample (temperature ${r.temperature}, top-k ${r.topK}):`);
    run.print(e.sample.split('\n').map((l) => `  | ${l}`).join('\n'));
  };
  const tokensPerStep = r.batchSize * r.blockSize;
  let sessionSeconds = 0;
  const stepMs: number[] = [];
  let sessionSteps = 0;
  try {
    model.train();
    // The bar counts this session's steps, so a resumed run's rate and ETA are its own.
    const first = step;
    const label = first > 0 ? `steps ${first + 1}-${r.steps}` : 'training';
    const bar = new ProgressBar(run.stderr, { total: r.steps - first, label, itemsPerStep: tokensPerStep, unit: 'tok', every: Math.max(1, Math.round((r.steps - first) / 20)) });
    let recent = 0;
    let seen = 0;
    while (step < r.steps) {
      const lr = learningRate(step, r.lr, r.warmup, r.steps);
      for (const g of optimizer.paramGroups) g.lr = lr;
      const started = performance.now();
      const { x, y } = batchAt(run.trainIds, r.seed, 0, step, r.batchSize, r.blockSize);
      const { loss } = optimizer.step(model.loss(x, y), { maxGradNorm: r.gradClip });
      const value = loss.item();
      for (const v of [x, y, loss]) v.dispose();
      const seconds = (performance.now() - started) / 1000;
      sessionSeconds += seconds;
      stepMs.push(seconds * 1000);
      sessionSteps++;
      history.trainSeconds += seconds;
      history.losses.push(value);
      step++;
      seen++;
      recent = 0.9 * recent + 0.1 * value;
      bar.update(step - first, { loss: (recent / (1 - 0.9 ** seen)).toFixed(4), lr: lr.toPrecision(3) });
      if (step % r.evalEvery === 0 || step === r.steps) {
        bar.close();
        const e = evaluateAt(run, step);
        history.evaluations = [...history.evaluations.filter((h) => h.step !== step), e];
        report(e);
        save();
      }
      await tick(); // lets a Ctrl-C through
      if (interrupted && step < r.steps) {
        bar.close();
        save();
        run.print(`stopped at step ${step}; checkpoint saved to ${run.checkpointPath} (continue with --resume)`);
        break;
      }
    }
    bar.close();
    const steady = stepMs.slice(2).sort((a, b) => a - b);
    return {
      steps: step,
      interrupted: interrupted && step < r.steps,
      tokensPerSecond: sessionSeconds > 0 ? (sessionSteps * tokensPerStep) / sessionSeconds : 0,
      medianStepMs: steady.length > 0 ? steady[Math.floor(steady.length / 2)] : null,
    };
  } finally {
    process.off('SIGINT', onSigint);
  }
}
