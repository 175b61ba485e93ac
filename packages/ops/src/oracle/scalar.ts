// Scalar semantics of the element-wise functions, in float64: the definition every backend matches.
import { assertNever, floorDiv, floorMod, type BinaryFn, type DType, type UnaryFn } from '@metaop/core';

/** erf to about 1e-15: Taylor series near 0, a continued fraction for erfc beyond |x| = 3. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 3) {
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const t = term / (2 * n + 1);
      sum += t;
      if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (ax > 6) return Math.sign(x);
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), by Lentz's method.
  const tiny = 1e-300;
  let f = ax;
  let c = ax;
  let d = 0;
  for (let n = 1; n < 200; n++) {
    const a = n / 2;
    d = ax + a * d;
    d = d === 0 ? tiny : d;
    c = ax + a / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}

/** Round half to even, as torch.round and C's rint do. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function applyUnary(fn: UnaryFn, x: number): number {
  switch (fn) {
    case 'neg':
      return -x;
    case 'abs':
      return Math.abs(x);
    case 'exp':
      return Math.exp(x);
    case 'log':
      return Math.log(x);
    case 'sqrt':
      return Math.sqrt(x);
    case 'rsqrt':
      return 1 / Math.sqrt(x);
    case 'sin':
      return Math.sin(x);
    case 'cos':
      return Math.cos(x);
    case 'tanh':
      return Math.tanh(x);
    case 'sigmoid':
      return 1 / (1 + Math.exp(-x));
    case 'erf':
      return erf(x);
    case 'floor':
      return Math.floor(x);
    case 'ceil':
      return Math.ceil(x);
    case 'round':
      return roundHalfEven(x);
    case 'not':
      return x === 0 ? 1 : 0;
    default:
      return assertNever(fn);
  }
}

/** Applies a binary function; `dtype` is the operand dtype (integer division is floor division, by zero gives 0). */
export function applyBinary(fn: BinaryFn, a: number, b: number, dtype: DType): number {
  const integer = dtype === 'int32' || dtype === 'uint8';
  switch (fn) {
    case 'add':
      return a + b;
    case 'sub':
      return a - b;
    case 'mul':
      return integer ? Math.imul(a, b) : a * b;
    case 'div':
      return integer ? (b === 0 ? 0 : floorDiv(a, b)) : a / b;
    case 'pow':
      return Math.pow(a, b);
    case 'max':
      return a > b || Number.isNaN(a) ? a : b;
    case 'min':
      return a < b || Number.isNaN(a) ? a : b;
    case 'mod':
      // fmod adjusted to the divisor's sign (Python / torch.remainder); integer mod by zero gives 0.
      return integer && b === 0 ? 0 : floorMod(a, b);
    case 'lt':
      return a < b ? 1 : 0;
    case 'le':
      return a <= b ? 1 : 0;
    case 'gt':
      return a > b ? 1 : 0;
    case 'ge':
      return a >= b ? 1 : 0;
    case 'eq':
      return a === b ? 1 : 0;
    case 'ne':
      return a !== b ? 1 : 0;
    case 'and':
      return a !== 0 && b !== 0 ? 1 : 0;
    case 'or':
      return a !== 0 || b !== 0 ? 1 : 0;
    case 'xor':
      return (a !== 0) !== (b !== 0) ? 1 : 0;
    default:
      return assertNever(fn);
  }
}
