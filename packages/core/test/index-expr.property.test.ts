// Index expressions: random trees printed to text parse back to IR that evaluates the same, the
// simplifier preserves values over the given ranges, and junk or injected text is rejected.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  evalCond,
  evalIndex,
  formatIndex,
  IndexExprError,
  parseCond,
  parseIndex,
  simplifyCond,
  simplifyIndex,
  type IndexCompareOp,
  type IndexCond,
  type IndexExpr,
  type Range,
} from '../src/index.js';

const NDIM = 3;

/** Integer equality (0 and -0 are the same index). */
function same(actual: number, expected: number, label: string): void {
  expect(actual === expected, `${label}: ${actual} vs ${expected}`).toBe(true);
}

const exprArb: fc.Arbitrary<IndexExpr> = fc.letrec<{ e: IndexExpr }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer({ min: -20, max: 20 }).map((value): IndexExpr => ({ kind: 'const', value })),
    fc.integer({ min: 0, max: NDIM - 1 }).map((axis): IndexExpr => ({ kind: 'idx', axis })),
    fc
      .tuple(fc.constantFrom('+', '-', '*', 'min', 'max'), tie('e'), tie('e'))
      .map(([op, a, b]): IndexExpr => ({ kind: 'bin', op: op as '+', a, b })),
    // Division and modulo by non-zero constants, positive or negative (floor semantics).
    fc
      .tuple(fc.constantFrom('/', '%'), tie('e'), fc.integer({ min: -9, max: 9 }).filter((d) => d !== 0))
      .map(([op, a, d]): IndexExpr => ({ kind: 'bin', op: op as '/', a, b: { kind: 'const', value: d } })),
  ),
})).e;

const condArb: fc.Arbitrary<IndexCond> = fc.letrec<{ c: IndexCond }>((tie) => ({
  c: fc.oneof(
    { depthSize: 'small' },
    fc
      .tuple(fc.constantFrom<IndexCompareOp>('<', '<=', '>', '>=', '==', '!='), exprArb, exprArb)
      .map(([op, a, b]): IndexCond => ({ kind: 'cmp', op, a, b })),
    fc.tuple(fc.constantFrom('and', 'or'), tie('c'), tie('c')).map(([kind, a, b]): IndexCond => ({ kind: kind as 'and', a, b })),
    tie('c').map((a): IndexCond => ({ kind: 'not', a })),
  ),
})).c;

const prec: Record<string, number> = { '+': 1, '-': 1, '*': 2, '/': 2, '%': 2 };

/** Prints with as few parentheses as precedence allows, and the given spacing. */
function print(e: IndexExpr, sp: string): string {
  switch (e.kind) {
    case 'const':
      return String(e.value);
    case 'idx':
      return `i${e.axis}`;
    case 'bin': {
      if (e.op === 'min' || e.op === 'max') return `${e.op}(${print(e.a, sp)},${sp}${print(e.b, sp)})`;
      const p = prec[e.op];
      const side = (x: IndexExpr, right: boolean) => {
        const s = print(x, sp);
        const xp = x.kind === 'bin' && x.op in prec ? prec[x.op] : 3;
        const needs = right ? xp <= p : xp < p;
        return needs || (x.kind === 'const' && x.value < 0 && right) ? `(${s})` : s;
      };
      return `${side(e.a, false)}${sp}${e.op}${sp}${side(e.b, true)}`;
    }
  }
}

function printCond(c: IndexCond, sp: string): string {
  switch (c.kind) {
    case 'bool':
      return c.value ? '0==0' : '0!=0';
    case 'cmp':
      return `${print(c.a, sp)}${sp}${c.op}${sp}${print(c.b, sp)}`;
    case 'and':
      return `(${printCond(c.a, sp)})${sp}&&${sp}(${printCond(c.b, sp)})`;
    case 'or':
      return `(${printCond(c.a, sp)})${sp}||${sp}(${printCond(c.b, sp)})`;
    case 'not':
      return `!(${printCond(c.a, sp)})`;
  }
}

const coords = fc.array(fc.integer({ min: -12, max: 12 }), { minLength: NDIM, maxLength: NDIM });
const spacing = fc.constantFrom('', ' ', '  ', '\t');
const ranges = fc.array(
  fc.tuple(fc.integer({ min: -8, max: 8 }), fc.nat(10)).map(([lo, n]): Range => [lo, lo + n]),
  { minLength: NDIM, maxLength: NDIM },
);
/** A point inside the ranges, from fractions in [0, 1]. */
const inside = (rs: Range[], fr: number[]) => rs.map(([lo, hi], k) => lo + Math.round(fr[k] * (hi - lo)));
const fractions = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: NDIM, maxLength: NDIM });

