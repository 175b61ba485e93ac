// What a char-gpt run records, kept in the checkpoint's metadata so a resumed run's report covers
// the whole run: the loss of every step and, at each evaluation, the estimated training and
// validation losses and a generated sample.
import type { JsonValue } from '@metaop/nn';

export interface Evaluation {
  /** Steps taken when it ran. */
  step: number;
  trainLoss: number;
  valLoss: number;
  sample: string;
}

export interface GptHistory {
  losses: number[];
  evaluations: Evaluation[];
  /** Wall-clock seconds of training steps (evaluation excluded), over all sessions of the run. */
  trainSeconds: number;
}

export function emptyGptHistory(): GptHistory {
  return { losses: [], evaluations: [], trainSeconds: 0 };
}

export function gptHistoryToJson(h: GptHistory): JsonValue {
  return { ...h, losses: h.losses.map((l) => Number(l.toPrecision(6))) } as unknown as JsonValue;
}

/** Reads what gptHistoryToJson wrote; null when `value` is not one. */
export function gptHistoryFromJson(value: JsonValue | undefined): GptHistory | null {
  const h = value as unknown as Partial<GptHistory> | null | undefined;
  if (!h || typeof h !== 'object' || !Array.isArray(h.losses) || !Array.isArray(h.evaluations) || typeof h.trainSeconds !== 'number') return null;
  return h as GptHistory;
}
