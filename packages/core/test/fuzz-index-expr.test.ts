// Fuzzing the index-expression parser with hostile text: token soup mixing the grammar with C/JS
// injection, unicode, huge numerals, deep nesting and very long inputs. Every input either parses
// to IR that stays inside the grammar or throws an IndexExprError, quickly; parsed IR printed
// canonically parses back to the same values. METAOP_FUZZ_RUNS=N runs N cases per property.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  evalCond,
  evalIndex,
  formatCond,
  formatIndex,
  IndexExprError,
  parseCond,
  parseIndex,
  type IndexCond,
  type IndexExpr,
} from '../src/index.js';
import { fuzzRuns } from './fuzz-runs.js';

const NDIM = 3;
const symbols = { xshape0: 5, xshape1: 7, yshape2: 4, XDIM: 2, YDIM: 3, xstride0: 7, ystride1: 4 };
const ctx = { ndim: NDIM, symbols, op: 'reindex' };

const grammarPieces = ['i0', 'i1', 'i2', '+', '-', '*', '/', '%', '(', ')', 'min(', 'max(', ',', ' ', '\t', '0', '1', '7', '12'];
const symbolPieces = Object.keys(symbols);
const condPieces = ['<', '<=', '>', '>=', '==', '!=', '&&', '||', '!'];
const hostilePieces = [
  ...[';', 'system("x")', '/*', '*/', '//', '\n#include <stdio.h>\n', '${', '}', '`', '"', "'", '\\', '[', ']', '.', '?', ':', '=', '&', '|', '^', '~', '@', '$'],
  ...['0x1f', '0b1', '1e3', '1.5', '.5', '1_000', '9'.repeat(17), '9007199254740993', '123456789012345678901234567890', 'Infinity', 'NaN'],
  ...['é', '０', '٣', '\u2028', '\u00a0', '\u200b', '\u0000', '\r', '\n', '\u{1F642}', '\uD800', 'ｉ0', 'і0'],
  ...['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'return', 'function', 'this', 'process', 'require', 'globalThis'],
  ...['i0i1', 'i3', 'i99', 'i00', 'i-1', 'I0', '$i0', 'min', 'max(i0)', 'min(,)', 'xshape', 'xshape9', 'XDIM0', 'true', 'false'],
];

/** Random token soup: mostly grammar, with symbols, comparisons and hostile pieces mixed in. */
const soup = fc
  .array(
    fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom(...grammarPieces) },
      { weight: 1, arbitrary: fc.constantFrom(...symbolPieces) },
      { weight: 1, arbitrary: fc.constantFrom(...condPieces) },
      { weight: 2, arbitrary: fc.constantFrom(...hostilePieces) },
      { weight: 1, arbitrary: fc.string({ maxLength: 3, unit: 'binary' }) },
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

/** Valid text with the awkward parts of the grammar: symbols, big and zero-padded numerals, redundant parentheses, odd spacing. */
const validText: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('i0', 'i1', 'i2', ...symbolPieces),
    fc.oneof(fc.nat(20), fc.constantFrom(2 ** 31, 2 ** 32 + 1, 2 ** 53 - 1)).map(String),
    fc.nat(99).map((n) => `000${n}`),
    fc.tuple(fc.constantFrom('+', '-', '*', ' + ', '\t-\t'), tie('e'), tie('e')).map(([op, a, b]) => `${a}${op}${b}`),
    fc.tuple(fc.constantFrom('/', '%'), tie('e'), fc.integer({ min: 1, max: 9 })).map(([op, a, d]) => `(${a})${op}${d}`),
    fc.tuple(fc.constantFrom('min', 'max'), tie('e'), tie('e')).map(([f, a, b]) => `${f}( ${a} ,${b})`),
    fc.tuple(fc.constantFrom('(', '((', '-(', '+(', '- -('), tie('e')).map(([o, a]) => `${o}${a}${')'.repeat(o.split('(').length - 1)}`),
  ),
})).e;

