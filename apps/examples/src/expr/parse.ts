// A tiny expression language for the `explain` example: numbers, variables, + - * / ^ @, unary
// minus, parentheses and calls of whitelisted functions. It is tokenised and parsed into an AST;
// user text is never evaluated as JavaScript.

export type Expr =
  | { readonly kind: 'num'; readonly value: number }
  | { readonly kind: 'var'; readonly name: string }
  | { readonly kind: 'neg'; readonly arg: Expr }
  | { readonly kind: 'bin'; readonly op: '+' | '-' | '*' | '/' | '^' | '@'; readonly a: Expr; readonly b: Expr }
  | { readonly kind: 'call'; readonly fn: string; readonly args: readonly Expr[] };

/** A syntax error, with the position and a caret under it. */
export class ExprSyntaxError extends Error {
  override readonly name = 'ExprSyntaxError';
  constructor(source: string, pos: number, what: string) {
    super(`${what} at column ${pos + 1}\n  ${source}\n  ${' '.repeat(pos)}^`);
  }
}

type Token = { kind: 'num'; value: number; pos: number } | { kind: 'id'; text: string; pos: number } | { kind: 'sym'; text: string; pos: number } | { kind: 'end'; pos: number };

const MAX_LENGTH = 2000;
const MAX_DEPTH = 64;

export function tokenize(src: string): Token[] {
  if (src.length > MAX_LENGTH) throw new ExprSyntaxError(src.slice(0, 40), 40, `expression longer than ${MAX_LENGTH} characters`);
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n') {
      i++;
    } else if (/[0-9.]/.test(c)) {
      const m = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i));
      if (!m) throw new ExprSyntaxError(src, i, `malformed number`);
      out.push({ kind: 'num', value: Number(m[0]), pos: i });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i)) as RegExpExecArray;
      out.push({ kind: 'id', text: m[0], pos: i });
      i += m[0].length;
    } else if ('+-*/^@(),'.includes(c)) {
      out.push({ kind: 'sym', text: c, pos: i });
      i++;
    } else {
      throw new ExprSyntaxError(src, i, `unexpected character '${c}'`);
    }
  }
  out.push({ kind: 'end', pos: src.length });
  return out;
}

/**
 * Parses `src` with the usual precedence: `^` (right-associative) binds tightest, then unary minus,
 * then `@` (matrix product), then `* /`, then `+ -`.
 */
export function parseExpr(src: string): Expr {
  const tokens = tokenize(src);
  let k = 0;
  let depth = 0;
  const peek = () => tokens[k];
  const isSym = (text: string) => {
    const t = peek();
    return t.kind === 'sym' && t.text === text;
  };
  const expect = (text: string) => {
    if (!isSym(text)) throw new ExprSyntaxError(src, peek().pos, `expected '${text}'`);
    k++;
  };
  const nest = <T>(f: () => T): T => {
    if (++depth > MAX_DEPTH) throw new ExprSyntaxError(src, peek().pos, `expression nested deeper than ${MAX_DEPTH} levels`);
    try {
      return f();
    } finally {
      depth--;
    }
  };

  const binaryLevel = (ops: readonly string[], next: () => Expr) => (): Expr => {
    let a = next();
    for (;;) {
      const t = peek();
      if (t.kind !== 'sym' || !ops.includes(t.text)) return a;
      k++;
      a = { kind: 'bin', op: t.text as '+' | '-' | '*' | '/' | '@', a, b: next() };
    }
  };

  const primary = (): Expr =>
    nest(() => {
      const t = peek();
      if (t.kind === 'num') {
        k++;
        return { kind: 'num', value: t.value };
      }
      if (t.kind === 'id') {
        k++;
        if (!isSym('(')) return { kind: 'var', name: t.text };
        k++;
        const args: Expr[] = [];
        if (!isSym(')')) {
          args.push(additive());
          while (isSym(',')) {
            k++;
            args.push(additive());
          }
        }
        expect(')');
        return { kind: 'call', fn: t.text, args };
      }
      if (isSym('(')) {
        k++;
        const e = additive();
        expect(')');
        return e;
      }
      throw new ExprSyntaxError(src, t.pos, t.kind === 'end' ? 'unexpected end of expression' : `unexpected '${t.kind === 'sym' ? t.text : ''}'`);
    });

  const power = (): Expr => {
    const base = primary();
    if (!isSym('^')) return base;
    k++;
    return { kind: 'bin', op: '^', a: base, b: unary() };
  };
  const unary = (): Expr => {
    if (isSym('-')) {
      k++;
      return nest(() => ({ kind: 'neg', arg: unary() }));
    }
    return power();
  };
  const matmulLevel = binaryLevel(['@'], unary);
  const multiplicative = binaryLevel(['*', '/'], matmulLevel);
  const additive: () => Expr = binaryLevel(['+', '-'], multiplicative);

  const e = additive();
  if (peek().kind !== 'end') throw new ExprSyntaxError(src, peek().pos, 'unexpected text after the expression');
  return e;
}

/** The variable names an expression reads, in order of first use. */
export function variablesOf(e: Expr, out: string[] = []): string[] {
  switch (e.kind) {
    case 'num':
      return out;
    case 'var':
      if (!out.includes(e.name)) out.push(e.name);
      return out;
    case 'neg':
      return variablesOf(e.arg, out);
    case 'bin':
      variablesOf(e.a, out);
      return variablesOf(e.b, out);
    case 'call':
      for (const a of e.args) variablesOf(a, out);
      return out;
    default: {
      const never: never = e;
      return never;
    }
  }
}
