// A readable, canonical text form of a kernel: shown by explain() and hashed into kernel keys.
import { formatCond, formatIndex, numberKey } from '@metaop/core';
import type { Expr, Kernel, Stmt } from './loop-ir.js';
import { exprChildren } from './transform.js';

export function printKernel(kernel: Kernel): string {
  const lines: string[] = [];
  const bufs = kernel.buffers
    .map((b, i) => {
      const offset = (b.offsetSlot === undefined ? '' : `+param${b.offsetSlot}`) + (b.packOf === undefined ? '' : ` packed from b${b.packOf}`);
      return `${b.role === 'input' ? 'in' : b.role === 'output' ? 'out' : 'scratch'} b${i}:${b.dtype}[${kernel.shapeClass ? 'n' : b.numel}]${offset}`;
    })
    .join(', ');
  lines.push(`kernel ${kernel.name}(${bufs}; params ${kernel.paramCount})`);
  if (kernel.blockThreads !== undefined) lines.push(`  block ${kernel.blockThreads} threads`);
  (kernel.shared ?? []).forEach((b, i) => lines.push(`  shared s${i}:${b.dtype}[${b.size}]`));
  for (const note of kernel.notes) lines.push(`  # ${note}`);
  const variant = kernel.nonFinite;
  if (!variant) {
    printStmts(kernel.body, 1, lines);
    return lines.join('\n');
  }
  const checked = [...variant.buffers.map((b) => `b${b}`), ...variant.params.map((p) => `param${p.slot}:${p.dtype}`)].join(', ');
  const lanes = variant.vectorLanes === undefined ? '' : ` (vector lanes ${variant.vectorLanes})`;
  lines.push(`  if nonfinite(${checked})${lanes}`);
  printStmts(variant.body, 2, lines);
  lines.push(`  else${kernel.vectorLanes === undefined ? '' : ` (vector lanes ${kernel.vectorLanes})`}`);
  printStmts(kernel.body, 2, lines);
  return lines.join('\n');
}

function printStmts(stmts: readonly Stmt[], depth: number, out: string[]): void {
  const pad = '  '.repeat(depth);
  for (const s of stmts) {
    const shared = new ExprPrinter();
    switch (s.s) {
      case 'loop': {
        const sched = Object.entries(s.schedule)
          .filter(([, v]) => v !== undefined && v !== false)
          .map(([k, v]) => (v === true ? k : `${k}=${v}`));
        const extent = s.dynamicSlot === undefined ? String(s.extent) : `param${s.dynamicSlot}`;
        out.push(`${pad}for i${s.v} < ${extent} (${[s.role, ...sched].join(' ')})`);
        printStmts(s.body, depth + 1, out);
        break;
      }
      case 'def':
        out.push(`${pad}t${s.id} = ${shared.print(s.value)}`);
        break;
      case 'store': {
        const v = shared.print(s.value);
        out.push(...shared.lets(pad), `${pad}b${s.buf}[${formatIndex(s.index)}] = ${v}`);
        break;
      }
      case 'accInit':
        out.push(`${pad}acc${s.acc.id}:${s.acc.dtype}${s.acc.tile.length ? `[${s.acc.tile.join('x')}]` : ''} = init ${s.acc.fn}${s.acc.compensated ? ' compensated' : ''}`);
        break;
      case 'accUpdate': {
        const v = shared.print(s.value);
        const tile = s.tile.length ? `[${s.tile.map(formatIndex).join(',')}]` : '';
        const pos = s.position ? ` at ${formatIndex(s.position)}` : '';
        out.push(...shared.lets(pad), `${pad}acc${s.acc}${tile} ⊕= ${v}${pos}`);
        break;
      }
      case 'scatter': {
        const v = shared.print(s.value);
        const dyn = s.dynamic.map((d) => ` + ${shared.print(d.value)}*${d.stride}[<${d.size}]`).join('');
        const valid = s.valid.kind === 'bool' && s.valid.value ? '' : ` if ${formatCond(s.valid)}`;
        out.push(...shared.lets(pad), `${pad}b${s.buf}[${formatIndex(s.index)}${dyn}] ${s.fn}= ${v}${valid} (exclusive ${s.exclusive.map((e) => `i${e}`).join(',') || 'none'})`);
        break;
      }
      case 'barrier':
        out.push(`${pad}barrier`);
        break;
      case 'blockReduce':
        out.push(`${pad}acc${s.acc} = block reduce acc${s.acc} via s${s.shared}${s.positions === undefined ? '' : `, positions s${s.positions}`}`);
        break;
    }
  }
}

class ExprPrinter {
  private readonly uses = new Map<Expr, number>();
  private readonly names = new Map<Expr, string>();
  private readonly pending: string[] = [];

  print(root: Expr): string {
    this.count(root);
    return this.text(root);
  }

  lets(pad: string): string[] {
    return this.pending.map((l) => `${pad}${l}`);
  }

  private count(e: Expr): void {
    const n = (this.uses.get(e) ?? 0) + 1;
    this.uses.set(e, n);
    if (n > 1) return;
    for (const c of exprChildren(e)) this.count(c);
  }

  private text(e: Expr): string {
    const named = this.names.get(e);
    if (named) return named;
    const t = this.raw(e);
    if ((this.uses.get(e) ?? 0) > 1 && e.op !== 'const' && e.op !== 'param') {
      const name = `$${this.names.size}`;
      this.pending.push(`${name} = ${t}`);
      this.names.set(e, name);
      return name;
    }
    return t;
  }

  private raw(e: Expr): string {
    switch (e.op) {
      case 'load': {
        const dyn = e.dynamic.map((d) => ` + ${this.text(d.value)}*${d.stride}[<${d.size}]`).join('');
        const valid = e.valid.kind === 'bool' && e.valid.value ? '' : ` if ${formatCond(e.valid)} else ${numberKey(e.fill)}`;
        return `b${e.buf}[${formatIndex(e.index)}${dyn}]${valid}`;
      }
      case 'const':
        return `${numberKey(e.value)}:${e.dtype}`;
      case 'param':
        return `param${e.slot}:${e.dtype}`;
      case 'coord':
        return `coord(${formatIndex(e.index)}):${e.dtype}`;
      case 'random':
        return `random_${e.dist}(${formatIndex(e.counter)}, seed=param${e.seedSlot}, offset=param${e.offsetSlot}):${e.dtype}`;
      case 'cast':
        return `${e.dtype}(${this.text(e.a)})`;
      case 'unary':
        return `${e.fn}(${this.text(e.a)})`;
      case 'binary':
        return `${e.fn}(${this.text(e.a)}, ${this.text(e.b)})`;
      case 'select':
        return `select(${this.text(e.cond)}, ${this.text(e.a)}, ${this.text(e.b)})`;
      case 'test':
        return `test${formatCond(e.cond)}`;
      case 'acc':
        return `${e.sumLanes ? 'sum_lanes ' : ''}acc${e.acc}${e.tile.length ? `[${e.tile.map(formatIndex).join(',')}]` : ''}`;
      case 'ref':
        return `t${e.id}`;
    }
  }
}

