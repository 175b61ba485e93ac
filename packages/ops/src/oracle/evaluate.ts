// The float64 oracle: evaluates one meta-op node at a time, element by element, with nothing
// clever in it. Every compiled backend is tested against these results.
import {
  allocArray,
  assertNever,
  compileCond,
  compileIndex,
  contiguousStrides,
  convertValue,
  numel,
  reduceIdentity,
  type DataArray,
  type DType,
  type OpNode,
  type ReduceFn,
} from '@metaop/core';
import { philoxNormal, philoxUniform } from '../random/philox.js';
import { applyBinary, applyUnary } from './scalar.js';

export interface OracleInput {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly data: DataArray;
}

/** Calls fn(coords, flat) for every element of `shape` in row-major order. */
function forEachCoord(shape: readonly number[], fn: (coords: number[], flat: number) => void): void {
  const n = numel(shape);
  const coords = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < n; flat++) {
    fn(coords, flat);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++coords[d] < shape[d]) break;
      coords[d] = 0;
    }
  }
}

function offsetOf(coords: readonly number[], strides: readonly number[]): number {
  let o = 0;
  for (let d = 0; d < strides.length; d++) o += coords[d] * strides[d];
  return o;
}

function inBounds(coords: readonly number[], shape: readonly number[]): boolean {
  for (let d = 0; d < shape.length; d++) if (coords[d] < 0 || coords[d] >= shape[d]) return false;
  return true;
}

function combine(fn: ReduceFn, acc: number, v: number, dtype: DType): number {
  switch (fn) {
    case 'add':
      return acc + v;
    case 'mul':
      return dtype === 'int32' || dtype === 'uint8' ? convertValue(Math.imul(acc, v), dtype) : acc * v;
    case 'max':
      return v > acc || Number.isNaN(v) ? v : acc;
    case 'min':
      return v < acc || Number.isNaN(v) ? v : acc;
    default:
      return assertNever(fn);
  }
}

