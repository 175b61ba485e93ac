// The learning rate of step s: linear warm-up to the peak, then a cosine down to a tenth of it
// (GPT-2's recipe as nanoGPT runs it). A function of the step alone, so a resumed run continues it.
export function learningRate(step: number, peak: number, warmup: number, total: number): number {
  const floor = peak / 10;
  if (step < warmup) return (peak * (step + 1)) / warmup;
  if (step >= total) return floor;
  const progress = (step - warmup) / Math.max(1, total - warmup);
  return floor + 0.5 * (peak - floor) * (1 + Math.cos(Math.PI * progress));
}
