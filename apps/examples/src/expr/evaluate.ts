// Builds MetaOp Vars from a parsed expression: variables come from declared shapes, functions from
// a fixed table (each with its argument kinds), so only known operators can ever be called.
import type { Var } from '@metaop/core';
import * as M from '@metaop/ops';
import type { Expr } from './parse.js';

/** A mistake in an otherwise well-formed expression (unknown name, wrong arguments, bad shapes). */
export class ExprError extends Error {
  override readonly name = 'ExprError';
}

type Arg = Var | number;
type Kind = 'var' | 'int' | 'num';

interface FnSpec {
  /** Required argument kinds, then optional ones. */
  readonly args: readonly Kind[];
  readonly optional?: readonly Kind[];
  readonly doc: string;
  readonly build: (a: readonly Arg[]) => Var;
}

const v = (a: Arg) => a as Var;
const n = (a: Arg | undefined, fallback: number) => (a === undefined ? fallback : (a as number));
const unaryFn = (doc: string, f: (x: Var) => Var): FnSpec => ({ args: ['var'], doc, build: (a) => f(v(a[0])) });
const reduceFn = (doc: string, f: (x: Var, dims?: number) => Var): FnSpec => ({
  args: ['var'],
  optional: ['int'],
  doc,
  build: (a) => (a[1] === undefined ? f(v(a[0])) : f(v(a[0]), a[1] as number)),
});

/** The functions the language knows. */
export const functions: Readonly<Record<string, FnSpec>> = {
  relu: unaryFn('max(x, 0)', M.relu),
  sigmoid: unaryFn('1 / (1 + exp(-x))', M.sigmoid),
  tanh: unaryFn('hyperbolic tangent', M.tanh),
  exp: unaryFn('e^x', M.exp),
  log: unaryFn('natural logarithm', M.log),
  sqrt: unaryFn('square root', M.sqrt),
  abs: unaryFn('absolute value', M.abs),
  gelu: unaryFn('GELU (erf form)', (x) => M.gelu(x)),
  silu: unaryFn('x * sigmoid(x)', M.silu),
  sum: reduceFn('sum over all elements, or over one dim', M.sum),
  mean: reduceFn('mean over all elements, or over one dim', M.mean),
  max: reduceFn('maximum over all elements, or over one dim', M.max),
  softmax: { args: ['var'], optional: ['int'], doc: 'softmax over a dim (default -1)', build: (a) => M.softmax(v(a[0]), n(a[1], -1)) },
  logSoftmax: { args: ['var'], optional: ['int'], doc: 'log-softmax over a dim (default -1)', build: (a) => M.logSoftmax(v(a[0]), n(a[1], -1)) },
  matmul: { args: ['var', 'var'], doc: 'matrix product (same as a @ b)', build: (a) => M.matmul(v(a[0]), v(a[1])) },
  transpose: { args: ['var'], doc: 'swap the last two dims', build: (a) => M.transpose(v(a[0])) },
  maximum: { args: ['var', 'var'], doc: 'element-wise maximum', build: (a) => M.maximum(v(a[0]), v(a[1])) },
  minimum: { args: ['var', 'var'], doc: 'element-wise minimum', build: (a) => M.minimum(v(a[0]), v(a[1])) },
  conv2d: {
    args: ['var', 'var'],
    optional: ['int', 'int'],
    doc: 'conv2d(x [N,C,H,W], w [O,C,kh,kw], stride = 1, padding = 0)',
    build: (a) => M.conv2d(v(a[0]), v(a[1]), { stride: n(a[2], 1), padding: n(a[3], 0) }),
  },
  maxPool2d: { args: ['var', 'int'], optional: ['int'], doc: 'maxPool2d(x, kernel, stride = kernel)', build: (a) => M.maxPool2d(v(a[0]), a[1] as number, { stride: n(a[2], a[1] as number) }) },
  avgPool2d: { args: ['var', 'int'], optional: ['int'], doc: 'avgPool2d(x, kernel, stride = kernel)', build: (a) => M.avgPool2d(v(a[0]), a[1] as number, { stride: n(a[2], a[1] as number) }) },
};

