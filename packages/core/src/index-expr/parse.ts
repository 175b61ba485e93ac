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
}

/** Symbols for an op reading `x` and writing `y`: xshapeK, yshapeK, xstrideK, ystrideK, XDIM, YDIM. */
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
const GRAMMAR =
  'index expressions may use i0..iN, integer literals, the symbols xshapeK, yshapeK, xstrideK, ystrideK, XDIM, YDIM, ' +
  'the operators + - * / % (floor division and modulo), min(a,b), max(a,b), parentheses, ' +
  'and in conditions < <= > >= == != && || !';

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

class Parser {
  private pos = 0;
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
  private bool(r: Typed, pos: number): IndexCond {
    if (r.t !== 'bool') this.fail('expected a condition but found an integer expression', pos);
    return r.c;
  }

  private parseOr(): Typed {
    const start = this.peek().pos;
    let left = this.parseAnd();
    while (this.peek().text === '||') {
      const p = this.next().pos;
      const right = this.parseAnd();
      left = { t: 'bool', c: { kind: 'or', a: this.bool(left, start), b: this.bool(right, p) } };
    }
    return left;
  }

  private parseAnd(): Typed {
    const start = this.peek().pos;
    let left = this.parseCompare();
    while (this.peek().text === '&&') {
      const p = this.next().pos;
      const right = this.parseCompare();
      left = { t: 'bool', c: { kind: 'and', a: this.bool(left, start), b: this.bool(right, p) } };
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

  private parseUnary(): Typed {
    const t = this.peek();
    if (this.accept('-')) {
      const r = this.parseUnary();
      return { t: 'num', e: { kind: 'bin', op: '-', a: { kind: 'const', value: 0 }, b: this.num(r, t.pos) } };
    }
    if (this.accept('+')) return { t: 'num', e: this.num(this.parseUnary(), t.pos) };
    if (this.accept('!')) return { t: 'bool', c: { kind: 'not', a: this.bool(this.parseUnary(), t.pos) } };
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
        const a = this.num(this.parseOr(), ap);
        this.expect(',');
        const bp = this.peek().pos;
        const b = this.num(this.parseOr(), bp);
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
      const sym = this.ctx.symbols?.[t.text];
      if (sym !== undefined) return { t: 'num', e: { kind: 'const', value: sym } };
      this.fail(`unknown name '${t.text}'`, t.pos);
    }
    if (t.kind === 'op' && t.text === '(') {
      const r = this.parseOr();
      this.expect(')');
      return r;
    }
    this.fail(`unexpected ${describe(t)}`, t.pos);
  }
}

function describe(t: Token): string {
  return t.kind === 'end' ? 'end of expression' : `'${t.text}'`;
}

function parseTyped(src: string, ctx: IndexParseContext, what: string): Typed {
  const fail = (msg: string, pos: number): never => {
    throw new IndexExprError(
      `bad ${what} ${JSON.stringify(src.length > 80 ? src.slice(0, 80) + '…' : src)}: ${msg} at column ${pos + 1}; ${GRAMMAR}`,
      ctx.op,
    );
  };
  if (typeof src !== 'string') fail(`expected a string, got ${typeof src}`, 0);
  if (src.length > MAX_LENGTH) fail(`expression is longer than ${MAX_LENGTH} characters`, MAX_LENGTH);
  return new Parser(tokenize(src, fail), ctx, fail).parseTop();
}

/** Parses an integer index expression ("i0*2+i3-1"). */
export function parseIndex(src: string, ctx: IndexParseContext): IndexExpr {
  const r = parseTyped(src, ctx, 'index expression');
  if (r.t !== 'num') {
    throw new IndexExprError(`bad index expression ${JSON.stringify(src)}: it is a condition, expected an integer expression`, ctx.op);
  }
  return simplifyIndex(r.e);
}

/** Parses an overflow condition ("i1*2-1<0 || i1%2==1"). */
export function parseCond(src: string, ctx: IndexParseContext): IndexCond {
  const r = parseTyped(src, ctx, 'condition');
  if (r.t !== 'bool') {
    throw new IndexExprError(`bad condition ${JSON.stringify(src)}: it is an integer expression, expected a comparison`, ctx.op);
  }
  return simplifyCond(r.c);
}
