// Parser for Jittor-style index strings ("i2*2+i5-1", "i1/2", "xshape0-1-i0", "i3<0||i3>=xshape2").
// Everything outside the grammar is rejected with an IndexExprError; the text never reaches a renderer.
import { IndexExprError } from '../errors.js';
import type { IndexCompareOp, IndexCond, IndexExpr } from './ast.js';
import { simplifyCond, simplifyIndex } from './simplify.js';

export interface IndexParseContext {
  /** Number of iteration axes: the identifiers i0..i{ndim-1} are valid. */
  readonly ndim: number;
  /** Named integer symbols, e.g. xshape0, yshape1, XDIM, YDIM. */
  readonly symbols?: Readonly<Record<string, number>>;
  /** The op asking, for error messages. */
  readonly op?: string;
  /** What the expression indexes, for error messages (e.g. "input float32[2, 3], output [4, 5]"). */
  readonly where?: string;
}

/** Symbols xshapeK, yshapeK, xstrideK, ystrideK, XDIM, YDIM for tensors `x` and `y` (reindex reads x and writes y; reindexReduce reads y and writes x, as in Jittor). */
export function shapeSymbols(xShape: readonly number[], yShape: readonly number[]): Record<string, number> {
  const symbols: Record<string, number> = { XDIM: xShape.length, YDIM: yShape.length };
  const add = (prefix: string, shape: readonly number[]) => {
    let stride = 1;
    for (let k = shape.length - 1; k >= 0; k--) {
      symbols[`${prefix}shape${k}`] = shape[k];
      symbols[`${prefix}stride${k}`] = stride;
      stride *= shape[k];
    }
  };
  add('x', xShape);
  add('y', yShape);
  return symbols;
}

const MAX_LENGTH = 2000;
/** Deepest nesting of parentheses, min/max and unary operators (deeper input would exhaust the stack). */
const MAX_DEPTH = 200;
const GRAMMAR =
  'index expressions may use i0..iN, integer literals, the symbols xshapeK, yshapeK, xstrideK, ystrideK, XDIM, YDIM, ' +
  'the operators + - * / % (floor division and modulo), min(a,b), max(a,b), parentheses, ' +
  'and in conditions < <= > >= == != && || ! (an integer expression alone holds where it is non-zero)';

type TokenKind = 'int' | 'ident' | 'op' | 'end';
interface Token {
  kind: TokenKind;
  text: string;
  pos: number;
}

const OPERATORS = ['<=', '>=', '==', '!=', '&&', '||', '+', '-', '*', '/', '%', '(', ')', ',', '<', '>', '!'];

function tokenize(src: string, fail: (msg: string, pos: number) => never): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (ch === ' ' || ch === '\t') {
      i++;
      continue;
    }
    if (ch >= '0' && ch <= '9') {
      let j = i;
      while (j < src.length && src[j] >= '0' && src[j] <= '9') j++;
      tokens.push({ kind: 'int', text: src.slice(i, j), pos: i });
      i = j;
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      let j = i;
      while (j < src.length && /[A-Za-z0-9_]/.test(src[j])) j++;
      tokens.push({ kind: 'ident', text: src.slice(i, j), pos: i });
      i = j;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (op === undefined) fail(`unexpected character ${JSON.stringify(ch)}`, i);
    tokens.push({ kind: 'op', text: op, pos: i });
    i += op.length;
  }
  tokens.push({ kind: 'end', text: '', pos: src.length });
  return tokens;
}

type Typed = { t: 'num'; e: IndexExpr } | { t: 'bool'; c: IndexCond };

/** A condition; an integer expression counts as true where it is non-zero, as in Jittor (and C). */
function asCond(r: Typed): IndexCond {
  return r.t === 'bool' ? r.c : { kind: 'cmp', op: '!=', a: r.e, b: { kind: 'const', value: 0 } };
}