describe('index expression parsing', () => {
  it('printed trees parse back to IR that evaluates the same everywhere', () => {
    fc.assert(
      fc.property(exprArb, spacing, fc.array(coords, { minLength: 1, maxLength: 8 }), (e, sp, points) => {
        const text = print(e, sp);
        const parsed = parseIndex(text, { ndim: NDIM });
        for (const c of points) same(evalIndex(parsed, c), evalIndex(e, c), `${text} at [${c}]`);
      }),
      { numRuns: 1000 },
    );
  });

  it('the canonical text of the IR parses back to the same values', () => {
    fc.assert(
      fc.property(exprArb, coords, (e, c) => {
        same(evalIndex(parseIndex(formatIndex(e), { ndim: NDIM }), c), evalIndex(e, c), formatIndex(e));
      }),
      { numRuns: 500 },
    );
  });

  it('printed conditions parse back to the same truth values', () => {
    fc.assert(
      fc.property(condArb, spacing, fc.array(coords, { minLength: 1, maxLength: 6 }), (c, sp, points) => {
        const text = printCond(c, sp);
        const parsed = parseCond(text, { ndim: NDIM });
        for (const p of points) expect(evalCond(parsed, p), `${text} at [${p}]`).toBe(evalCond(c, p));
      }),
      { numRuns: 500 },
    );
  });

  it('resolves shape symbols and nests up to the depth limit', () => {
    const symbols = { xshape0: 7, XDIM: 2 };
    expect(evalIndex(parseIndex('xshape0 - 1 - i0 + XDIM', { ndim: 1, symbols }), [3])).toBe(5);
    expect(evalIndex(parseIndex(`${'('.repeat(150)}i0${')'.repeat(150)}`, { ndim: 1 }), [4])).toBe(4);
    expect(() => parseIndex(`${'('.repeat(300)}i0${')'.repeat(300)}`, { ndim: 1 })).toThrow(IndexExprError);
  });
});

describe('index simplification', () => {
  it('preserves values over the given ranges', () => {
    fc.assert(
      fc.property(exprArb, ranges, fc.array(fractions, { minLength: 1, maxLength: 10 }), (e, rs, fr) => {
        const s = simplifyIndex(e, rs);
        for (const f of fr) {
          const c = inside(rs, f);
          same(evalIndex(s, c), evalIndex(e, c), `${formatIndex(e)} -> ${formatIndex(s)} at [${c}]`);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('preserves values everywhere without ranges', () => {
    fc.assert(
      fc.property(exprArb, fc.array(coords, { minLength: 1, maxLength: 8 }), (e, points) => {
        const s = simplifyIndex(e);
        for (const c of points) same(evalIndex(s, c), evalIndex(e, c), `${formatIndex(e)} -> ${formatIndex(s)} at [${c}]`);
      }),
      { numRuns: 1000 },
    );
  });

  it('preserves conditions over the given ranges', () => {
    fc.assert(
      fc.property(condArb, ranges, fc.array(fractions, { minLength: 1, maxLength: 8 }), (c, rs, fr) => {
        const s = simplifyCond(c, rs);
        for (const f of fr) {
          const p = inside(rs, f);
          expect(evalCond(s, p), `at [${p}]`).toBe(evalCond(c, p));
        }
      }),
      { numRuns: 800 },
    );
  });

  it('removes div and mod that the ranges decide', () => {
    const r: Range[] = [[0, 3], [0, 1]];
    expect(formatIndex(simplifyIndex(parseIndex('(i0*2+i1)/2', { ndim: 2 }), r))).toBe('i0');
    expect(formatIndex(simplifyIndex(parseIndex('(i0*2+i1)%2', { ndim: 2 }), r))).toBe('i1');
    expect(formatIndex(simplifyIndex(parseIndex('min(i0, 5) + max(i1, -1)', { ndim: 2 }), r))).toBe('(i0+i1)');
  });
});

const forbidden = [';', '$', '"', "'", '`', '{', '}', '[', ']', '\\', '.', ':', '?', '@', '#', '^', '~', '\n', '=', '&', '|', 'é', '０'];

describe('index expression rejection', () => {
  it('random strings either parse or throw IndexExprError, never anything else', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40, unit: 'grapheme-ascii' }), (text) => {
        try {
          parseIndex(text, { ndim: NDIM });
          expect(text).toMatch(/^[0-9A-Za-z_ \t+\-*/%(),]*$/);
        } catch (e) {
          expect(e).toBeInstanceOf(IndexExprError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('a valid expression with a character outside the grammar inserted is rejected', () => {
    fc.assert(
      fc.property(exprArb, fc.constantFrom(...forbidden), fc.double({ min: 0, max: 1, noNaN: true }), (e, ch, at) => {
        const text = print(e, ' ');
        const k = Math.round(at * text.length);
        const junk = text.slice(0, k) + ch + text.slice(k);
        expect(() => parseIndex(junk, { ndim: NDIM })).toThrow(IndexExprError);
      }),
      { numRuns: 1000 },
    );
  });

  it('injection attempts are rejected with the offending text in the message', () => {
    for (const text of ['i0; system("ls")', 'i0) + exit(', '__proto__', 'constructor', 'i0 + require("fs")', 'i0 // comment', 'i0/**/']) {
      expect(() => parseIndex(text, { ndim: 2, op: 'reindex' }), text).toThrow(IndexExprError);
      expect(() => parseIndex(text, { ndim: 2, op: 'reindex' }), text).toThrow(/^reindex: bad index expression/);
    }
    expect(() => parseIndex('i9', { ndim: 2 })).toThrow(/i9 is out of range: this op iterates over 2 axes \(i0\.\.i1\)/);
    expect(() => parseIndex('toString', { ndim: 1, symbols: {} })).toThrow(/unknown name 'toString'/);
  });
});
