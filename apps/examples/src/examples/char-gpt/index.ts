// `char-gpt`: trains a small character-level GPT on English text that is on the machine (Debian's
// fortunes), with AdamW (weight-decay groups), warm-up + cosine schedule and gradient clipping;
// prints samples at each evaluation, saves a resumable checkpoint and writes report.html.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { manualSeed } from '@metaop/ops';
import * as nn from '@metaop/nn';
import type { Example } from '../../cli/example.js';
import { ExampleError } from '../../cli/example.js';
import { UsageError, type ParsedArgs } from '../../cli/args.js';
import { runStats, statsJson, statsLine, useBackend } from '../../runtime/backend.js';
import { formatDuration } from '../../ui/progress.js';
import { loadCorpus, Vocabulary } from './corpus.js';
import { emptyGptHistory, gptHistoryFromJson } from './history.js';
import { Gpt, type GptConfig } from './model.js';
import { renderGptReport } from './report.js';
import { runGptTraining, type Recipe } from './train.js';

/** Full-run defaults and --smoke's, option by option. */
const defaults = {
  steps: [1000, 12],
  'batch-size': [32, 4],
  'block-size': [64, 16],
  'n-layer': [4, 1],
  'n-head': [4, 2],
  'n-embd': [128, 32],
  'eval-every': [200, 6],
  'eval-batches': [10, 2],
  'sample-length': [300, 40],
  warmup: [100, 2],
} as const;
type Sized = keyof typeof defaults;

function sized(args: ParsedArgs, name: Sized, smoke: boolean): number {
  const v = args.number(name) ?? defaults[name][smoke ? 1 : 0];
  if (!Number.isInteger(v) || v < (name === 'warmup' ? 0 : 1)) throw new UsageError(`--${name} must be a ${name === 'warmup' ? 'non-negative' : 'positive'} integer, got ${v}`);
  return v;
}

