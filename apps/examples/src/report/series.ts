// Curves for the reports' charts: long per-step series thinned to a few hundred points and smoothed.

/** Means of buckets so a long curve keeps at most `max` points. */
export function downsample(values: readonly number[], max: number): [number, number][] {
  const size = Math.max(1, Math.ceil(values.length / max));
  const out: [number, number][] = [];
  for (let i = 0; i < values.length; i += size) {
    const chunk = values.slice(i, i + size);
    out.push([i + chunk.length / 2, chunk.reduce((a, b) => a + b, 0) / chunk.length]);
  }
  return out;
}

/** Trailing moving average. */
export function smooth(values: readonly number[], window: number): number[] {
  const out: number[] = [];
  let acc = 0;
  values.forEach((v, i) => {
    acc += v - (i >= window ? values[i - window] : 0);
    out.push(acc / Math.min(i + 1, window));
  });
  return out;
}
