// graph.html: the kernel graph of a computation, each fused kernel drawn as a box listing the
// meta-ops inside it (coloured by class), inputs as small boxes, data flow as arrows. Layered
// layout (a row per longest-path depth, rows ordered by the parents' mean position); clicking a
// box shows that kernel's loop IR and generated source.
import { escapeXml, htmlPage } from './html.js';

export type OpClass = 'elementwise' | 'reindex' | 'reduce';

export interface GraphOp {
  readonly op: string;
  readonly cls: OpClass;
  /** e.g. "binary(add) -> float32[8, 16]". */
  readonly text: string;
}

export interface GraphNode {
  readonly id: number;
  readonly kind: 'input' | 'kernel';
  readonly label: string;
  /** "float32[8, 16]". */
  readonly type: string;
  /** Producers (ids of inputs or kernels). */
  readonly from: readonly number[];
  readonly ops: readonly GraphOp[];
  readonly loopIR: string;
  readonly source: string;
}

export interface GraphPage {
  readonly title: string;
  readonly subtitle: string;
  readonly nodes: readonly GraphNode[];
}

const colors: Record<OpClass, string> = { elementwise: '#dbeafe', reindex: '#dcfce7', reduce: '#ffedd5' };
const strokes: Record<OpClass, string> = { elementwise: '#2563eb', reindex: '#16a34a', reduce: '#ea580c' };
const MAX_OPS_SHOWN = 10;
const KW = 300;
const IW = 190;
const LINE = 15;
const GAP_X = 28;
const GAP_Y = 64;

interface Placed {
  node: GraphNode;
  x: number;
  y: number;
  w: number;
  h: number;
}

function boxHeight(n: GraphNode): number {
  if (n.kind === 'input') return 40;
  const shown = Math.min(n.ops.length, MAX_OPS_SHOWN) + (n.ops.length > MAX_OPS_SHOWN ? 1 : 0);
  return 40 + shown * LINE;
}

/** Positions every node: rows by depth, ordered by the mean x of their producers. */
export function layoutGraph(nodes: readonly GraphNode[]): { placed: Placed[]; width: number; height: number } {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const depth = new Map<number, number>();
  const depthOf = (id: number): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    const n = byId.get(id) as GraphNode;
    const d = n.from.length === 0 ? 0 : 1 + Math.max(...n.from.filter((f) => byId.has(f)).map(depthOf), -1);
    depth.set(id, d);
    return d;
  };
  for (const n of nodes) depthOf(n.id);
  // Sources (inputs, and kernels that read only undrawn inputs, like a model's folded BatchNorm
  // scales) sit one row above their first consumer instead of all in row 0. Moving a source down
  // never passes a consumer, so every arrow still points down.
  for (const n of nodes) {
    if (n.from.some((f) => byId.has(f))) continue;
    const consumers = nodes.filter((k) => k.from.includes(n.id)).map((k) => depthOf(k.id));
    if (consumers.length > 0) depth.set(n.id, Math.max(0, Math.min(...consumers) - 1));
  }
  const rows: GraphNode[][] = [];
  for (const n of nodes) (rows[depth.get(n.id) as number] ??= []).push(n);
  const placed = new Map<number, Placed>();
  let y = 70;
  const rowWidths: number[] = [];
  for (const row of rows) {
    if (!row) continue;
    const key = (n: GraphNode) => {
      const xs = n.from.map((f) => placed.get(f)).filter((p): p is Placed => p !== undefined).map((p) => p.x + p.w / 2);
      return xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.POSITIVE_INFINITY;
    };
    row.sort((a, b) => key(a) - key(b) || a.id - b.id);
    let x = 20;
    const h = Math.max(...row.map(boxHeight));
    for (const n of row) {
      const w = n.kind === 'kernel' ? KW : IW;
      placed.set(n.id, { node: n, x, y, w, h: boxHeight(n) });
      x += w + GAP_X;
    }
    rowWidths.push(x);
    y += h + GAP_Y;
  }
  const width = Math.max(...rowWidths, 400);
  // Centre each row.
  for (const row of rows) {
    if (!row) continue;
    const ps = row.map((n) => placed.get(n.id) as Placed);
    const right = Math.max(...ps.map((p) => p.x + p.w));
    const shift = (width - right) / 2;
    for (const p of ps) p.x += shift;
  }
  return { placed: [...placed.values()], width: width + 20, height: y };
}