/** One line per function, for --help. */
export function functionList(): string[] {
  return Object.entries(functions).map(([name, f]) => {
    const sig = [...f.args, ...(f.optional ?? []).map((k) => `${k}?`)].join(', ');
    return `  ${`${name}(${sig})`.padEnd(30)}${f.doc}`;
  });
}

function checkKind(fn: string, i: number, kind: Kind, a: Arg): void {
  const isVar = typeof a !== 'number';
  if (kind === 'var' && !isVar) throw new ExprError(`${fn}: argument ${i + 1} must be a tensor expression, got the number ${a as number}`);
  if (kind !== 'var' && isVar) throw new ExprError(`${fn}: argument ${i + 1} must be a number (a literal), got a tensor`);
  if (kind === 'int' && !Number.isInteger(a as number)) throw new ExprError(`${fn}: argument ${i + 1} must be an integer, got ${a as number}`);
}

/** Evaluates `e` into a lazy Var (or a number, for literals). */
export function buildExpr(e: Expr, vars: ReadonlyMap<string, Var>): Arg {
  switch (e.kind) {
    case 'num':
      return e.value;
    case 'var': {
      const x = vars.get(e.name);
      if (!x) throw new ExprError(`unknown variable '${e.name}': declare its shape, e.g. --vars ${e.name}=4x8`);
      return x;
    }
    case 'neg': {
      const a = buildExpr(e.arg, vars);
      return typeof a === 'number' ? -a : M.neg(a);
    }
    case 'bin': {
      const a = buildExpr(e.a, vars);
      const b = buildExpr(e.b, vars);
      if (typeof a === 'number' && typeof b === 'number') {
        const r = { '+': a + b, '-': a - b, '*': a * b, '/': a / b, '^': a ** b, '@': Number.NaN }[e.op];
        if (e.op === '@') throw new ExprError('@ needs two tensors');
        return r;
      }
      switch (e.op) {
        case '+':
          return M.add(a, b);
        case '-':
          return M.sub(a, b);
        case '*':
          return M.mul(a, b);
        case '/':
          return M.div(a, b);
        case '^':
          return M.pow(a, b);
        case '@':
          if (typeof a === 'number' || typeof b === 'number') throw new ExprError('@ needs two tensors');
          return M.matmul(a, b);
        default: {
          const never: never = e.op;
          return never;
        }
      }
    }
    case 'call': {
      if (!Object.hasOwn(functions, e.fn)) throw new ExprError(`unknown function '${e.fn}'; known: ${Object.keys(functions).join(', ')}`);
      const spec = functions[e.fn];
      const max = spec.args.length + (spec.optional?.length ?? 0);
      if (e.args.length < spec.args.length || e.args.length > max) {
        throw new ExprError(`${e.fn} takes ${spec.args.length === max ? max : `${spec.args.length} to ${max}`} arguments, got ${e.args.length}`);
      }
      const args = e.args.map((a) => buildExpr(a, vars));
      const kinds = [...spec.args, ...(spec.optional ?? [])];
      args.forEach((a, i) => checkKind(e.fn, i, kinds[i], a));
      return spec.build(args);
    }
    default: {
      const never: never = e;
      return never;
    }
  }
}

/** Parses "x=4x8,w=8x16,b=16" (or "x=[4,8]") into shapes. */
export function parseShapes(items: readonly string[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const item of items) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*[=:]\s*\[?([0-9x*,\s]*)\]?\s*$/.exec(item);
    if (!m) throw new ExprError(`cannot read the shape '${item}': write name=4x8 (or name=scalar as name=)`);
    const dims = m[2].trim() === '' ? [] : m[2].split(/[x*,\s]+/).filter((d) => d !== '').map(Number);
    if (dims.some((d) => !Number.isInteger(d) || d < 0 || d > 1 << 24)) throw new ExprError(`bad dimension in '${item}'`);
    out.set(m[1], dims);
  }
  return out;
}
