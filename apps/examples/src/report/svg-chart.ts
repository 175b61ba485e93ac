// A small SVG line chart (axes with round ticks, one polyline per series, optional point markers
// and a legend), for the reports: no plotting library, plain strings.

export interface Series {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
  readonly color: string;
  /** Draw a dot at every point (for a few points, e.g. one per epoch). */
  readonly markers?: boolean;
  /** Thinner and lighter, for raw data under a smoothed line. */
  readonly faint?: boolean;
}

export interface ChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly width?: number;
  readonly height?: number;
  /** Fixed y range; by default the data's range, padded. */
  readonly yRange?: readonly [number, number];
  readonly yFormat?: (v: number) => string;
  /** Force integer ticks on x (epochs, steps). */
  readonly integerX?: boolean;
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** About `count` round tick values covering [lo, hi] (steps of 1, 2 or 5 times a power of ten). */
export function niceTicks(lo: number, hi: number, count = 5, integer = false): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  if (integer) step = Math.max(1, Math.round(step));
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1000 || a < 0.01) return v.toPrecision(2);
  return String(Number(v.toPrecision(3)));
}

/** The chart as an `<svg>` element string. */
export function lineChart(o: ChartOptions): string {
  const W = o.width ?? 560;
  const H = o.height ?? 320;
  const m = { left: 64, right: 16, top: 50, bottom: 48 };
  const all = o.series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]).filter(Number.isFinite);
  let [x0, x1] = xs.length > 0 ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
  let [y0, y1] = o.yRange ?? (ys.length > 0 ? [Math.min(...ys), Math.max(...ys)] : [0, 1]);
  if (!o.yRange) {
    const pad = (y1 - y0) * 0.08 || Math.abs(y0) * 0.1 || 1;
    [y0, y1] = [y0 - pad, y1 + pad];
  }
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const sx = (x: number) => m.left + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => m.top + (1 - (y - y0) / (y1 - y0)) * ph;
  const yFormat = o.yFormat ?? fmt;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeXml(o.title)}">`);
  parts.push(`<title>${escapeXml(o.title)}</title>`);
  parts.push(`<text x="${m.left}" y="22" font-size="15" font-weight="600">${escapeXml(o.title)}</text>`);
  for (const t of niceTicks(y0, y1, 5)) {
    const y = sy(t).toFixed(1);
    parts.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${y}" y2="${y}" stroke="#e5e7eb"/>`);
    parts.push(`<text x="${m.left - 6}" y="${y}" font-size="11" text-anchor="end" dominant-baseline="middle" fill="#555">${escapeXml(yFormat(t))}</text>`);
  }
  for (const t of niceTicks(x0, x1, 6, o.integerX)) {
    const x = sx(t).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="${H - m.bottom}" y2="${H - m.bottom + 4}" stroke="#555"/>`);
    parts.push(`<text x="${x}" y="${H - m.bottom + 16}" font-size="11" text-anchor="middle" fill="#555">${escapeXml(fmt(t))}</text>`);
  }
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#555"/>`);
  parts.push(`<text x="${m.left + pw / 2}" y="${H - 10}" font-size="12" text-anchor="middle">${escapeXml(o.xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${m.top + ph / 2}) rotate(-90)" font-size="12" text-anchor="middle">${escapeXml(o.yLabel)}</text>`);
  for (const s of o.series) {
    const pts = s.points.filter((p) => Number.isFinite(p[1]));
    if (pts.length === 0) continue;
    const d = pts.map((p) => `${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="${s.faint ? 1 : 2}" stroke-opacity="${s.faint ? 0.35 : 1}" points="${d}"><title>${escapeXml(s.name)}</title></polyline>`);
    if (s.markers) {
      for (const p of pts) {
        parts.push(`<circle cx="${sx(p[0]).toFixed(1)}" cy="${sy(p[1]).toFixed(1)}" r="3.5" fill="${s.color}"><title>${escapeXml(`${s.name}: ${fmt(p[0])}, ${yFormat(p[1])}`)}</title></circle>`);
      }
    }
  }
  // The legend: a row between the title and the plot, so it never hides a curve.
  let lx = m.left;
  for (const s of o.series) {
    parts.push(`<rect x="${lx}" y="${m.top - 13}" width="12" height="3" fill="${s.color}" fill-opacity="${s.faint ? 0.35 : 1}"/>`);
    parts.push(`<text x="${lx + 16}" y="${m.top - 9}" font-size="11">${escapeXml(s.name)}</text>`);
    lx += 28 + 6.5 * s.name.length;
  }
  parts.push('</svg>');
  return parts.join('\n');
}