/** Long and deep inputs: repeated pieces around a core, near and past the length and depth limits. */
const extreme = fc
  .tuple(
    fc.constantFrom('(', '-', '+', '!', 'min(i0,', 'max(', '-(', '((', 'i0+', 'i0*', 'i0/1+', '9', ' '),
    fc.integer({ min: 0, max: 5000 }),
    fc.constantFrom('i0', 'i1<0', '1', '', ')', 'i0)'),
    fc.constantFrom(')', '', '),i1)', ')<0', '+1'),
  )
  .map(([open, n, core, close]) => open.repeat(n) + core + close.repeat(open.includes('(') ? n : 0));

/** Axes read and constants held by parsed IR: what a renderer will see. */
function checkExpr(e: IndexExpr): void {
  switch (e.kind) {
    case 'const':
      expect(Number.isSafeInteger(e.value), `constant ${e.value}`).toBe(true);
      return;
    case 'idx':
      expect(Number.isInteger(e.axis) && e.axis >= 0 && e.axis < NDIM, `axis ${e.axis}`).toBe(true);
      return;
    case 'bin':
      expect(['+', '-', '*', '/', '%', 'min', 'max']).toContain(e.op);
      checkExpr(e.a);
      checkExpr(e.b);
  }
}

function checkCondIr(c: IndexCond): void {
  switch (c.kind) {
    case 'bool':
      return;
    case 'cmp':
      checkExpr(c.a);
      checkExpr(c.b);
      return;
    case 'and':
    case 'or':
      checkCondIr(c.a);
      checkCondIr(c.b);
      return;
    case 'not':
      checkCondIr(c.a);
  }
}

/** Parses as an index and as a condition; anything but success or an IndexExprError fails the test. */
function tryParse(text: string): { e?: IndexExpr; c?: IndexCond; ms: number } {
  const t0 = performance.now();
  const out: { e?: IndexExpr; c?: IndexCond; ms: number } = { ms: 0 };
  for (const asCond of [false, true]) {
    try {
      if (asCond) out.c = parseCond(text, ctx);
      else out.e = parseIndex(text, ctx);
    } catch (err) {
      if (!(err instanceof IndexExprError)) throw new Error(`${JSON.stringify(text.slice(0, 200))} threw ${String(err)}`);
      expect((err as Error).message).toMatch(/^reindex: bad (index expression|condition) /);
      // The message quotes at most 80 characters of the input, JSON-escaped (no raw newlines).
      expect((err as Error).message.split('\n')).toHaveLength(1);
    }
  }
  out.ms = performance.now() - t0;
  return out;
}

const coords = fc.array(fc.integer({ min: -50, max: 50 }), { minLength: NDIM, maxLength: NDIM });
const stats = { cases: 0, parsed: 0, refused: 0, pastLimits: 0, slowestMs: 0, slowest: '' };

/**
 * Parses canonical text again. The canonical text parenthesises every operation, so a long flat
 * chain the parser accepted (300 products) can nest past the depth or length limit when printed:
 * those are counted, not failed; any other refusal of canonical text fails the test.
 */
function reparse<T>(parse: () => T): T | undefined {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof IndexExprError) || !/nests deeper than|is longer than/.test(err.message)) throw err;
    stats.pastLimits++;
    return undefined;
  }
}

function fuzzOnce(text: string, points: number[][]): void {
  const { e, c, ms } = tryParse(text);
  stats.cases++;
  if (ms > stats.slowestMs) Object.assign(stats, { slowestMs: ms, slowest: text.slice(0, 60) });
  // Bounded time: the grammar is linear, the input at most 2000 characters (typically < 1 ms; the
  // bound leaves room for a loaded CI machine, it only catches a hang or super-linear work).
  expect(ms, `${JSON.stringify(text.slice(0, 80))} took ${ms} ms`).toBeLessThan(1500);
  if (e === undefined && c === undefined) stats.refused++;
  else stats.parsed++;
  if (e !== undefined) {
    checkExpr(e);
    const back = reparse(() => parseIndex(formatIndex(e), { ndim: NDIM }));
    if (back) for (const p of points) expect(evalIndex(back, p), `${formatIndex(e)} at [${p}]`).toBe(evalIndex(e, p));
  }
  if (c !== undefined) {
    checkCondIr(c);
    const back = reparse(() => parseCond(formatCond(c), { ndim: NDIM }));
    if (back) for (const p of points) expect(evalCond(back, p), `${formatCond(c)} at [${p}]`).toBe(evalCond(c, p));
  }
}

