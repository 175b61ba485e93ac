// The JavaScript dialect of the shared C-like renderer: the same loop nest as C, over typed
// arrays, with JavaScript's number semantics patched to match the oracle (int32 wrap, floor div).
import { convertValue, isFloat, numberKey, type BinaryFn, type DType, type UnaryFn } from '@metaop/core';
import { CFamilyRenderer, type Accumulator, type Expr, type Stmt } from '@metaop/compiler';

type LoopStmt = Extract<Stmt, { s: 'loop' }>;

export class JsRenderer extends CFamilyRenderer {
  override readonly dialect = 'js';
  override readonly entry = 'kernel';

  protected override preamble(): string[] {
    return ['"use strict";'];
  }

  protected override signature(_entry: string): string {
    return '';
  }

  protected override epilogue(): string {
    return '';
  }

  protected override bufferBindings(): string[] {
    return this.kernel.buffers.map((b, i) => (b.offsetSlot === undefined ? `const b${i} = bufs[${i}];` : `const b${i} = bufs[${i}].subarray(params[${b.offsetSlot}]);`));
  }

  protected override declare(name: string, _dtype: DType, value: string): string {
    return `let ${name} = ${value};`;
  }

  protected override loopHeader(loop: LoopStmt): string[] {
    const v = `i${loop.v}`;
    const extent = loop.dynamicSlot === undefined ? String(loop.extent) : `params[${loop.dynamicSlot}]`;
    return [`for (let ${v} = 0; ${v} < ${extent}; ${v}++) {`];
  }

  protected override scanLoop(j: string, n: number, body: string): string {
    return `for (let ${j} = 0; ${j} < ${n}; ${j}++) ${body}`;
  }

  protected override declareTile(acc: Accumulator, init: string): void {
    const n = acc.tile.reduce((a, b) => a * b, 1);
    this.emit(`const acc${acc.id} = new Float64Array(${n}).fill(${init});`);
  }

  protected override intLit(v: number): string {
    return String(v);
  }

  protected override param(slot: number, dtype: DType): string {
    return this.cast(`params[${slot}]`, 'float64', dtype);
  }

  protected override castIndex(index: string, dtype: DType): string {
    return dtype === 'uint8' ? `((${index}) & 255)` : dtype === 'int32' ? `((${index}) | 0)` : `(${index})`;
  }

  protected override random(e: Extract<Expr, { op: 'random' }>): string {
    const fn = e.dist === 'uniform' ? 'h.uniform' : 'h.normal';
    return `${fn}(${this.index(e.counter)} + params[${e.offsetSlot}], params[${e.seedSlot}])`;
  }

  override literal(value: number, dtype: DType): string {
    // The exact value the dtype holds (float32 rounded, -0 kept), as text that parses back to it.
    const text = numberKey(convertValue(value, dtype));
    return text.startsWith('-') ? `(${text})` : text;
  }

  protected override cast(x: string, from: DType, to: DType): string {
    if (from === to) return x;
    if (to === 'bool') return `((${x}) !== 0 ? 1 : 0)`;
    if (to === 'float32') return `Math.fround(${x})`;
    if (to === 'float64') return `(${x})`;
    if (to === 'int32') return isFloat(from) ? `h.toInt32(${x})` : `((${x}) | 0)`;
    return isFloat(from) ? `(h.toInt32(${x}) & 255)` : `((${x}) & 255)`;
  }

  protected override unary(fn: UnaryFn, x: string, dtype: DType): string {
    const float = isFloat(dtype);
    const r = (s: string) => (dtype === 'float32' ? `Math.fround(${s})` : s);
    switch (fn) {
      case 'neg':
        return float ? `(-${x})` : dtype === 'int32' ? `((-${x}) | 0)` : `((-${x}) & 255)`;
      case 'abs':
        return float ? `Math.abs(${x})` : dtype === 'int32' ? `(Math.abs(${x}) | 0)` : x;
      case 'exp':
      case 'log':
      case 'sqrt':
      case 'sin':
      case 'cos':
      case 'tanh':
        return r(`Math.${fn}(${x})`);
      case 'floor':
      case 'ceil':
        return float ? `Math.${fn}(${x})` : x;
      case 'round':
        return float ? `h.round(${x})` : x;
      case 'erf':
        return r(`h.erf(${x})`);
      case 'rsqrt':
        return r(`(1 / Math.sqrt(${x}))`);
      case 'sigmoid':
        return r(`(1 / (1 + Math.exp(-(${x}))))`);
      case 'not':
        return `((${x}) === 0 ? 1 : 0)`;
    }
  }

  protected override binary(fn: BinaryFn, a: string, b: string, operand: DType): string {
    const float = isFloat(operand);
    const r = (s: string) => (operand === 'float32' ? `Math.fround(${s})` : s);
    const int = (s: string) => (operand === 'int32' ? `((${s}) | 0)` : `((${s}) & 255)`);
    const bool = (s: string) => `((${s}) ? 1 : 0)`;
    switch (fn) {
      case 'add':
        return float ? r(`(${a} + ${b})`) : int(`${a} + ${b}`);
      case 'sub':
        return float ? r(`(${a} - ${b})`) : int(`${a} - ${b}`);
      case 'mul':
        return float ? r(`(${a} * ${b})`) : int(`Math.imul(${a}, ${b})`);
      case 'div':
        return float ? r(`(${a} / ${b})`) : int(`h.idiv(${a}, ${b})`);
      case 'mod':
        return float ? r(`h.fmod(${a}, ${b})`) : int(`h.imod(${a}, ${b})`);
      case 'pow':
        return r(`Math.pow(${a}, ${b})`);
      case 'max':
        return `h.max(${a}, ${b})`;
      case 'min':
        return `h.min(${a}, ${b})`;
      case 'lt':
        return bool(`${a} < ${b}`);
      case 'le':
        return bool(`${a} <= ${b}`);
      case 'gt':
        return bool(`${a} > ${b}`);
      case 'ge':
        return bool(`${a} >= ${b}`);
      case 'eq':
        return bool(`${a} === ${b}`);
      case 'ne':
        return bool(`${a} !== ${b}`);
      case 'and':
        return `(${a} & ${b})`;
      case 'or':
        return `(${a} | ${b})`;
      case 'xor':
        return `(${a} ^ ${b})`;
    }
  }

  protected override select(c: string, a: string, b: string): string {
    return `(${c} !== 0 ? ${a} : ${b})`;
  }

  protected override test(c: Parameters<CFamilyRenderer['cond']>[0]): string {
    return `(${this.cond(c)} ? 1 : 0)`;
  }

  protected override plainDiv(a: string, b: string): string {
    return `Math.floor(${a} / ${b})`;
  }

  protected override toIndex(x: string): string {
    return x;
  }

  protected override floorDiv(a: string, b: string): string {
    return `Math.floor(${a} / ${b})`;
  }

  protected override floorMod(a: string, b: string): string {
    return `h.fmod(${a}, ${b})`;
  }

  protected override indexMin(a: string, b: string): string {
    return `Math.min(${a}, ${b})`;
  }

  protected override indexMax(a: string, b: string): string {
    return `Math.max(${a}, ${b})`;
  }
}