class Parser {
  private pos = 0;
  private depth = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly ctx: IndexParseContext,
    private readonly fail: (msg: string, pos: number) => never,
  ) {}

  private peek(): Token {
    return this.tokens[this.pos];
  }
  private next(): Token {
    return this.tokens[this.pos++];
  }
  private accept(text: string): boolean {
    const t = this.peek();
    if (t.kind === 'op' && t.text === text) {
      this.pos++;
      return true;
    }
    return false;
  }
  private expect(text: string): void {
    const t = this.peek();
    if (!this.accept(text)) this.fail(`expected '${text}' but found ${describe(t)}`, t.pos);
  }

  parseTop(): Typed {
    const r = this.parseOr();
    const t = this.peek();
    if (t.kind !== 'end') this.fail(`unexpected ${describe(t)}`, t.pos);
    return r;
  }

  private num(r: Typed, pos: number): IndexExpr {
    if (r.t !== 'num') this.fail('expected an integer expression but found a condition', pos);
    return r.e;
  }

  private parseOr(): Typed {
    let left = this.parseAnd();
    while (this.peek().text === '||') {
      this.next();
      const right = this.parseAnd();
      left = { t: 'bool', c: { kind: 'or', a: asCond(left), b: asCond(right) } };
    }
    return left;
  }

  private parseAnd(): Typed {
    let left = this.parseCompare();
    while (this.peek().text === '&&') {
      this.next();
      const right = this.parseCompare();
      left = { t: 'bool', c: { kind: 'and', a: asCond(left), b: asCond(right) } };
    }
    return left;
  }

  private parseCompare(): Typed {
    const start = this.peek().pos;
    const left = this.parseAdditive();
    const t = this.peek();
    if (t.kind === 'op' && ['<', '<=', '>', '>=', '==', '!='].includes(t.text)) {
      this.next();
      const right = this.parseAdditive();
      return {
        t: 'bool',
        c: { kind: 'cmp', op: t.text as IndexCompareOp, a: this.num(left, start), b: this.num(right, t.pos) },
      };
    }
    return left;
  }

  private parseAdditive(): Typed {
    const start = this.peek().pos;
    let left = this.parseTerm();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || (t.text !== '+' && t.text !== '-')) return left;
      this.next();
      const right = this.parseTerm();
      left = { t: 'num', e: { kind: 'bin', op: t.text, a: this.num(left, start), b: this.num(right, t.pos) } };
    }
  }

  private parseTerm(): Typed {
    const start = this.peek().pos;
    let left = this.parseUnary();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || (t.text !== '*' && t.text !== '/' && t.text !== '%')) return left;
      this.next();
      const right = this.parseUnary();
      left = { t: 'num', e: { kind: 'bin', op: t.text, a: this.num(left, start), b: this.num(right, t.pos) } };
    }
  }

  /** Runs a nested parse, failing once expressions nest deeper than MAX_DEPTH. */
  private nested<T>(pos: number, parse: () => T): T {
    if (++this.depth > MAX_DEPTH) this.fail(`expression nests deeper than ${MAX_DEPTH} levels`, pos);
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  private parseUnary(): Typed {
    const t = this.peek();
    const operand = () => this.nested(t.pos, () => this.parseUnary());
    if (this.accept('-')) {
      return { t: 'num', e: { kind: 'bin', op: '-', a: { kind: 'const', value: 0 }, b: this.num(operand(), t.pos) } };
    }
    if (this.accept('+')) return { t: 'num', e: this.num(operand(), t.pos) };
    if (this.accept('!')) return { t: 'bool', c: { kind: 'not', a: asCond(operand()) } };
    return this.parsePrimary();
  }

  private parsePrimary(): Typed {
    const t = this.next();
    if (t.kind === 'int') {
      const value = Number(t.text);
      if (!Number.isSafeInteger(value)) this.fail(`integer ${t.text} is too large`, t.pos);
      return { t: 'num', e: { kind: 'const', value } };
    }
    if (t.kind === 'ident') {
      if (t.text === 'min' || t.text === 'max') {
        this.expect('(');
        const ap = this.peek().pos;
        const a = this.num(this.nested(ap, () => this.parseOr()), ap);
        this.expect(',');
        const bp = this.peek().pos;
        const b = this.num(this.nested(bp, () => this.parseOr()), bp);
        this.expect(')');
        return { t: 'num', e: { kind: 'bin', op: t.text, a, b } };
      }
      const m = /^i(\d+)$/.exec(t.text);
      if (m) {
        const axis = Number(m[1]);
        if (axis >= this.ctx.ndim) {
          this.fail(`${t.text} is out of range: this op iterates over ${this.ctx.ndim} axes (i0..i${this.ctx.ndim - 1})`, t.pos);
        }
        return { t: 'num', e: { kind: 'idx', axis } };
      }
      // Own properties only: names such as 'constructor' or '__proto__' are not symbols.
      const symbols = this.ctx.symbols;
      if (symbols !== undefined && Object.prototype.hasOwnProperty.call(symbols, t.text)) {
        const value = symbols[t.text];
        if (!Number.isSafeInteger(value)) this.fail(`symbol ${t.text} is ${value}, not an integer`, t.pos);
        return { t: 'num', e: { kind: 'const', value } };
      }
      this.fail(`unknown name '${t.text}'`, t.pos);
    }
    if (t.kind === 'op' && t.text === '(') {
      const r = this.nested(t.pos, () => this.parseOr());
      this.expect(')');
      return r;
    }
    this.fail(`unexpected ${describe(t)}`, t.pos);
  }
}