describe('index-expression parser fuzz', () => {
  it('token soup: IR inside the grammar or an IndexExprError, canonical text round-trips', () => {
    fc.assert(
      fc.property(soup, fc.array(coords, { minLength: 1, maxLength: 4 }), (text, points) => fuzzOnce(text, points)),
      { numRuns: fuzzRuns(4000) },
    );
    expect(stats.parsed).toBeGreaterThan(0);
    expect(stats.refused).toBeGreaterThan(0);
  });

  it('valid text with symbols, big numerals and odd spacing parses and round-trips', () => {
    fc.assert(
      fc.property(validText, fc.constantFrom('', ' < 3', ' >= i1 || i0 == 2'), fc.array(coords, { minLength: 1, maxLength: 4 }), (text, cmp, points) =>
        fuzzOnce(text + cmp, points),
      ),
      { numRuns: fuzzRuns(2000) },
    );
  });

  it('long and deeply nested inputs fail or parse within the time bound', () => {
    fc.assert(
      fc.property(extreme, fc.array(coords, { minLength: 1, maxLength: 2 }), (text, points) => fuzzOnce(text, points)),
      { numRuns: fuzzRuns(300) },
    );
  });

  it('fixed hostile inputs are refused with an IndexExprError', () => {
    const hostile = [
      'i0; system("x")', 'i0/*', 'i0 /* */ + 1', '\n#include <stdlib.h>\ni0', '${i0}', '`${process.exit()}`', 'i0\n', 'i0\r\n',
      'i0 + 1e3', 'i0 + 0x10', 'i0 + 1.0', '9007199254740993', '99999999999999999999 - 99999999999999999998', 'i０', 'ｉ0',
      'i0 ?  1 : 2', 'i0 >> 1', 'i0 ** 2', 'i0 = 1', '(i0', 'i0)', 'min(i0)', 'max(i0, i1, i2)', '', ' ', '()', 'i0 i1',
      '9007199254740991 * 9007199254740991', 'i0 / 0', 'i0 % (3 - 3)', 'xshape0 / (XDIM - 2)', 'x'.repeat(1_000_000),
      '('.repeat(100_000) + 'i0' + ')'.repeat(100_000), '-'.repeat(1999) + '1', '!'.repeat(1990) + 'i0<1',
    ];
    for (const text of hostile) {
      const { e, c } = tryParse(text);
      expect(e === undefined && c === undefined, JSON.stringify(text.slice(0, 60))).toBe(true);
    }
  });

  it('conditions print back to text the parser reads', () => {
    // Simplification folds constant comparisons to true/false; their canonical text must parse.
    for (const text of ['1 < 2', '1 > 2', 'i0 < 0 || 1 == 1', '!(2 != 2)']) {
      const c = parseCond(text, ctx);
      for (const p of [[0, 0, 0], [-3, 1, 2]]) expect(evalCond(parseCond(formatCond(c), ctx), p)).toBe(evalCond(c, p));
    }
  });

  it('reports the counts', () => {
    console.log(`index-expr fuzz: ${stats.cases} inputs, ${stats.parsed} parsed, ${stats.refused} refused, ${stats.pastLimits} canonical texts past the parser's limits, slowest ${stats.slowestMs.toFixed(1)} ms (${JSON.stringify(stats.slowest)})`);
    expect(stats.cases).toBeGreaterThan(0);
  });
});
