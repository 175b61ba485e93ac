// Battery cases ported from Jittor's own tests of its meta-ops (python/jittor/test/test_reindex_op.py,
// test_reindex_reduce_op.py, test_index_op.py, test_broadcast_to_op.py, test_reduce_op.py),
// re-expressed in MetaOp's API at small sizes. Jittor compared against numpy loops; here every
// backend is compared against the float64 oracle, and gradients against finite differences.
import type { ReduceFn, Var } from '@metaop/core';
import * as M from '../../index.js';
import { F, type OpCase } from '../case.js';

const arange = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Jittor's NHWC convolution: x reindexed to [N, H+Kh-1, W+Kw-1, Kh, Kw, C, Kc], w broadcast in. */
function convNhwc(x: Var, w: Var): Var {
  const [n, h, wd, c] = x.shape;
  const [kh, kw, , kc] = w.shape;
  const xx = M.reindex(x, [n, h + kh - 1, wd + kw - 1, kh, kw, c, kc], ['i0', 'i1-i3', 'i2-i4', 'i5']);
  const ww = M.broadcast(w, xx.shape, [0, 1, 2]);
  return M.sum(M.mul(xx, ww), [3, 4, 5]);
}

/** Jittor's transposed convolution: division in the index, the remainder as an integer condition. */
function convTransposeNhwc(x: Var, w: Var): Var {
  const [n, h, wd, c] = x.shape;
  const [kh, kw, , kc] = w.shape;
  const xx = M.reindex(x, [n, h * 2 + kh - 1, wd * 2 + kw - 1, kh, kw, c, kc], ['i0', '(i1-i3)/2', '(i2-i4)/2', 'i5'], 0, ['(i1-i3)%2', '(i2-i4)%2']);
  const ww = M.broadcast(w, xx.shape, [0, 1, 2]);
  return M.sum(M.mul(xx, ww), [3, 4, 5]);
}

/**
 * Jittor's resize_and_crop: each bbox row [x0, y0, x1, y1] (fractions of the image) resamples the
 * H x W image. The bbox coordinates reach every pixel through reindexes with a constant index,
 * whose gradient is the constant-index scatter.
 */
function resizeAndCrop(img: Var, bbox: Var, interpolation: 'nearest' | 'bilinear'): Var {
  const [n] = bbox.shape;
  const [h, w] = img.shape;
  const shape = [n, h, w];
  const bb = [0, 1, 2, 3].map((k) => M.reindex(bbox, shape, ['i0', String(k)]));
  const hid = M.cast(M.index(shape, 1), img.dtype);
  const wid = M.cast(M.index(shape, 2), img.dtype);
  const x = M.add(M.mul(bb[0], h - 1), M.mul(hid, M.sub(bb[2], bb[0])));
  const y = M.add(M.mul(bb[1], w - 1), M.mul(wid, M.sub(bb[3], bb[1])));
  const flat = M.reshape(img, [h * w]);
  // img[r, c], or 0 outside the image (Jittor's reindex_var overflow).
  const sample = (r: Var, c: Var): Var => {
    const inside = M.logicalAnd(M.logicalAnd(M.ge(r, 0), M.lt(r, h)), M.logicalAnd(M.ge(c, 0), M.lt(c, w)));
    const at = M.cast(M.where(inside, M.add(M.mul(r, w), c), -1), 'int32');
    return M.reshape(M.gatherMeta(flat, 0, M.reshape(at, [numel(shape)])), shape);
  };
  if (interpolation === 'nearest') return sample(M.round(x), M.round(y));
  const fx = M.floor(x);
  const fy = M.floor(y);
  const dx = M.sub(x, fx);
  const dy = M.sub(y, fy);
  const a = sample(fx, fy);
  const b = sample(M.add(fx, 1), fy);
  const c = sample(fx, M.add(fy, 1));
  const d = sample(M.add(fx, 1), M.add(fy, 1));
  const ab = M.add(M.mul(dx, b), M.mul(M.sub(1, dx), a));
  const cd = M.add(M.mul(dx, d), M.mul(M.sub(1, dx), c));
  return M.add(M.mul(ab, M.sub(1, dy)), M.mul(cd, dy));
}

