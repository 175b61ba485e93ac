// Battery cases with an Inf or a NaN in a convolution's weight, input or upstream gradient, at
// sizes where compiled backends copy padded operands into zero-bordered buffers (restage): the
// input gradient must leave out the terms that fall outside the input, as the oracle and PyTorch
// do, not multiply the zero border by a non-finite weight (issue #10). Stride 2 takes the scatter
// form for the input gradient; its forward pass and weight gradient are restaged. Sums with an Inf
// among finite terms stay Inf on backends that keep a compensation term (Kahan) beside the sum.
import type { Var } from '@metaop/core';
import * as M from '../../index.js';
import { C, F, type OpCase } from '../case.js';

const x = [2, 4, 16, 16] as const;
const w = [8, 4, 3, 3] as const;
/** w[1, 2, 0, 2]: a corner tap, whose term lies outside dy for the last row and first column of input cells. */
const tap = ((1 * 4 + 2) * 3 + 0) * 3 + 2;
/** x[1, 3, 0, 5]: an input cell on the top border. */
const cell = ((1 * 4 + 3) * 16 + 0) * 16 + 5;

const pad1 = (a: Var, b: Var) => M.conv2d(a, b, { padding: 1 });
const stride2 = (a: Var, b: Var) => M.conv2d(a, b, { stride: 2, padding: 1 });

export const nonFiniteCases: OpCase[] = [
  { name: 'conv2d/pad1-inf-weight', covers: ['conv2d'], inputs: [F(x), F(w, { special: [[tap, Infinity]] })], build: pad1, large: true },
  { name: 'conv2d/pad1-nan-weight', covers: ['conv2d'], inputs: [F(x), F(w, { special: [[tap, NaN]] })], build: pad1, large: true },
  { name: 'conv2d/pad1-inf-input', covers: ['conv2d'], inputs: [F(x, { special: [[cell, -Infinity]] }), F(w)], build: pad1, large: true },
  { name: 'conv2d/pad1-nan-input', covers: ['conv2d'], inputs: [F(x, { special: [[cell, NaN]] }), F(w)], build: pad1, large: true },
  {
    name: 'conv2d/stride2-pad1-inf-weight',
    covers: ['conv2d'],
    inputs: [F([2, 4, 33, 33]), F(w, { special: [[tap, -Infinity]] })],
    build: stride2,
    large: true,
  },
  {
    name: 'conv2d/stride2-pad1-nan-weight',
    covers: ['conv2d'],
    inputs: [F([2, 4, 33, 33]), F(w, { special: [[tap, NaN]] })],
    build: stride2,
    large: true,
  },
  {
    name: 'conv2d/pad2-dil2-inf-weight',
    covers: ['conv2d'],
    inputs: [F(x), F(w, { special: [[tap, Infinity]] })],
    build: (a, b) => M.conv2d(a, b, { padding: 2, dilation: 2 }),
    large: true,
  },
  {
    // The upstream gradient carries the Inf: it is the operand that gets the zero border.
    name: 'conv2d/pad1-inf-upstream',
    covers: ['conv2d'],
    inputs: [F(x), F(w), C([1, 8, 1, 1], { special: [[3, Infinity]] })],
    build: (a, b, s) => M.mul(pad1(a, b), s),
    large: true,
  },
  { name: 'sum/nonfinite-inf', covers: ['sum'], inputs: [F([8], { values: [1, 2, Infinity, 3, 4, 5, 6, 7] })], build: (a) => M.sum(a), grad: false },
  {
    name: 'sum/nonfinite-inf-and-neg-inf',
    covers: ['sum'],
    inputs: [F([2, 4], { values: [1, -Infinity, 2, Infinity, 5, -Infinity, 6, 7] })],
    build: (a) => M.sum(a, 1),
    grad: false,
  },
  {
    // Long rows: backends sum them in vector lanes and tiles before the compensated total.
    name: 'sum/nonfinite-long',
    covers: ['sum'],
    inputs: [F([3, 5000], { special: [[7, Infinity], [5000 + 4999, -Infinity], [10007, NaN]] })],
    build: (a) => M.sum(a, 1),
    grad: false,
  },
];