function renderSvg(nodes: readonly GraphNode[]): string {
  const { placed, width, height } = layoutGraph(nodes);
  const at = new Map(placed.map((p) => [p.node.id, p]));
  const consumed = new Set(nodes.flatMap((n) => n.from));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" id="graph" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#64748b"/></marker></defs>',
  ];
  for (const p of placed) {
    for (const f of p.node.from) {
      const s = at.get(f);
      if (!s) continue;
      const x1 = s.x + s.w / 2;
      const y1 = s.y + s.h;
      const x2 = p.x + p.w / 2;
      const y2 = p.y - 2;
      const my = (y1 + y2) / 2;
      parts.push(`<path d="M${x1.toFixed(1)},${y1} C${x1.toFixed(1)},${my} ${x2.toFixed(1)},${my} ${x2.toFixed(1)},${y2}" fill="none" stroke="#94a3b8" stroke-width="1.3" marker-end="url(#arrow)"/>`);
    }
  }
  for (const p of placed) {
    const n = p.node;
    const isOutput = n.kind === 'kernel' && !consumed.has(n.id);
    parts.push(`<g class="node ${n.kind}" data-id="${n.id}" transform="translate(${p.x.toFixed(1)} ${p.y})">`);
    if (n.kind === 'input') {
      parts.push(`<rect width="${p.w}" height="${p.h}" rx="18" fill="#f1f5f9" stroke="#64748b"/>`);
      parts.push(`<text x="${p.w / 2}" y="17" text-anchor="middle" font-size="12" font-weight="600">${escapeXml(n.label)}</text>`);
      parts.push(`<text x="${p.w / 2}" y="31" text-anchor="middle" font-size="11" fill="#475569">${escapeXml(n.type)}</text>`);
    } else {
      // The border says what the kernel is: a reduction (it ends in a reduce-class op) or a map.
      const cls: OpClass = n.ops.some((o) => o.cls === 'reduce') ? 'reduce' : 'elementwise';
      parts.push(`<rect width="${p.w}" height="${p.h}" rx="6" fill="#fff" stroke="${strokes[cls]}" stroke-width="${isOutput ? 3 : 1.5}"/>`);
      parts.push(`<text x="10" y="17" font-size="12" font-weight="600">${escapeXml(n.label)}</text>`);
      parts.push(`<text x="${p.w - 10}" y="17" font-size="11" text-anchor="end" fill="#475569">${escapeXml(n.type)}</text>`);
      n.ops.slice(0, MAX_OPS_SHOWN).forEach((o, i) => {
        const y = 26 + i * LINE;
        parts.push(`<rect x="8" y="${y}" width="${p.w - 16}" height="${LINE - 2}" rx="3" fill="${colors[o.cls]}"/>`);
        parts.push(`<text x="14" y="${y + 10.5}" font-size="10.5">${escapeXml(o.text.length > 48 ? `${o.text.slice(0, 47)}…` : o.text)}</text>`);
      });
      if (n.ops.length > MAX_OPS_SHOWN) {
        parts.push(`<text x="14" y="${26 + MAX_OPS_SHOWN * LINE + 10}" font-size="10.5" fill="#475569">… ${n.ops.length - MAX_OPS_SHOWN} more ops</text>`);
      }
    }
    parts.push('</g>');
  }
  parts.push('</svg>');
  return parts.join('\n');
}

const pageCss = `
body { max-width: none; margin: 1rem; }
.layout { display: flex; gap: 1rem; align-items: flex-start; }
.canvas { flex: 1 1 auto; overflow: auto; border: 1px solid #ddd; border-radius: 6px; max-height: 85vh; background: #fafafa; }
.panel { flex: 0 0 44%; max-height: 85vh; overflow: auto; border: 1px solid #ddd; border-radius: 6px; padding: .5rem 1rem; }
.panel pre { background: #f8fafc; padding: .5rem; overflow: auto; white-space: pre; }
.node { cursor: pointer; } .node:hover rect:first-child { filter: drop-shadow(0 0 4px #93c5fd); }
.legend span { display: inline-block; padding: 0 .5rem; margin-right: .5rem; border-radius: 3px; }
`;

const script = `
const data = JSON.parse(document.getElementById('graph-data').textContent);
const panel = document.getElementById('panel');
const esc = (s) => s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]);
function show(id) {
  const n = data.find((d) => d.id === id);
  if (!n) return;
  if (n.kind === 'input') { panel.innerHTML = '<h3>input ' + esc(n.label) + '</h3><p>' + esc(n.type) + ': a materialised tensor the kernels read.</p>'; return; }
  panel.innerHTML = '<h3>' + esc(n.label) + ' → ' + esc(n.type) + '</h3>' +
    '<p>fuses ' + n.ops.length + ' meta-op' + (n.ops.length === 1 ? '' : 's') + ':</p><ol>' + n.ops.map((o) => '<li><code>' + esc(o.text) + '</code></li>').join('') + '</ol>' +
    '<h4>loop IR</h4><pre>' + esc(n.loopIR) + '</pre><h4>generated source</h4><pre>' + esc(n.source) + '</pre>';
}
document.querySelectorAll('.node').forEach((g) => g.addEventListener('click', () => show(Number(g.dataset.id))));
const firstKernel = data.find((d) => d.kind === 'kernel');
if (firstKernel) show(firstKernel.id);
`;

/** The whole page. */
export function renderGraphPage(page: GraphPage): string {
  const kernels = page.nodes.filter((n) => n.kind === 'kernel').length;
  const json = JSON.stringify(page.nodes).replace(/</g, '\\u003c');
  const body = `
<h1>${escapeXml(page.title)}</h1>
<p class="sub">${escapeXml(page.subtitle)} · ${kernels} fused kernel${kernels === 1 ? '' : 's'} · click a box for its loop IR and source</p>
<p class="legend">meta-op classes: <span style="background:${colors.elementwise}">element-wise</span><span style="background:${colors.reindex}">reindex</span><span style="background:${colors.reduce}">reindex-reduce</span> · thick border: an output</p>
<div class="layout">
<div class="canvas">
${renderSvg(page.nodes)}
</div>
<div class="panel" id="panel"></div>
</div>
<script type="application/json" id="graph-data">${json}</script>
<script>${script}</script>
`;
  return htmlPage(page.title, body, pageCss);
}
