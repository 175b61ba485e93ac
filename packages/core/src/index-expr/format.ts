// Canonical text of index expressions: used in kernel keys, explain() output and error messages.
// Renderers never use this text; they walk the IR.
import type { IndexCond, IndexExpr } from './ast.js';

export function formatIndex(e: IndexExpr): string {
  switch (e.kind) {
    case 'const':
      return e.value < 0 ? `(${e.value})` : String(e.value);
    case 'idx':
      return `i${e.axis}`;
    case 'bin':
      return e.op === 'min' || e.op === 'max'
        ? `${e.op}(${formatIndex(e.a)},${formatIndex(e.b)})`
        : `(${formatIndex(e.a)}${e.op}${formatIndex(e.b)})`;
  }
}

export function formatCond(c: IndexCond): string {
  switch (c.kind) {
    case 'bool':
      // Comparisons rather than words, so the canonical text parses back (the grammar has no literals).
      return c.value ? '(0==0)' : '(0!=0)';
    case 'cmp':
      return `(${formatIndex(c.a)}${c.op}${formatIndex(c.b)})`;
    case 'and':
      return `(${formatCond(c.a)}&&${formatCond(c.b)})`;
    case 'or':
      return `(${formatCond(c.a)}||${formatCond(c.b)})`;
    case 'not':
      return `!${formatCond(c.a)}`;
  }
}