/** Evaluates `node` producing a Var of `shape` and `dtype` from its inputs' values. */
export function evaluateNode(node: OpNode, shape: readonly number[], dtype: DType, inputs: readonly OracleInput[]): DataArray {
  const n = numel(shape);
  const out = new Float64Array(n);
  const x = inputs[0];
  switch (node.op) {
    case 'constant':
      out.fill(node.value);
      break;
    case 'index':
      forEachCoord(shape, (c, i) => (out[i] = c[node.dim]));
      break;
    case 'random':
      for (let i = 0; i < n; i++) {
        out[i] = node.dist === 'uniform' ? philoxUniform(node.offset + i, node.seed) : philoxNormal(node.offset + i, node.seed);
      }
      break;
    case 'cast':
      for (let i = 0; i < n; i++) out[i] = x.data[i];
      break;
    case 'unary':
      for (let i = 0; i < n; i++) out[i] = applyUnary(node.fn, x.data[i]);
      break;
    case 'binary': {
      const b = inputs[1].data;
      for (let i = 0; i < n; i++) out[i] = applyBinary(node.fn, x.data[i], b[i], x.dtype);
      break;
    }
    case 'ternary': {
      const [c, a, b] = inputs;
      for (let i = 0; i < n; i++) out[i] = c.data[i] !== 0 ? a.data[i] : b.data[i];
      break;
    }
    case 'reindex': {
      const fns = node.indexes.map(compileIndex);
      const conds = node.overflowConditions.map(compileCond);
      const strides = contiguousStrides(x.shape);
      const src = new Array<number>(x.shape.length);
      forEachCoord(shape, (c, i) => {
        for (let d = 0; d < fns.length; d++) src[d] = fns[d](c);
        const overflow = !inBounds(src, x.shape) || conds.some((f) => f(c));
        out[i] = overflow ? node.overflowValue : x.data[offsetOf(src, strides)];
      });
      break;
    }
    case 'gather': {
      const idx = inputs[1].data;
      const strides = contiguousStrides(x.shape);
      const src = new Array<number>(x.shape.length);
      forEachCoord(shape, (c, i) => {
        for (let d = 0; d < c.length; d++) src[d] = c[d];
        src[node.dim] = idx[i];
        out[i] = inBounds(src, x.shape) ? x.data[offsetOf(src, strides)] : 0;
      });
      break;
    }
    case 'broadcast': {
      const lead = shape.length - x.shape.length;
      const strides = contiguousStrides(x.shape);
      forEachCoord(shape, (c, i) => {
        let o = 0;
        for (let d = 0; d < x.shape.length; d++) o += (x.shape[d] === 1 ? 0 : c[d + lead]) * strides[d];
        out[i] = x.data[o];
      });
      break;
    }
    case 'reshape':
      for (let i = 0; i < n; i++) out[i] = x.data[i];
      break;
    case 'permute': {
      const strides = contiguousStrides(x.shape);
      forEachCoord(shape, (c, i) => {
        let o = 0;
        for (let k = 0; k < c.length; k++) o += c[k] * strides[node.perm[k]];
        out[i] = x.data[o];
      });
      break;
    }
    case 'slice': {
      const strides = contiguousStrides(x.shape);
      forEachCoord(shape, (c, i) => {
        let o = 0;
        for (let d = 0; d < c.length; d++) o += (node.starts[d] + c[d] * node.steps[d]) * strides[d];
        out[i] = x.data[o];
      });
      break;
    }
    case 'pad': {
      const strides = contiguousStrides(x.shape);
      const src = new Array<number>(x.shape.length);
      forEachCoord(shape, (c, i) => {
        for (let d = 0; d < c.length; d++) src[d] = c[d] - node.before[d];
        out[i] = inBounds(src, x.shape) ? x.data[offsetOf(src, strides)] : node.value;
      });
      break;
    }
    case 'reduce': {
      out.fill(reduceIdentity(node.fn, dtype));
      const outStrides = contiguousStrides(shape);
      forEachCoord(x.shape, (c, i) => {
        let o = 0;
        let k = 0;
        for (let d = 0; d < c.length; d++) {
          const reduced = node.dims.includes(d);
          if (reduced && !node.keepdim) continue;
          o += (reduced ? 0 : c[d]) * outStrides[k++];
        }
        out[o] = combine(node.fn, out[o], x.data[i], dtype);
      });
      break;
    }
    case 'reindexReduce': {
      out.fill(reduceIdentity(node.fn, dtype));
      const fns = node.indexes.map(compileIndex);
      const conds = node.overflowConditions.map(compileCond);
      const outStrides = contiguousStrides(shape);
      const dst = new Array<number>(shape.length);
      forEachCoord(x.shape, (c, i) => {
        for (let d = 0; d < fns.length; d++) dst[d] = fns[d](c);
        if (!inBounds(dst, shape) || conds.some((f) => f(c))) return;
        const o = offsetOf(dst, outStrides);
        out[o] = combine(node.fn, out[o], x.data[i], dtype);
      });
      break;
    }
    case 'scatter': {
      out.fill(reduceIdentity(node.fn, dtype));
      const idx = inputs[1].data;
      const outStrides = contiguousStrides(shape);
      const dst = new Array<number>(shape.length);
      forEachCoord(x.shape, (c, i) => {
        for (let d = 0; d < c.length; d++) dst[d] = c[d];
        dst[node.dim] = idx[i];
        if (!inBounds(dst, shape)) return;
        const o = offsetOf(dst, outStrides);
        out[o] = combine(node.fn, out[o], x.data[i], dtype);
      });
      break;
    }
    case 'argReduce': {
      const len = x.shape[node.dim];
      const strides = contiguousStrides(x.shape);
      const outer = x.shape.filter((_, d) => d !== node.dim);
      forEachCoord(outer, (c, i) => {
        let base = 0;
        for (let d = 0, k = 0; d < x.shape.length; d++) if (d !== node.dim) base += c[k++] * strides[d];
        let best = x.data[base];
        let arg = 0;
        for (let j = 1; j < len && !Number.isNaN(best); j++) {
          const v = x.data[base + j * strides[node.dim]];
          if (Number.isNaN(v) || (node.fn === 'argmax' ? v > best : v < best)) {
            best = v;
            arg = j;
          }
        }
        out[i] = arg;
      });
      break;
    }
    default:
      return assertNever(node);
  }
  const result = allocArray(dtype, n);
  for (let i = 0; i < n; i++) result[i] = convertValue(out[i], dtype);
  return result;
}
