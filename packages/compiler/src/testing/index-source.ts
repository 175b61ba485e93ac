// The check behind each backend's index-expression fuzz test: user text given to reindex either is
// refused with an IndexExprError, or reaches the generated source only through the parsed IR.
import { formatCond, formatIndex, IndexExprError, type OpNode, type Var } from '@metaop/core';
import { reindex, tensor } from '@metaop/ops';
import { Rng } from '@metaop/ops/testing';
import { explain } from '../explain.js';

/** Pieces the fuzzers join into index strings: the grammar's tokens (with the shape symbols of reindex)... */
export const grammarIndexPieces: readonly string[] = Object.freeze([
  ...['i0', 'i1', 'i2', '+', '-', '*', '/', '%', '(', ')', 'min(', 'max(', ',', ' ', '\t', '0', '1', '2', '7', '007', '9007199254740991'],
  ...['xshape0', 'xshape1', 'yshape2', 'XDIM', 'YDIM', 'xstride0', 'ystride1', '<', '<=', '>=', '==', '!=', '&&', '||', '!'],
]);

/** ...and hostile text: C/JS injection, number syntaxes outside the grammar, unicode, prototype names. */
export const hostileIndexPieces: readonly string[] = Object.freeze([
  ...[';', 'system("x")', '/*', '*/', '//', '\n#include <stdlib.h>\n', '${', '}', '`', '"', "'", '\\', '0x1f', '1e3', '1.5'],
  ...['é', '０', '\u2028', '\u0000', '\u{1F642}', '__proto__', 'constructor', 'toString', 'return', 'i0i1', 'i99', 'I0', '$i0', '#', '\n'],
]);

/** Names that only the user's text holds; the parser replaces them by their values. */
const symbolNames = /xshape|yshape|xstride|ystride|XDIM|YDIM/;

/** The generated source of every kernel computing `v` on `backend`. */
function sourceOf(v: Var, backend: string): string {
  return explain(v, { backend })
    .kernels.map((k) => k.source)
    .join('\n');
}

/**
 * A random index text from `seed`: a valid expression over i0..i2 and reindex's shape symbols
 * (big and zero-padded numerals, odd spacing, redundant parentheses), as a comparison when
 * `asCondition`, with a hostile piece spliced in at a random place one time in three.
 */
const leaves = ['i0', 'i1', 'i2', 'xshape0', 'xshape1', 'yshape2', 'XDIM', 'YDIM', 'xstride0', 'ystride1', '0', '1', '5', '007', '2147483648', '9007199254740991'];

export function randomIndexText(seed: number, asCondition: boolean): string {
  const rng = new Rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(0, xs.length)];
  const expr = (depth: number): string => {
    if (depth === 0 || rng.next() < 0.3) {
      return pick(leaves);
    }
    const a = expr(depth - 1);
    const b = expr(depth - 1);
    switch (rng.int(0, 5)) {
      case 0:
        return `${a}${pick(['+', ' - ', '\t*\t'])}${b}`;
      case 1:
        return `(${a})${pick(['/', '%'])}${rng.int(1, 9)}`;
      case 2:
        return `${pick(['min', 'max'])}(${a}, ${b})`;
      case 3:
        return `${pick(['(', '-(', '+('])}${a})`;
      default:
        return `${a}*${rng.int(-3, 4)}`;
    }
  };
  let text = asCondition ? `${expr(3)} ${pick(['<', '<=', '>=', '==', '!='])} ${expr(2)}${pick(['', ' || i0 == 1', ' && !(i1 < 2)'])}` : expr(4);
  if (rng.next() < 1 / 3) {
    const at = rng.int(0, text.length + 1);
    text = text.slice(0, at) + pick(hostileIndexPieces) + text.slice(at);
  }
  return text;
}

export interface IndexSourceCheck {
  /** True when the text parsed and was rendered, false when it was refused with an IndexExprError. */
  readonly rendered: boolean;
  /** What went wrong, in words; null when nothing did. */
  readonly problem: string | null;
}

/**
 * Checks that `text`, used as reindex's first index expression (`asCondition`: as its overflow
 * condition) of an input [3, 4] into an output [2, 3, 4], is either refused with an
 * IndexExprError or renders on `backend` exactly as the canonical text of its IR does, with no
 * shape-symbol name in the source.
 */
export function checkIndexSource(backend: string, text: string, asCondition: boolean): IndexSourceCheck {
  const x = tensor(Array.from({ length: 12 }, (_, k) => k), [3, 4]);
  const build = (t: string): Var =>
    asCondition ? reindex(x, [2, 3, 4], ['i1', 'i2'], -1, [t]) : reindex(x, [2, 3, 4], [t, 'i2'], -1, ['i0 > 5']);
  let v: Var;
  try {
    v = build(text);
  } catch (e) {
    x.dispose();
    return { rendered: false, problem: e instanceof IndexExprError ? null : `${JSON.stringify(text)} threw ${String(e)}, not an IndexExprError` };
  }
  const node = v.node as Extract<OpNode, { op: 'reindex' }>;
  const canonical = asCondition ? formatCond(node.overflowConditions[0]) : formatIndex(node.indexes[0]);
  const source = sourceOf(v, backend);
  const again = build(canonical);
  const expected = sourceOf(again, backend);
  for (const u of [v, again, x]) u.dispose();
  const problem = symbolNames.test(source)
    ? `${JSON.stringify(text)}: a shape-symbol name reached the ${backend} source`
    : source !== expected
      ? `${JSON.stringify(text)} renders differently on ${backend} from its canonical text ${JSON.stringify(canonical)}`
      : null;
  return { rendered: true, problem };
}
