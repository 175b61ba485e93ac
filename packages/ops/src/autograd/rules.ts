// One gradient rule per meta-op, written only with meta-ops, so gradients are ordinary lazy graphs
// that fuse like the forward pass and can be differentiated again.
import {
  assertNever,
  ic,
  icmp,
  ior,
  iv,
  ibin,
  type BinaryFn,
  type IndexCond,
  type IndexExpr,
  type OpNode,
  type UnaryFn,
  type Var,
} from '@metaop/core';
import { binary, cast, constant, ternary, unary } from '../meta/elementwise.js';
import { broadcast, gather, pad, permute, reindex, reshape, slice } from '../meta/reindex.js';
import { reduce, reindexReduce, scatter } from '../meta/reduce.js';

/** Gradients for each input of `node` (null: none), given out = node(inputs) and dL/dout. */
export type GradRule<N extends OpNode = OpNode> = (node: N, out: Var, dout: Var) => readonly (Var | null)[];

type GradRules = { readonly [K in OpNode['op']]: GradRule<Extract<OpNode, { op: K }>> };

const k = (v: Var, value: number): Var => constant(value, v.shape, v.dtype);
const mul = (a: Var, b: Var) => binary(a, b, 'mul');
const div = (a: Var, b: Var) => binary(a, b, 'div');
const sub = (a: Var, b: Var) => binary(a, b, 'sub');
const neg = (a: Var) => unary(a, 'neg');
const where = (c: Var, a: Var, b: Var) => ternary(c, a, b);
const f = (mask: Var, like: Var) => cast(mask, like.dtype);

function unaryGrad(fn: UnaryFn, x: Var, out: Var, g: Var): Var | null {
  switch (fn) {
    case 'neg':
      return neg(g);
    case 'abs':
      return mul(g, sub(f(binary(x, k(x, 0), 'gt'), x), f(binary(x, k(x, 0), 'lt'), x)));
    case 'exp':
      return mul(g, out);
    case 'log':
      return div(g, x);
    case 'sqrt':
      return div(mul(g, k(x, 0.5)), out);
    case 'rsqrt':
      return mul(g, div(mul(out, k(x, -0.5)), x));
    case 'sin':
      return mul(g, unary(x, 'cos'));
    case 'cos':
      return neg(mul(g, unary(x, 'sin')));
    case 'tanh':
      return mul(g, sub(k(x, 1), mul(out, out)));
    case 'sigmoid':
      return mul(g, mul(out, sub(k(x, 1), out)));
    case 'erf':
      return mul(g, mul(k(x, 2 / Math.sqrt(Math.PI)), unary(neg(mul(x, x)), 'exp')));
    case 'floor':
    case 'ceil':
    case 'round':
    case 'not':
      return null;
    default:
      return assertNever(fn);
  }
}

function binaryGrad(fn: BinaryFn, a: Var, b: Var, out: Var, g: Var): [Var | null, Var | null] {
  switch (fn) {
    case 'add':
      return [g, g];
    case 'sub':
      return [g, neg(g)];
    case 'mul':
      return [mul(g, b), mul(g, a)];
    case 'div':
      return [div(g, b), neg(div(mul(g, out), b))];
    case 'pow': {
      // d/da = b*a^(b-1) (0 where b == 0); d/db = out*log(a) (0 where a == 0 and b >= 0), as PyTorch does.
      const zero = k(a, 0);
      const da = where(binary(b, zero, 'eq'), zero, mul(g, mul(b, binary(a, sub(b, k(b, 1)), 'pow'))));
      const aZero = binary(binary(a, zero, 'eq'), binary(b, zero, 'ge'), 'and');
      const db = where(aZero, zero, mul(g, mul(out, unary(a, 'log'))));
      return [da, db];
    }
    case 'max':
    case 'min': {
      // The larger (smaller) operand takes the gradient; ties split it evenly.
      const wins = binary(a, b, fn === 'max' ? 'gt' : 'lt');
      const loses = binary(a, b, fn === 'max' ? 'lt' : 'gt');
      const half = mul(g, k(g, 0.5));
      const tie = binary(a, b, 'eq');
      const zero = k(g, 0);
      return [where(wins, g, where(tie, half, zero)), where(loses, g, where(tie, half, zero))];
    }
    case 'mod':
      // a mod b = a - floor(a/b)*b
      return [g, neg(mul(g, unary(div(a, b), 'floor')))];
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge':
    case 'eq':
    case 'ne':
    case 'and':
    case 'or':
    case 'xor':
      return [null, null];
    default:
      return assertNever(fn);
  }
}

/**
 * d(prod of a group)/dx_j = the product of the group's other elements, exact when the group holds
 * zeros and written so that its own gradient is right too (second derivatives): the product of
 * the other non-zero elements times the product of the other zeros, where the latter is 1 (no
 * other zero), the one other zero itself (a 0 that still carries a derivative), or 0.
 * `group(v, fn)` reduces v over each element's group and reads the result back at the element.
 */
function productOfOthers(x: Var, group: (v: Var, fn: 'mul' | 'add') => Var): Var {
  const zero = k(x, 0);
  const one = k(x, 1);
  const isZero = binary(x, zero, 'eq');
  const nonZero = where(isZero, one, x);
  const zeroHere = f(isZero, x);
  const zerosElsewhere = sub(group(zeroHere, 'add'), zeroHere);
  // Zero in value, but with derivative 1 with respect to each other zero of the group.
  const zeroAsVar = where(isZero, x, zero);
  const otherZero = sub(group(zeroAsVar, 'add'), zeroAsVar);
  const zeroFactor = where(binary(zerosElsewhere, zero, 'eq'), one, where(binary(zerosElsewhere, one, 'eq'), otherZero, zero));
  return mul(div(group(nonZero, 'mul'), nonZero), zeroFactor);
}