const reindexCases: OpCase[] = [
  {
    name: 'jittor/reindex/pad',
    covers: ['reindex'],
    inputs: [F([10])],
    build: (a) => M.reindex(a, [17], ['i0-3'], -1),
  },
  {
    name: 'jittor/reindex/matmul',
    covers: ['reindex', 'sum'],
    inputs: [F([4, 4]), F([4, 4])],
    build: (a, b) => M.sum(M.mul(M.reindex(a, [4, 4, 4], ['i0', 'i1']), M.reindex(b, [4, 4, 4], ['i1', 'i2'])), 1),
  },
  {
    name: 'jittor/reindex/conv',
    covers: ['reindex', 'broadcast'],
    inputs: [F([1, 4, 4, 2]), F([3, 3, 2, 3])],
    build: convNhwc,
  },
  {
    name: 'jittor/reindex/conv-transpose',
    covers: ['reindex', 'broadcast'],
    inputs: [F([1, 3, 3, 2]), F([3, 3, 2, 2])],
    build: convTransposeNhwc,
  },
  {
    name: 'jittor/reindex/resize-and-crop-nearest',
    covers: ['reindex', 'index', 'gatherMeta'],
    inputs: [F([5, 5]), F([4, 4], { min: 0.05, max: 0.95 })],
    // round() has zero derivative: finite differences would only see its jumps.
    grad: false,
    build: (img, bbox) => resizeAndCrop(img, bbox, 'nearest'),
  },
  {
    name: 'jittor/reindex/resize-and-crop-bilinear',
    covers: ['reindex', 'index', 'gatherMeta'],
    // bbox values keep the sample positions off integers (floor's jumps) for finite differences.
    inputs: [F([5, 5]), F([4, 4], { values: [0.11, 0.23, 0.71, 0.62, 0.35, 0.12, 0.53, 0.91, 0.08, 0.66, 0.43, 0.29, 0.57, 0.48, 0.19, 0.83] })],
    build: (img, bbox) => resizeAndCrop(img, bbox, 'bilinear'),
  },
];

/** Jittor's pool: reindexReduce over 3x3 blocks of an NHWC tensor (the last block is partial). */
const poolCases: OpCase[] = (['max', 'min', 'mul', 'add'] as ReduceFn[]).map((fn) => ({
  name: `jittor/reindexReduce(${fn})/pool`,
  covers: ['reindexReduce'],
  inputs: [F([2, 7, 7, 2], fn === 'mul' ? { min: 0.8, max: 1.25 } : { distinct: fn !== 'add' })],
  build: (x: Var) => M.reindexReduce(x, fn, [2, 3, 3, 2], ['i0', 'i1/3', 'i2/3', 'i3']),
}));

const indexCases: OpCase[] = [
  { name: 'jittor/index/dim0', covers: ['index'], inputs: [], build: () => M.index([2, 2], 0) },
  { name: 'jittor/index/dim1', covers: ['index'], inputs: [], build: () => M.index([2, 2], 1) },
  { name: 'jittor/index/sum-3x3', covers: ['index'], inputs: [], build: () => M.add(M.index([3, 3], 0), M.index([3, 3], 1)) },
  {
    name: 'jittor/index/gather-rows-by-broadcast-dims',
    covers: ['index', 'broadcast', 'gatherMeta'],
    // Jittor's vary_shape_dep2: rows [1, 2] broadcast along a new last dim, then gathered.
    inputs: [F([3, 3], { values: [1, 2, 3, 4, 5, 6, 7, 8, 9] }), { shape: [2], dtype: 'int32', values: [1, 2] }],
    build: (a, rows) => M.gatherMeta(a, 0, M.broadcast(rows, [1, 3], [1])),
  },
];