function describe(t: Token): string {
  return t.kind === 'end' ? 'end of expression' : `'${t.text}'`;
}

function failure(src: unknown, ctx: IndexParseContext, what: string, msg: string): IndexExprError {
  const text = typeof src === 'string' ? JSON.stringify(src.length > 80 ? src.slice(0, 80) + '…' : src) : String(src);
  const where = ctx.where === undefined ? '' : ` (${ctx.where})`;
  return new IndexExprError(`bad ${what} ${text}${where}: ${msg}; ${GRAMMAR}`, ctx.op);
}

function parseTyped(src: string, ctx: IndexParseContext, what: string): Typed {
  const fail = (msg: string, pos: number): never => {
    throw failure(src, ctx, what, `${msg} at column ${pos + 1}`);
  };
  if (typeof src !== 'string') throw failure(src, ctx, what, `expected a string, got ${typeof src}`);
  if (src.length > MAX_LENGTH) fail(`expression is longer than ${MAX_LENGTH} characters`, MAX_LENGTH);
  return new Parser(tokenize(src, fail), ctx, fail).parseTop();
}

/** Rejects what no backend can compute: a constant divisor of 0 and constants beyond 2^53. */
function checkComputable(e: IndexExpr, fail: (msg: string) => never): void {
  if (e.kind === 'const' && !Number.isSafeInteger(e.value)) fail(`a constant (${e.value}) exceeds 2^53`);
  if (e.kind !== 'bin') return;
  if ((e.op === '/' || e.op === '%') && e.b.kind === 'const' && e.b.value === 0) fail(`it divides by zero ('${e.op} 0')`);
  checkComputable(e.a, fail);
  checkComputable(e.b, fail);
}

function checkCond(c: IndexCond, fail: (msg: string) => never): void {
  switch (c.kind) {
    case 'bool':
      return;
    case 'cmp':
      checkComputable(c.a, fail);
      checkComputable(c.b, fail);
      return;
    case 'and':
    case 'or':
      checkCond(c.a, fail);
      checkCond(c.b, fail);
      return;
    case 'not':
      checkCond(c.a, fail);
  }
}

/** Parses an integer index expression ("i0*2+i3-1"). */
export function parseIndex(src: string, ctx: IndexParseContext): IndexExpr {
  const r = parseTyped(src, ctx, 'index expression');
  const fail = (msg: string): never => {
    throw failure(src, ctx, 'index expression', msg);
  };
  if (r.t !== 'num') fail('it is a condition, expected an integer expression');
  const e = simplifyIndex((r as { e: IndexExpr }).e);
  checkComputable(e, fail);
  return e;
}

/**
 * Parses an overflow condition ("i1*2-1<0 || i1%2==1"). As in Jittor, an integer expression is a
 * condition too: "(i1-i3)%2" holds where it is non-zero.
 */
export function parseCond(src: string, ctx: IndexParseContext): IndexCond {
  const r = parseTyped(src, ctx, 'condition');
  const fail = (msg: string): never => {
    throw failure(src, ctx, 'condition', msg);
  };
  // An integer expression used as a condition must itself be computable (no folded overflow).
  if (r.t === 'num') checkComputable(simplifyIndex(r.e), fail);
  const c = simplifyCond(asCond(r));
  checkCond(c, fail);
  return c;
}
