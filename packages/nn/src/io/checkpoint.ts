// Training checkpoints: model state, optimizer state (momentum buffers, Adam moments, step
// counts, hyper-parameters), scheduler state, step/epoch and user metadata in one safetensors
// file, written atomically. Tensors are stored as `model.<name>` and `optimizer.<index>.<state>`;
// everything else is JSON in the `__metadata__` entry `metaop.checkpoint`.
import { checkOptions, type OptionKeys, ArgumentError, type Var } from '@metaop/core';
import { randomState, setRandomState, type RandomState } from '@metaop/ops';
import type { Module } from '../module.js';
import type { HyperValue, Optimizer, OptimizerStateDict, ParamState } from '../optim/optimizer.js';
import type { LRScheduler, SchedulerStateDict } from '../optim/scheduler.js';
import { loadSafetensorsWithMetadataSync, readSafetensorsHeader, saveSafetensorsSync } from './safetensors.js';
import { SafetensorsError } from './safetensors-format.js';
import { isPrimaryRank } from '../parallel.js';

/** A JSON value, for user metadata stored with a checkpoint. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Any optimizer (SGD, Adam, AdamW or a subclass of Optimizer). */
type AnyOptimizer = Optimizer<object>;

export interface CheckpointParts {
  model: Module<never[], unknown>;
  optimizer?: AnyOptimizer;
  scheduler?: LRScheduler;
}

export interface SaveCheckpointOptions extends CheckpointParts {
  /** Training progress to resume from. */
  step?: number;
  epoch?: number;
  metadata?: JsonValue;
}
const saveCheckpointKeys: OptionKeys<SaveCheckpointOptions> = { model: true, optimizer: true, scheduler: true, step: true, epoch: true, metadata: true };

export interface LoadCheckpointOptions extends CheckpointParts {
  /** Passed to model.loadStateDict (default true). */
  strict?: boolean;
}
const loadCheckpointKeys: OptionKeys<LoadCheckpointOptions> = { model: true, optimizer: true, scheduler: true, strict: true };

export interface RestoredCheckpoint {
  step: number;
  epoch: number;
  metadata: JsonValue;
}

const metadataKey = 'metaop.checkpoint';
const formatVersion = 1;

interface CheckpointJson {
  version: number;
  step: number;
  epoch: number;
  metadata: JsonValue;
  optimizer: { type: string; paramGroups: OptimizerStateDict['paramGroups']; numbers: Record<string, Record<string, number>> } | null;
  scheduler: { type: string; state: SchedulerStateDict } | null;
  /** The global random stream (dropout masks, rand/randn), restored on load. */
  random?: RandomState;
}

/**
 * Saves a resumable training state to `path` atomically (a crash leaves the previous file intact).
 * Under data parallelism only rank 0 writes (the ranks hold equal parameters); the others return.
 */
export function saveCheckpoint(path: string, options: SaveCheckpointOptions): void {
  checkOptions(options, saveCheckpointKeys, 'saveCheckpoint');
  if (!isPrimaryRank()) return;
  const tensors: Record<string, Var> = {};
  for (const [k, v] of Object.entries(options.model.stateDict())) tensors[`model.${k}`] = v;
  let optimizer: CheckpointJson['optimizer'] = null;
  if (options.optimizer) {
    const sd = options.optimizer.stateDict();
    const numbers: Record<string, Record<string, number>> = {};
    for (const [i, s] of Object.entries(sd.state)) {
      for (const [k, v] of Object.entries(s)) {
        if (typeof v === 'number') (numbers[i] ??= {})[k] = v;
        else tensors[`optimizer.${i}.${k}`] = v;
      }
    }
    optimizer = { type: options.optimizer.constructor.name, paramGroups: sd.paramGroups, numbers };
  }
  const json: CheckpointJson = {
    version: formatVersion,
    step: options.step ?? 0,
    epoch: options.epoch ?? 0,
    metadata: options.metadata ?? null,
    optimizer,
    scheduler: options.scheduler ? { type: options.scheduler.constructor.name, state: options.scheduler.stateDict() } : null,
    random: randomState(),
  };
  saveSafetensorsSync(path, tensors, { [metadataKey]: JSON.stringify(json) });
}

