// report.html of char-gpt: the training loss per step with the evaluated training and validation
// losses, the samples generated at each evaluation, and the run's settings and kernel statistics.
import { statsRows, type RunStats } from '../../runtime/backend.js';
import { escapeXml, htmlPage, keyValueTable } from '../../report/html.js';
import { downsample, smooth } from '../../report/series.js';
import { lineChart, type Series } from '../../report/svg-chart.js';
import type { GptHistory } from './history.js';

export interface GptReportInput {
  readonly history: GptHistory;
  readonly stats: RunStats;
  readonly settings: readonly (readonly [string, string | number])[];
}

export const gptChartTitle = 'Loss (next-character cross-entropy, nats)';

export function renderGptReport(r: GptReportInput): string {
  const h = r.history;
  const window = Math.max(1, Math.min(50, Math.round(h.losses.length / 20)));
  const series: Series[] = [
    { name: 'training loss per step', points: downsample(h.losses, 400), color: '#2563eb', faint: true },
    { name: `mean of ${window} steps`, points: downsample(smooth(h.losses, window), 400), color: '#2563eb' },
    { name: 'training loss (estimate)', points: h.evaluations.map((e) => [e.step, e.trainLoss]), color: '#16a34a', markers: true },
    { name: 'validation loss', points: h.evaluations.map((e) => [e.step, e.valLoss]), color: '#dc2626', markers: true },
  ];
  const chart = lineChart({ title: gptChartTitle, xLabel: 'step', yLabel: 'loss', series });
  const rows = h.evaluations
    .map((e) => `<tr><td>${e.step}</td><td>${e.trainLoss.toFixed(4)}</td><td>${e.valLoss.toFixed(4)}</td></tr>`)
    .join('\n');
  const samples = [...h.evaluations]
    .reverse()
    .map((e) => `<h3>After step ${e.step} (validation loss ${e.valLoss.toFixed(3)})</h3>\n<pre class="sample">${escapeXml(e.sample)}</pre>`)
    .join('\n');
  const s = r.stats;
  const statRows = statsRows(s);
  const last = h.evaluations[h.evaluations.length - 1];
  const body = `
<h1>MetaOp · char-gpt training report</h1>
<p class="sub">${escapeXml(new Date().toISOString())} · ${escapeXml(s.backend)}${last ? ` · validation loss <b>${last.valLoss.toFixed(4)}</b> after ${last.step} steps` : ''}</p>
<div class="charts">
${chart}
</div>
<h2>Evaluations</h2>
<table class="kv"><tr><th>step</th><th>training loss</th><th>validation loss</th></tr>
${rows}
</table>
<h2>Samples (newest first)</h2>
${samples}
<h2>Kernels and compilation</h2>
${keyValueTable(statRows)}
<h2>Settings</h2>
${keyValueTable(r.settings)}
`;
  return htmlPage('MetaOp char-gpt report', body, 'pre.sample { background: #f8f8f8; border: 1px solid #e5e5e5; padding: .6rem; white-space: pre-wrap; }');
}