/** Gradient of a max/min style selection: dout spread evenly over the elements equal to the result. */
function selectGrad(x: Var, selected: Var, doutAtX: Var, countAtX: Var): Var {
  const mask = binary(x, selected, 'eq');
  return where(mask, div(doutAtX, binary(countAtX, k(countAtX, 1), 'max')), k(x, 0));
}

export const gradRules: GradRules = {
  constant: () => [],
  index: () => [],
  random: () => [],
  cast: (node, _out, g) => {
    const [x] = node.inputs;
    return [x.dtype === 'float32' || x.dtype === 'float64' ? cast(g, x.dtype) : null];
  },
  unary: (node, out, g) => [unaryGrad(node.fn, node.inputs[0], out, g)],
  binary: (node, out, g) => binaryGrad(node.fn, node.inputs[0], node.inputs[1], out, g),
  ternary: (node, _out, g) => {
    const [c] = node.inputs;
    const zero = k(g, 0);
    return [null, where(c, g, zero), where(c, zero, g)];
  },
  reindex: (node, _out, g) => {
    const [x] = node.inputs;
    return [reindexReduce(g, 'add', x.shape, node.indexes, node.overflowConditions)];
  },
  gather: (node, _out, g) => {
    const [x, idx] = node.inputs;
    return [scatter(g, node.dim, idx, x.shape, 'add'), null];
  },
  broadcast: (node, _out, g) => {
    const [x] = node.inputs;
    const lead = g.ndim - x.ndim;
    const dims: number[] = [];
    for (let d = 0; d < g.ndim; d++) {
      if (d < lead || (x.shape[d - lead] === 1 && g.shape[d] !== 1)) dims.push(d);
    }
    return [reshape(reduce(g, 'add', dims), x.shape)];
  },
  reshape: (node, _out, g) => [reshape(g, node.inputs[0].shape)],
  permute: (node, _out, g) => {
    const inverse = new Array<number>(node.perm.length);
    node.perm.forEach((p, i) => (inverse[p] = i));
    return [permute(g, inverse)];
  },
  slice: (node, out, g) => {
    const [x] = node.inputs;
    if (node.steps.every((s) => s === 1)) {
      return [pad(g, node.starts, x.shape.map((d, i) => d - node.starts[i] - out.shape[i]), 0)];
    }
    // grad_x[j] = g[(j - start) / step] where the division is exact; elsewhere 0.
    const indexes: IndexExpr[] = [];
    const conds: IndexCond[] = [];
    node.steps.forEach((step, d) => {
      const offset = step > 0 ? ibin('-', iv(d), ic(node.starts[d])) : ibin('-', ic(node.starts[d]), iv(d));
      const s = Math.abs(step);
      indexes.push(ibin('/', offset, ic(s)));
      if (s !== 1) conds.push(icmp('!=', ibin('%', offset, ic(s)), ic(0)));
    });
    const cond = conds.reduce<IndexCond | undefined>((acc, c) => (acc ? ior(acc, c) : c), undefined);
    return [reindex(g, x.shape, indexes, 0, cond ? [cond] : [])];
  },
  pad: (node, _out, g) => {
    const [x] = node.inputs;
    return [slice(g, node.before, node.before.map((b, d) => b + x.shape[d]))];
  },
  reduce: (node, out, g) => {
    const [x] = node.inputs;
    const kept = x.shape.map((d, i) => (node.dims.includes(i) ? 1 : d));
    const up = (v: Var) => broadcast(reshape(v, kept), x.shape);
    switch (node.fn) {
      case 'add':
        return [up(g)];
      case 'mul':
        return [mul(up(g), productOfOthers(x, (v, fn) => up(reduce(v, fn, node.dims))))];
      case 'max':
      case 'min': {
        const count = reduce(f(binary(x, up(out), 'eq'), x), 'add', node.dims);
        return [selectGrad(x, up(out), up(g), up(count))];
      }
      default:
        return assertNever(node.fn);
    }
  },
  reindexReduce: (node, out, g) => {
    const [x] = node.inputs;
    const back = (v: Var, fill = 0) => reindex(v, x.shape, node.indexes, fill, node.overflowConditions);
    switch (node.fn) {
      case 'add':
        return [back(g)];
      case 'mul':
        return [mul(back(g), productOfOthers(x, (v, fn) => back(reindexReduce(v, fn, out.shape, node.indexes, node.overflowConditions))))];
      case 'max':
      case 'min': {
        const mask = f(binary(x, back(out), 'eq'), x);
        const count = reindexReduce(mask, 'add', out.shape, node.indexes, node.overflowConditions);
        return [selectGrad(x, back(out), back(g), back(count, 1))];
      }
      default:
        return assertNever(node.fn);
    }
  },
  scatter: (node, out, g) => {
    const [src, idx] = node.inputs;
    const back = (v: Var) => gather(v, node.dim, idx);
    switch (node.fn) {
      case 'add':
        return [back(g), null];
      case 'mul':
        return [mul(back(g), productOfOthers(src, (v, fn) => back(scatter(v, node.dim, idx, out.shape, fn)))), null];
      case 'max':
      case 'min': {
        const mask = f(binary(src, back(out), 'eq'), src);
        const count = scatter(mask, node.dim, idx, out.shape, 'add');
        return [selectGrad(src, back(out), back(g), back(count)), null];
      }
      default:
        return assertNever(node.fn);
    }
  },
  argReduce: () => [null],
};
