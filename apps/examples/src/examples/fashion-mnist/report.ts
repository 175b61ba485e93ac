// report.html of the Fashion-MNIST example: loss and accuracy charts, the confusion matrix, a
// table per epoch and the kernel/compile statistics of the run.
import { statsRows, type RunStats } from '../../runtime/backend.js';
import { confusionTable, escapeXml, htmlPage, keyValueTable } from '../../report/html.js';
import { downsample, smooth } from '../../report/series.js';
import { lineChart, type Series } from '../../report/svg-chart.js';
import type { History } from './history.js';

export interface ReportInput {
  readonly history: History;
  readonly classes: readonly string[];
  readonly stats: RunStats;
  readonly settings: readonly (readonly [string, string | number])[];
}

export const chartTitles = { loss: 'Training loss', accuracy: 'Test accuracy per epoch' } as const;

export function renderReport(r: ReportInput): string {
  const { history: h } = r;
  const spe = h.stepsPerEpoch;
  const toEpoch = (pts: [number, number][]): [number, number][] => pts.map(([s, v]) => [s / spe, v]);
  const window = Math.max(1, Math.min(50, Math.round(spe / 4)));
  const lossSeries: Series[] = [
    { name: 'loss per step', points: toEpoch(downsample(h.losses, 400)), color: '#2563eb', faint: true },
    { name: `mean of ${window} steps`, points: toEpoch(downsample(smooth(h.losses, window), 400)), color: '#2563eb' },
    { name: 'test loss', points: h.epochs.map((e) => [e.epoch, e.testLoss]), color: '#dc2626', markers: true },
  ];
  const lossChart = lineChart({ title: chartTitles.loss, xLabel: 'epoch', yLabel: 'cross-entropy', series: lossSeries });
  const accValues = h.epochs.map((e) => e.testAccuracy * 100);
  const lo = Math.min(...accValues, 100);
  const accChart = lineChart({
    title: chartTitles.accuracy,
    xLabel: 'epoch',
    yLabel: 'accuracy (%)',
    integerX: true,
    yRange: [Math.max(0, Math.floor(lo / 5) * 5 - 5), 100],
    yFormat: (v) => `${v}`,
    series: [{ name: 'test accuracy', points: h.epochs.map((e) => [e.epoch, e.testAccuracy * 100]), color: '#16a34a', markers: true }],
  });
  const last = h.epochs[h.epochs.length - 1];
  const epochRows = h.epochs
    .map(
      (e) =>
        `<tr><td>${e.epoch}</td><td>${e.trainLoss.toFixed(4)}</td><td>${e.testLoss.toFixed(4)}</td><td>${(e.testAccuracy * 100).toFixed(2)}%</td><td>${e.seconds.toFixed(1)} s</td><td>${e.imagesPerSecond.toFixed(0)}</td></tr>`,
    )
    .join('\n');
  const s = r.stats;
  const statRows = statsRows(s);
  const slow = s.slowestKernels ?? [];
  const total = slow.reduce((a, k) => a + k.ms, 0);
  const profileTable =
    slow.length === 0
      ? '<p class="sub">Run with <code>--profile</code> (or METAOP_PROFILE=1) to see the time of each kernel here.</p>'
      : `<h3>Slowest kernels</h3>\n<table class="kv"><tr><th>kernel</th><th>launches</th><th>total ms</th><th>ms per launch</th><th>notes</th></tr>\n${slow
          .map(
            (k) =>
              `<tr><td><code>${escapeXml(k.name)}</code></td><td>${k.launches}</td><td>${k.ms.toFixed(0)}</td><td>${(k.ms / k.launches).toFixed(3)}</td><td style="text-align:left">${escapeXml(k.notes.join('; '))}</td></tr>`,
          )
          .join('\n')}\n</table>\n<p class="sub">The ${slow.length} slowest kernels took ${(total / 1000).toFixed(1)} s in all.</p>`;
  const body = `
<h1>MetaOp · Fashion-MNIST training report</h1>
<p class="sub">${escapeXml(new Date().toISOString())} · ${escapeXml(s.backend)}${last ? ` · final test accuracy <b>${(last.testAccuracy * 100).toFixed(2)}%</b> after ${h.losses.length} steps` : ''}</p>
<div class="charts">
${lossChart}
${accChart}
</div>
<h2>Epochs</h2>
<table class="kv"><tr><th>epoch</th><th>train loss</th><th>test loss</th><th>test accuracy</th><th>training time</th><th>images/s</th></tr>
${epochRows}
</table>
${last ? `<h2>Confusion matrix (epoch ${last.epoch}, rows: true class, columns: prediction)</h2>\n${confusionTable(last.confusion, r.classes)}` : ''}
<h2>Kernels and compilation</h2>
${keyValueTable(statRows)}
${profileTable}
<h2>Settings</h2>
${keyValueTable(r.settings)}
`;
  return htmlPage('MetaOp Fashion-MNIST report', body);
}
