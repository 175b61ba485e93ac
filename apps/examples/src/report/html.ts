// HTML building blocks of the reports: a self-contained page (inline CSS, no external assets), a
// key-value table and a confusion matrix drawn as a heat-map table.
import { escapeXml } from './svg-chart.js';

export { escapeXml };

const css = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #111; margin: 2rem auto; max-width: 1180px; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
.sub { color: #555; margin-top: 0; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5rem; }
.chart { background: #fff; border: 1px solid #ddd; border-radius: 6px; }
table { border-collapse: collapse; } td, th { padding: .25rem .6rem; text-align: right; }
table.kv td:first-child { text-align: left; color: #444; } table.kv td { border-bottom: 1px solid #eee; }
table.confusion td { width: 3.2rem; height: 1.9rem; font-variant-numeric: tabular-nums; border: 1px solid #fff; }
table.confusion th { font-weight: 500; font-size: 12px; } table.confusion th.row { text-align: right; }
table.confusion th.col { writing-mode: vertical-rl; transform: rotate(180deg); text-align: left; height: 6.5rem; }
code, pre { font: 12px/1.4 ui-monospace, "SFMono-Regular", Menlo, monospace; }
`;

/** A complete HTML document. */
export function htmlPage(title: string, body: string, extraCss = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(title)}</title>
<style>${css}${extraCss}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/** A two-column table of labels and values. */
export function keyValueTable(rows: readonly (readonly [string, string | number])[]): string {
  return `<table class="kv">\n${rows.map(([k, v]) => `<tr><td>${escapeXml(k)}</td><td>${escapeXml(String(v))}</td></tr>`).join('\n')}\n</table>`;
}

/**
 * The confusion matrix: rows are true classes, columns predictions; each cell's blue shade is its
 * share of the row, so the diagonal reads as per-class recall.
 */
export function confusionTable(matrix: readonly (readonly number[])[], classes: readonly string[]): string {
  const head = `<tr><th></th>${classes.map((c) => `<th class="col">${escapeXml(c)}</th>`).join('')}</tr>`;
  const rows = matrix.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    const cells = row.map((n, j) => {
      const share = n / total;
      const bg = i === j ? `rgba(37, 99, 235, ${(0.1 + 0.9 * share).toFixed(3)})` : `rgba(220, 38, 38, ${Math.min(1, share * 4).toFixed(3)})`;
      const fg = share > 0.5 ? '#fff' : '#111';
      return `<td style="background:${bg};color:${fg}" title="true ${escapeXml(classes[i])}, predicted ${escapeXml(classes[j])}: ${n}">${n}</td>`;
    });
    return `<tr><th class="row">${escapeXml(classes[i])}</th>${cells.join('')}</tr>`;
  });
  return `<table class="confusion">\n${head}\n${rows.join('\n')}\n</table>`;
}
