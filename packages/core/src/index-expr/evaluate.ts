// Interpreting index expressions: closures built once per expression, for the oracle and tests.
import { floorDiv, floorMod, type IndexCond, type IndexExpr } from './ast.js';

export type IndexFn = (coords: ArrayLike<number>) => number;
export type CondFn = (coords: ArrayLike<number>) => boolean;

export function compileIndex(e: IndexExpr): IndexFn {
  switch (e.kind) {
    case 'const': {
      const v = e.value;
      return () => v;
    }
    case 'idx': {
      const axis = e.axis;
      return (c) => c[axis];
    }
    case 'bin': {
      const a = compileIndex(e.a);
      const b = compileIndex(e.b);
      switch (e.op) {
        case '+':
          return (c) => a(c) + b(c);
        case '-':
          return (c) => a(c) - b(c);
        case '*':
          return (c) => a(c) * b(c);
        case '/':
          return (c) => floorDiv(a(c), b(c));
        case '%':
          return (c) => floorMod(a(c), b(c));
        case 'min':
          return (c) => Math.min(a(c), b(c));
        case 'max':
          return (c) => Math.max(a(c), b(c));
      }
    }
  }
}

export function compileCond(cond: IndexCond): CondFn {
  switch (cond.kind) {
    case 'bool': {
      const v = cond.value;
      return () => v;
    }
    case 'cmp': {
      const a = compileIndex(cond.a);
      const b = compileIndex(cond.b);
      switch (cond.op) {
        case '<':
          return (c) => a(c) < b(c);
        case '<=':
          return (c) => a(c) <= b(c);
        case '>':
          return (c) => a(c) > b(c);
        case '>=':
          return (c) => a(c) >= b(c);
        case '==':
          return (c) => a(c) === b(c);
        case '!=':
          return (c) => a(c) !== b(c);
      }
      break;
    }
    case 'and': {
      const a = compileCond(cond.a);
      const b = compileCond(cond.b);
      return (c) => a(c) && b(c);
    }
    case 'or': {
      const a = compileCond(cond.a);
      const b = compileCond(cond.b);
      return (c) => a(c) || b(c);
    }
    case 'not': {
      const a = compileCond(cond.a);
      return (c) => !a(c);
    }
  }
  throw new Error('unreachable');
}

export function evalIndex(e: IndexExpr, coords: ArrayLike<number>): number {
  return compileIndex(e)(coords);
}

export function evalCond(c: IndexCond, coords: ArrayLike<number>): boolean {
  return compileCond(c)(coords);
}
