// Medians for the bench examples: a timing is the median of its repetitions, never the mean, so one
// slow run on a shared machine does not move it.
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median milliseconds of `repeat` calls of `fn` (no warm-up: callers run that themselves). */
export function medianMs(fn: () => void, repeat: number): number {
  const ts: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t = performance.now();
    fn();
    ts.push(performance.now() - t);
  }
  return median(ts);
}