/** Jittor's broadcast(x, shape) broadcasts both ways: that is broadcast(x, shape, []) here. */
const broadcastPairs: [number[], number[]][] = [
  [[1], [3]],
  [[3, 1], [3]],
  [[3, 1, 3], [1, 3, 1]],
  [[2, 3, 4], [2, 3, 4, 1, 1, 1]],
  [[2, 3], [2, 3, 1, 1]],
  [[2, 1, 3, 1, 4], [1, 3, 4]],
];

const broadcastCases: OpCase[] = [
  ...broadcastPairs.map(([a, b]): OpCase => ({
    name: `jittor/broadcast/[${a.join(',')}]-to-[${b.join(',')}]`,
    covers: ['broadcast'],
    inputs: [F(a, { values: arange(numel(a)) })],
    build: (x) => M.broadcast(x, b, []),
  })),
  ...broadcastPairs.map(([a, b]): OpCase => ({
    name: `jittor/broadcast/add-[${a.join(',')}]-[${b.join(',')}]`,
    covers: ['add'],
    inputs: [F(a), F(b)],
    build: (x, y) => M.add(x, y),
  })),
  { name: 'jittor/broadcast/negative-dim-1', covers: ['broadcast'], inputs: [F([2], { values: [1, 2] })], build: (x) => M.broadcast(x, [2, 2], [-1]) },
  { name: 'jittor/broadcast/negative-dim-2', covers: ['broadcast'], inputs: [F([2], { values: [1, 2] })], build: (x) => M.broadcast(x, [2, 2], [-2]) },
  { name: 'jittor/broadcast/scalar-to-empty', covers: ['broadcast'], inputs: [F([])], build: (x) => M.broadcast(x, [0]) },
  { name: 'jittor/broadcast/new-dims-0-2', covers: ['broadcast'], inputs: [F([3])], build: (x) => M.broadcast(x, [2, 3, 4], [0, 2]) },
];

/** Jittor's reduce test: arange data, each reduction over each dim set, with and without keepdims. */
const reduceDims: (number[] | number)[] = [[], [0], [1], [2], [3], [0, 2], [1, 3], [1, 2, 3], 2, 3];

const reduceCases: OpCase[] = [false, true].flatMap((keepdim) => {
  const tag = keepdim ? '-keepdim' : '';
  const all = (d: number[] | number, ndim: number): number[] => (typeof d === 'number' ? [d] : d.length === 0 ? arange(ndim) : d);
  const intInput = (shape: number[]) => ({ shape, dtype: 'int32' as const, values: arange(numel(shape)) });
  const cases: OpCase[] = [];
  for (const d of reduceDims) {
    const label = typeof d === 'number' ? String(d) : `(${d.join(',')})`;
    cases.push({
      name: `jittor/reduce(add)/int32-dims-${label}${tag}`,
      covers: ['reduce'],
      inputs: [intInput([2, 3, 4, 5])],
      build: (x) => M.reduce(x, 'add', all(d, 4), keepdim),
    });
  }
  for (const fn of ['max', 'min'] as ReduceFn[]) {
    cases.push({
      name: `jittor/reduce(${fn})/int32-all${tag}`,
      covers: ['reduce'],
      inputs: [intInput([2, 3, 4, 5])],
      build: (x) => M.reduce(x, fn, arange(4), keepdim),
    });
  }
  cases.push({
    name: `jittor/reduce(add)/int32-5x3-all${tag}`,
    covers: ['reduce'],
    inputs: [intInput([5, 3])],
    build: (x) => M.reduce(x, 'add', [0, 1], keepdim),
  });
  // Integer products of 0..119 overflow int32; Jittor's product check runs on floats here.
  for (const fn of ['add', 'mul', 'max', 'min'] as ReduceFn[]) {
    cases.push({
      name: `jittor/reduce(${fn})/float-dims-(1,3)${tag}`,
      covers: ['reduce'],
      inputs: [F([2, 3, 4, 5], fn === 'mul' ? { min: 0.8, max: 1.25 } : { distinct: true })],
      build: (x) => M.reduce(x, fn, [1, 3], keepdim),
    });
  }
  return cases;
});

export const jittorCases: OpCase[] = [...reindexCases, ...poolCases, ...indexCases, ...broadcastCases, ...reduceCases];
