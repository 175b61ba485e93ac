// torch.einsum lowered to meta-ops: repeated labels in one operand become a diagonal reindex,
// every operand is permuted and broadcast to the space of all labels (output labels first), the
// product is reduced over the contracted labels. Two operands are exactly matmul's
// broadcast × broadcast → reduce(add), one fused kernel; more operands form one product over all
// their labels (no contraction-order search).
import { ArgumentError, DTypeError, expectVar, formatShape, ShapeError, type Var } from '@metaop/core';
import { binary } from '../meta/elementwise.js';
import { reduce } from '../meta/reduce.js';
import { broadcast, permute, reindex, reshape } from '../meta/reindex.js';

const op = 'einsum';

/** Labels of one term: letters, with '...' expanded to `ellipsis` tokens ('.0', '.1', ...). */
function termLabels(term: string, ndim: number | null, maxEllipsis: number, which: string): string[] {
  const parts = term.split('...');
  if (parts.length > 2) throw new ArgumentError(`${which} '${term}' has more than one ellipsis`, op);
  for (const ch of parts.join('')) {
    if (!/[a-zA-Z]/.test(ch)) throw new ArgumentError(`${which} '${term}' has the character '${ch}'; subscripts are letters a-z, A-Z and '...'`, op);
  }
  const letters = parts.join('').length;
  if (parts.length === 1) {
    if (ndim !== null && letters !== ndim) {
      throw new ShapeError(`${which} '${term}' names ${letters} dims but the operand has ${ndim}; add '...' to broadcast over the rest`, op);
    }
    return [...term];
  }
  const e = ndim === null ? maxEllipsis : ndim - letters;
  if (e < 0) throw new ShapeError(`${which} '${term}' names ${letters} dims but the operand has only ${ndim}`, op);
  const dots = Array.from({ length: e }, (_, k) => `.${maxEllipsis - e + k}`);
  return [...parts[0], ...dots, ...parts[1]];
}

/** Takes the diagonal over repeated labels: x with labels ['i', 'i'] -> its diagonal with ['i']. */
function diagonal(x: Var, labels: string[], which: string): [Var, string[]] {
  const unique = [...new Set(labels)];
  if (unique.length === labels.length) return [x, labels];
  const sizes = unique.map((l) => {
    const dims = labels.flatMap((m, d) => (m === l ? [d] : []));
    const s = x.shape[dims[0]];
    if (dims.some((d) => x.shape[d] !== s)) {
      throw new ShapeError(`${which}: label '${l}' repeats over dims of different sizes in ${formatShape(x.shape)}`, op);
    }
    return s;
  });
  return [reindex(x, sizes, labels.map((l) => `i${unique.indexOf(l)}`)), unique];
}

/**
 * torch.einsum('ij,jk->ik', a, b): sums the product of the operands over the labels that the
 * output does not name. Without '->' the output holds the ellipsis dims, then the labels that
 * appear exactly once, in alphabetical order. Dims of one label must be equal or 1 (broadcast).
 */
export function einsum(equation: string, ...operands: Var[]): Var {
  if (typeof equation !== 'string') throw new ArgumentError(`equation must be a string like 'ij,jk->ik', got ${typeof equation}`, op);
  const eq = equation.replace(/\s+/g, '');
  const arrow = eq.split('->');
  if (arrow.length > 2) throw new ArgumentError(`equation '${equation}' has more than one '->'`, op);
  const terms = arrow[0].split(',');
  if (terms.length !== operands.length) {
    throw new ArgumentError(`equation '${equation}' has ${terms.length} operand terms but ${operands.length} operands were given`, op);
  }
  operands.forEach((x, k) => expectVar(x, op, `operand ${k}`));
  const dtype = operands[0].dtype;
  if (operands.some((x) => x.dtype !== dtype)) {
    throw new DTypeError(`operands must share one dtype, got ${operands.map((x) => x.dtype).join(', ')}; cast them`, op);
  }
  if (dtype === 'bool') throw new DTypeError('cannot contract bool operands; cast them first', op);
  const maxEllipsis = Math.max(0, ...terms.map((t, k) => (t.includes('...') ? operands[k].ndim - t.replace('...', '').length : 0)));
  const raw = operands.map((x, k) => termLabels(terms[k], x.ndim, maxEllipsis, `operand ${k}`));
  const prepared = operands.map((x, k) => diagonal(x, raw[k], `operand ${k}`));

  const size = new Map<string, number>();
  for (const [x, labels] of prepared) {
    labels.forEach((l, d) => {
      const s = x.shape[d];
      const prev = size.get(l);
      if (prev === undefined || prev === 1) size.set(l, s);
      else if (s !== 1 && s !== prev) {
        const name = l.startsWith('.') ? 'an ellipsis dim' : `label '${l}'`;
        throw new ShapeError(`${name} has sizes ${prev} and ${s} in '${equation}' for operands ${operands.map((o) => formatShape(o.shape)).join(', ')}`, op);
      }
    });
  }
  const counts = new Map<string, number>();
  // Counted before diagonals are taken: 'ii' names i twice, so the implicit output of 'ii' is the trace.
  for (const labels of raw) for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  let out: string[];
  if (arrow.length === 2) {
    out = termLabels(arrow[1], null, maxEllipsis, 'output');
    if (new Set(out).size !== out.length) throw new ArgumentError(`output '${arrow[1]}' repeats a label`, op);
    for (const l of out) if (!size.has(l)) throw new ArgumentError(`output label '${l}' does not appear in the operands of '${equation}'`, op);
  } else {
    const dots = [...size.keys()].filter((l) => l.startsWith('.')).sort();
    const once = [...counts].filter(([l, c]) => c === 1 && !l.startsWith('.')).map(([l]) => l).sort();
    out = [...dots, ...once];
  }
  const contracted = [...size.keys()].filter((l) => !out.includes(l));
  const all = [...out, ...contracted];
  const full = all.map((l) => size.get(l) as number);

  let product: Var | null = null;
  for (const [x, labels] of prepared) {
    const order = all.filter((l) => labels.includes(l));
    const moved = permute(x, order.map((l) => labels.indexOf(l)));
    const viewed = reshape(moved, all.map((l) => (labels.includes(l) ? x.shape[labels.indexOf(l)] : 1)));
    const b = broadcast(viewed, full);
    product = product === null ? b : binary(product, b, 'mul');
  }
  const p = product as Var;
  return contracted.length === 0 ? p : reduce(p, 'add', contracted.map((_, k) => out.length + k));
}
