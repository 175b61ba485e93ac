// Rows of `pnpm bench` and how they are printed: medians, a MetaOp ÷ reference ratio in the row's
// unit, the fraction of the measured FMA peak (compute-bound rows) or of the copy bandwidth
// (memory-bound rows), and the target with whether this run met it. Targets are
// reported, never asserted.

/** Median of `n` timed calls of `fn` in milliseconds, after `warmup` untimed calls (compiles happen there). */
export function medianMs(fn, n, warmup = 1) {
  for (let i = 0; i < warmup; i++) fn();
  const ts = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    fn();
    ts.push(performance.now() - t);
  }
  return median(ts);
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * A target on the ratio (MetaOp ÷ reference in the row's unit) or on the fraction of the ceiling.
 * `atLeast`/`atMost` bound `on` ('ratio' | 'fraction' | 'value').
 */
export const target = {
  ratioAtLeast: (x) => ({ on: 'ratio', atLeast: x, text: `≥ ${x}× ref` }),
  ratioAtMost: (x) => ({ on: 'ratio', atMost: x, text: `≤ ${x}× ref time` }),
  fractionAtLeast: (x) => ({ on: 'fraction', atLeast: x, text: `≥ ${Math.round(x * 100)}% of peak` }),
  valueAtMost: (x, unit) => ({ on: 'value', atMost: x, text: `≤ ${x} ${unit}` }),
};

/**
 * One row. `ours` and `refValue` are in `unit`; `basis` ('fma' | 'copy') says what the fraction
 * is of, and `work` the row's FLOP (fma) or bytes (copy) per `ours` unit when the unit is a time.
 */
export function makeRow({ section, name, ours, unit, refName, refValue, basis, target: t, note }, ceilings) {
  const ratio = ours !== undefined && refValue ? ours / refValue : undefined;
  let fraction;
  if (ours !== undefined && basis && ceilings) {
    const rate = basis.rate(ours); // GFLOP/s or GB/s
    fraction = { value: rate / (basis.kind === 'fma' ? ceilings.fmaN : ceilings.copyGBs), of: basis.kind === 'fma' ? 'FMA peak' : 'copy bw' };
  }
  let met;
  if (t) {
    const v = t.on === 'ratio' ? ratio : t.on === 'fraction' ? fraction?.value : ours;
    if (v !== undefined) met = (t.atLeast === undefined || v >= t.atLeast) && (t.atMost === undefined || v <= t.atMost);
  }
  return { section, name, ours, unit, refName, refValue, ratio, fraction, target: t?.text, met, note };
}

/** Basis helpers: the rate a row's value stands for. */
export const basis = {
  /** The value already is GFLOP/s. */
  gflops: { kind: 'fma', rate: (v) => v },
  /** The value already is GB/s. */
  gbs: { kind: 'copy', rate: (v) => v },
  /** The value is milliseconds for `gflop` GFLOP of work. */
  msFor: (gflop) => ({ kind: 'fma', rate: (ms) => gflop / (ms / 1000) }),
};

const fmt = (v) => {
  if (v === undefined || v === null || Number.isNaN(v)) return '';
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 0.1 ? v.toFixed(2) : v.toPrecision(2);
};

/** The rows as one markdown table. */
export function markdownTable(rows) {
  const header = ['benchmark', 'MetaOp', 'unit', 'reference', 'ref value', 'ratio', 'of peak/bw', 'target', 'met'];
  const lines = rows.map((r) => [
    r.name,
    r.ours === undefined ? (r.note ?? 'n/a') : fmt(r.ours),
    r.unit ?? '',
    r.refName ?? '',
    fmt(r.refValue),
    r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}×`,
    r.fraction ? `${(r.fraction.value * 100).toFixed(0)}% ${r.fraction.of}` : '',
    r.target ?? '',
    r.met === undefined ? '' : r.met ? 'yes' : 'no',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(line)].join('\n');
}