/** The checkpoint JSON of a header, checked; `op` names the caller in errors. */
function checkpointJson(path: string, metadata: Readonly<Record<string, string>>, op: string): CheckpointJson {
  const raw = metadata[metadataKey];
  if (raw === undefined) throw new SafetensorsError(`${path} is a safetensors file but not a MetaOp checkpoint (no "${metadataKey}" metadata)`, op);
  let json: CheckpointJson;
  try {
    json = JSON.parse(raw) as CheckpointJson;
  } catch (e) {
    throw new SafetensorsError(`${path}: checkpoint metadata is not valid JSON (${(e as Error).message})`, op);
  }
  if (json.version !== formatVersion) throw new SafetensorsError(`${path}: checkpoint format version ${json.version} is not supported (expected ${formatVersion})`, op);
  return json;
}

/**
 * The step, epoch and user metadata of a checkpoint, read from its header alone (no tensor is
 * loaded): to check that a checkpoint fits a run before building the model it restores into.
 */
export function readCheckpointInfo(path: string): RestoredCheckpoint {
  const json = checkpointJson(path, readSafetensorsHeader(path).metadata, 'readCheckpointInfo');
  return { step: json.step, epoch: json.epoch, metadata: json.metadata };
}

/**
 * Restores a checkpoint into the given model (and optimizer and scheduler, which must be of the
 * types saved). Everything is checked before the model is changed.
 */
export function loadCheckpoint(path: string, options: LoadCheckpointOptions): RestoredCheckpoint {
  const op = 'loadCheckpoint';
  checkOptions(options, loadCheckpointKeys, op);
  const { tensors, metadata } = loadSafetensorsWithMetadataSync(path);
  const json = checkpointJson(path, metadata, op);

  const modelDict: Record<string, Var> = {};
  for (const [k, v] of Object.entries(tensors)) if (k.startsWith('model.')) modelDict[k.slice(6)] = v;

  let optimizerDict: OptimizerStateDict | undefined;
  if (options.optimizer) {
    if (!json.optimizer) throw new ArgumentError(`${path} holds no optimizer state`, op);
    if (json.optimizer.type !== options.optimizer.constructor.name) {
      throw new ArgumentError(`${path} holds ${json.optimizer.type} state, not ${options.optimizer.constructor.name} state`, op);
    }
    const state: Record<number, ParamState> = {};
    for (const [i, nums] of Object.entries(json.optimizer.numbers)) state[Number(i)] = { ...nums };
    for (const [k, v] of Object.entries(tensors)) {
      const m = /^optimizer\.(\d+)\.(.+)$/.exec(k);
      if (m) (state[Number(m[1])] ??= {})[m[2]] = v;
    }
    optimizerDict = { state, paramGroups: json.optimizer.paramGroups as ({ params: number[] } & Record<string, HyperValue>)[] };
    options.optimizer.checkStateDict(optimizerDict);
  }
  if (options.scheduler) {
    if (!json.scheduler) throw new ArgumentError(`${path} holds no scheduler state`, op);
    if (json.scheduler.type !== options.scheduler.constructor.name) {
      throw new ArgumentError(`${path} holds ${json.scheduler.type} state, not ${options.scheduler.constructor.name} state`, op);
    }
  }
  options.model.loadStateDict(modelDict, { strict: options.strict ?? true });
  if (options.optimizer && optimizerDict) options.optimizer.loadStateDict(optimizerDict);
  if (options.scheduler && json.scheduler) options.scheduler.loadStateDict(json.scheduler.state);
  if (json.random) setRandomState(json.random);
  return { step: json.step, epoch: json.epoch, metadata: json.metadata };
}