export const charGpt: Example = {
  name: 'char-gpt',
  summary: 'train a small character-level GPT on English text (Debian fortunes) and write samples, a checkpoint and an HTML report',
  usage: 'pnpm example char-gpt [--steps 1000] [--batch-size 32] [--block-size 64] [--n-layer 4] [--n-head 4] [--n-embd 128] [--data <file|folder>] [--out <folder>] [--resume]',
  options: [
    { name: 'steps', type: 'number', description: 'optimizer steps in all, counting those before a --resume (default 1000; --smoke: 12)' },
    { name: 'batch-size', type: 'number', description: 'windows per step (default 32; --smoke: 4)' },
    { name: 'block-size', type: 'number', description: 'characters per window, the context length (default 64; --smoke: 16)' },
    { name: 'n-layer', type: 'number', description: 'Transformer blocks (default 4; --smoke: 1)' },
    { name: 'n-head', type: 'number', description: 'attention heads per block (default 4; --smoke: 2)' },
    { name: 'n-embd', type: 'number', description: 'embedding width, a multiple of --n-head (default 128; --smoke: 32)' },
    { name: 'dropout', type: 'number', default: 0.1, description: 'dropout after embeddings, attention and MLP' },
    { name: 'lr', type: 'number', default: 0.001, description: 'peak learning rate of AdamW (betas 0.9, 0.99)' },
    { name: 'warmup', type: 'number', description: 'steps of linear warm-up before the cosine decay to lr/10 (default 100; --smoke: 2)' },
    { name: 'weight-decay', type: 'number', default: 0.1, description: 'AdamW weight decay of the weight matrices and embeddings (biases and LayerNorm scales: none)' },
    { name: 'grad-clip', type: 'number', default: 1, description: 'clip the gradients to this global norm' },
    { name: 'eval-every', type: 'number', description: 'evaluate and sample every n steps (default 200; --smoke: 6)' },
    { name: 'eval-batches', type: 'number', description: 'batches in each loss estimate (default 10; --smoke: 2)' },
    { name: 'sample-length', type: 'number', description: 'characters per sample (default 300; --smoke: 40)' },
    { name: 'temperature', type: 'number', default: 0.8, description: 'sampling temperature' },
    { name: 'top-k', type: 'number', default: 20, description: 'sample among the k most likely characters (0: all)' },
    { name: 'seed', type: 'number', default: 0, description: 'seed of the initialisation, the batches, dropout and the samples' },
    { name: 'data', type: 'string', value: 'file|folder', description: 'train on this text instead (default: /usr/share/games/fortunes, else /usr/share/common-licenses)' },
    { name: 'out', type: 'string', value: 'folder', default: 'metaop-runs/char-gpt', description: 'where checkpoint.safetensors and report.html go' },
    { name: 'resume', type: 'boolean', description: 'continue from <out>/checkpoint.safetensors (model, optimizer, step and history)' },
  ],
  notes: [
    'The text is split 90/10 into training and validation characters; batches are random windows of it.',
    'Progress goes to stderr; Ctrl-C saves a checkpoint first, and --resume continues from it.',
    'apps/examples/python/char_gpt_torch.py is the same network and recipe in PyTorch, for comparing step times.',
  ],
  async run(args, io) {
    const smoke = args.flag('smoke');
    const recipe: Recipe = {
      batchSize: sized(args, 'batch-size', smoke),
      blockSize: sized(args, 'block-size', smoke),
      steps: sized(args, 'steps', smoke),
      lr: args.number('lr') as number,
      warmup: sized(args, 'warmup', smoke),
      weightDecay: args.number('weight-decay') as number,
      gradClip: args.number('grad-clip') as number,
      evalEvery: sized(args, 'eval-every', smoke),
      evalBatches: sized(args, 'eval-batches', smoke),
      sampleLength: sized(args, 'sample-length', smoke),
      temperature: args.number('temperature') as number,
      topK: args.number('top-k') as number,
      seed: args.number('seed') as number,
    };
    const nLayer = sized(args, 'n-layer', smoke);
    const nHead = sized(args, 'n-head', smoke);
    const nEmbd = sized(args, 'n-embd', smoke);
    const dropout = args.number('dropout') as number;
    if (nEmbd % nHead !== 0) throw new UsageError(`--n-embd ${nEmbd} must be a multiple of --n-head ${nHead}`);
    if (!(recipe.lr > 0)) throw new UsageError(`--lr must be positive, got ${recipe.lr}`);
    if (!(dropout >= 0 && dropout < 1)) throw new UsageError(`--dropout must be in [0, 1), got ${dropout}`);
    if (!(recipe.temperature > 0)) throw new UsageError(`--temperature must be positive, got ${recipe.temperature}`);
    if (!Number.isInteger(recipe.topK) || recipe.topK < 0) throw new UsageError(`--top-k must be a non-negative integer, got ${recipe.topK}`);
    if (!(recipe.gradClip > 0)) throw new UsageError(`--grad-clip must be positive, got ${recipe.gradClip}`);

    let corpus;
    try {
      corpus = loadCorpus(args.string('data'));
    } catch (e) {
      throw new ExampleError((e as Error).message);
    }
    if (corpus.fallback) io.note(`[char-gpt] Debian's fortunes package is not installed: training on the licence texts in ${corpus.source} instead`);
    const vocab = Vocabulary.of(corpus.text);
    const ids = vocab.encode(corpus.text);
    const cut = Math.floor(ids.length * 0.9);
    const trainIds = ids.subarray(0, cut);
    const valIds = ids.subarray(cut);
    if (valIds.length <= recipe.blockSize + 1) throw new ExampleError(`the text is too short: ${ids.length} characters leave no validation window of ${recipe.blockSize + 1}`);

    const backend = await useBackend(args.string('backend'), 'c');
    const out = resolve(args.string('out') as string);
    mkdirSync(out, { recursive: true });
    const checkpointPath = join(out, 'checkpoint.safetensors');
    const reportPath = join(out, 'report.html');

    manualSeed(recipe.seed);
    const config: GptConfig = { vocabSize: vocab.size, blockSize: recipe.blockSize, nLayer, nHead, nEmbd, dropout };
    const model = new Gpt(config);
    const optimizer = new nn.AdamW(model.parameterGroups(recipe.weightDecay), { lr: recipe.lr, betas: [0.9, 0.99] });
    // What must match for --resume: the network, the batches and the vocabulary.
    const identity = { nLayer, nHead, nEmbd, blockSize: recipe.blockSize, batchSize: recipe.batchSize, seed: recipe.seed, vocabulary: vocab.chars.join('') };
    let history = emptyGptHistory();
    let startStep = 0;
    if (args.flag('resume')) {
      if (!existsSync(checkpointPath)) throw new ExampleError(`--resume: no checkpoint at ${checkpointPath}; run without --resume first (or pass the --out of that run)`);
      // The settings are checked from the header first, so a mismatch is named, not a tensor shape.
      const info = nn.readCheckpointInfo(checkpointPath);
      const meta = info.metadata as { history?: nn.JsonValue; identity?: typeof identity } | null;
      const saved = gptHistoryFromJson(meta?.history);
      if (!saved || !meta?.identity) throw new ExampleError(`${checkpointPath} was not written by char-gpt (no training history in it)`);
      const differs = (Object.keys(identity) as (keyof typeof identity)[]).filter((k) => meta.identity?.[k] !== identity[k]);
      if (differs.length > 0) {
        throw new ExampleError(`${checkpointPath} is from a run with different ${differs.join(', ')} (${differs.map((k) => `${String(meta.identity?.[k]).slice(0, 40)} there, ${String(identity[k]).slice(0, 40)} now`).join('; ')}); resume with the same settings and text`);
      }
      const restored = nn.loadCheckpoint(checkpointPath, { model, optimizer });
      history = saved;
      startStep = restored.step;
      io.print(`resuming from ${checkpointPath}: step ${startStep}, ${history.evaluations.length} evaluations so far`);
    }

    const params = model.parameters().reduce((a, p) => a + p.numel, 0);
    io.print(`text: ${ids.length.toLocaleString('en-US')} characters from ${corpus.files} files in ${corpus.source}; vocabulary ${vocab.size}; ${trainIds.length.toLocaleString('en-US')} for training, ${valIds.length.toLocaleString('en-US')} for validation`);
    io.print(`model: GPT, ${nLayer} blocks × ${nHead} heads, width ${nEmbd}, context ${recipe.blockSize}, ${params.toLocaleString('en-US')} parameters; AdamW lr ${recipe.lr} (warm-up ${recipe.warmup}, cosine to ${recipe.lr / 10}), weight decay ${recipe.weightDecay}, clip ${recipe.gradClip}, batch ${recipe.batchSize}`);
    io.print(`backend: ${backend.label}`);
    if (startStep >= recipe.steps) io.print(`the checkpoint already holds ${startStep} steps: nothing to train; raise --steps to continue`);

    const started = performance.now();
    const outcome = await runGptTraining({
      model,
      optimizer,
      trainIds,
      valIds,
      vocab,
      recipe,
      history,
      startStep,
      checkpointPath,
      metadata: { identity },
      stderr: io.stderr,
      print: io.print,
    });
    const seconds = (performance.now() - started) / 1000;
    const stats = runStats(backend);
    const settings: [string, string | number][] = [
      ['text', `${corpus.source}: ${ids.length} characters, vocabulary ${vocab.size}`],
      ['model', `${nLayer} blocks, ${nHead} heads, width ${nEmbd}, context ${recipe.blockSize}, dropout ${dropout}, ${params} parameters`],
      ['optimizer', `AdamW lr ${recipe.lr}, betas 0.9/0.99, weight decay ${recipe.weightDecay} (matrices and embeddings), clip ${recipe.gradClip}`],
      ['schedule', `${recipe.warmup} warm-up steps, cosine to ${recipe.lr / 10} over ${recipe.steps} steps`],
      ['batch', `${recipe.batchSize} windows of ${recipe.blockSize} characters`],
      ['sampling', `temperature ${recipe.temperature}, top-k ${recipe.topK}, ${recipe.sampleLength} characters`],
      ['seed', recipe.seed],
      ['resumed from step', startStep],
      ['checkpoint', checkpointPath],
    ];
    writeFileSync(reportPath, renderGptReport({ history, stats, settings }));
    const last = history.evaluations[history.evaluations.length - 1];
    const msPerStep = history.losses.length > 0 ? (history.trainSeconds * 1000) / history.losses.length : null;
    io.print(statsLine(stats));
    io.print(`${outcome.steps} steps in all; this run took ${formatDuration(seconds)}${outcome.tokensPerSecond > 0 ? `, ${outcome.tokensPerSecond.toFixed(0)} training tokens/s` : ''}`);
    if (last) io.print(`validation loss ${last.valLoss.toFixed(4)} after step ${last.step}`);
    io.print(`checkpoint: ${checkpointPath}`);
    io.print(`report:     ${reportPath}  (open it in a browser)`);
    if (outcome.interrupted) process.exitCode = 130;
    return {
      example: 'char-gpt',
      backend: backend.name,
      backendLabel: backend.label,
      steps: outcome.steps,
      resumedFromStep: startStep,
      interrupted: outcome.interrupted,
      parameters: params,
      config: { nLayer, nHead, nEmbd, blockSize: recipe.blockSize, batchSize: recipe.batchSize, dropout, vocabSize: vocab.size },
      corpus: { source: corpus.source, characters: ids.length, fallback: corpus.fallback },
      finalTrainLoss: history.losses.length > 0 ? history.losses[history.losses.length - 1] : null,
      trainLoss: last ? last.trainLoss : null,
      valLoss: last ? last.valLoss : null,
      evaluations: history.evaluations.map((e) => ({ step: e.step, trainLoss: e.trainLoss, valLoss: e.valLoss })),
      sample: last ? last.sample : null,
      tokensPerSecond: Number(outcome.tokensPerSecond.toFixed(1)),
      msPerStep: msPerStep === null ? null : Number(msPerStep.toFixed(2)),
      medianStepMs: outcome.medianStepMs === null ? null : Number(outcome.medianStepMs.toFixed(2)),
      seconds: Number(seconds.toFixed(2)),
      checkpoint: checkpointPath,
      report: reportPath,
      stats: statsJson(stats),
    };
  },
};
