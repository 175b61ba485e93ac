// What a training run records (per-step losses, per-epoch evaluation), kept in the checkpoint's
// metadata so a resumed run's report covers the whole run.
import type { JsonValue } from '@metaop/nn';

export interface EpochRecord {
  /** 1-based. */
  epoch: number;
  /** Mean training loss over the epoch's steps. */
  trainLoss: number;
  testLoss: number;
  testAccuracy: number;
  /** Wall-clock seconds of the epoch's training steps (without evaluation). */
  seconds: number;
  imagesPerSecond: number;
  /** Rows: true class, columns: predicted class. */
  confusion: number[][];
}

export interface History {
  stepsPerEpoch: number;
  batchSize: number;
  /** Loss of every step, in order. */
  losses: number[];
  epochs: EpochRecord[];
}

export function emptyHistory(stepsPerEpoch: number, batchSize: number): History {
  return { stepsPerEpoch, batchSize, losses: [], epochs: [] };
}

export function historyToJson(h: History): JsonValue {
  return { ...h, losses: h.losses.map((l) => Number(l.toPrecision(6))) } as unknown as JsonValue;
}

/** Reads a history saved by historyToJson; null when `value` is not one (an older or foreign checkpoint). */
export function historyFromJson(value: JsonValue): History | null {
  const h = value as unknown as Partial<History> | null;
  if (!h || typeof h !== 'object' || !Array.isArray(h.losses) || !Array.isArray(h.epochs) || typeof h.stepsPerEpoch !== 'number') return null;
  return h as History;
}
