// Battery cases for the seven element-wise meta-ops: constant, index, random, cast, unary, binary, ternary.
import type { BinaryFn, UnaryFn, Var } from '@metaop/core';
import * as M from '../../index.js';
import { B, F, I, type OpCase } from '../case.js';

const kinks = (lo: number, hi: number, step = 1): number[] => {
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) out.push(v);
  return out;
};

/** Input ranges that keep each unary function smooth and finite. */
const unaryInputs: Record<Exclude<UnaryFn, 'not'>, ReturnType<typeof F>> = {
  neg: F([2, 3]),
  abs: F([2, 3], { avoid: [0] }),
  exp: F([2, 3]),
  log: F([2, 3], { min: 0.2, max: 3 }),
  sqrt: F([2, 3], { min: 0.2, max: 3 }),
  rsqrt: F([2, 3], { min: 0.2, max: 3 }),
  sin: F([2, 3], { min: -4, max: 4 }),
  cos: F([2, 3], { min: -4, max: 4 }),
  tanh: F([2, 3], { min: -3, max: 3 }),
  sigmoid: F([2, 3], { min: -4, max: 4 }),
  erf: F([2, 3], { min: -2.5, max: 2.5 }),
  floor: F([2, 3], { min: -3, max: 3, avoid: kinks(-3, 3) }),
  ceil: F([2, 3], { min: -3, max: 3, avoid: kinks(-3, 3) }),
  round: F([2, 3], { min: -3, max: 3, avoid: kinks(-3.5, 3.5, 0.5) }),
};

const unaryCases: OpCase[] = (Object.keys(unaryInputs) as Exclude<UnaryFn, 'not'>[]).map((fn) => ({
  name: `unary(${fn})`,
  covers: ['unary'],
  inputs: [unaryInputs[fn]],
  build: (x: Var) => M.unary(x, fn),
}));

const binaryInputs: Partial<Record<BinaryFn, ReturnType<typeof F>[]>> = {
  add: [F([2, 3]), F([2, 3])],
  sub: [F([2, 3]), F([2, 3])],
  mul: [F([2, 3]), F([2, 3])],
  div: [F([2, 3]), F([2, 3], { min: 0.5, max: 2 })],
  pow: [F([2, 3], { min: 0.5, max: 2 }), F([2, 3], { min: -1.5, max: 1.5 })],
  max: [F([2, 3]), F([2, 3])],
  min: [F([2, 3]), F([2, 3])],
  mod: [F([2, 3], { min: -3, max: 3 }), F([2, 3], { min: 0.7, max: 1.3 })],
};

const binaryCases: OpCase[] = (Object.keys(binaryInputs) as BinaryFn[]).map((fn) => ({
  name: `binary(${fn})`,
  covers: ['binary'],
  inputs: binaryInputs[fn] as ReturnType<typeof F>[],
  build: (a: Var, b: Var) => M.binary(a, b, fn),
}));

const comparisonCases: OpCase[] = (['lt', 'le', 'gt', 'ge', 'eq', 'ne'] as const).map((fn) => ({
  name: `binary(${fn})`,
  covers: ['binary'],
  // Small integers stored as floats, so equality actually happens.
  inputs: [F([3, 4], { values: [0, 1, 2, -1, 1, 1, 0, 2, -2, 3, 1, 0] }), F([3, 4], { values: [1, 1, 2, -2, 0, 1, 1, 2, -2, 2, 1, 1] })],
  build: (a: Var, b: Var) => M.binary(a, b, fn),
}));

const logicalCases: OpCase[] = (['and', 'or', 'xor'] as const).map((fn) => ({
  name: `binary(${fn})`,
  covers: ['binary'],
  inputs: [B([2, 4]), B([2, 4])],
  build: (a: Var, b: Var) => M.binary(a, b, fn),
}));

export const metaElementwiseCases: OpCase[] = [
  {
    name: 'constant/in-composition',
    covers: ['constant'],
    inputs: [F([2, 3])],
    build: (x) => M.binary(M.binary(x, M.constant(2.5, [2, 3], x.dtype), 'mul'), M.constant(-1, [2, 3], x.dtype), 'add'),
  },
  { name: 'constant/int32', covers: ['constant'], inputs: [], build: () => M.constant(-7.9, [3], 'int32') },
  { name: 'constant/scalar-bool', covers: ['constant'], inputs: [], build: () => M.constant(2, [], 'bool') },
  { name: 'constant/empty', covers: ['constant'], inputs: [], build: () => M.constant(1, [0, 3]) },
  {
    name: 'index/weights',
    covers: ['index', 'cast'],
    inputs: [F([2, 3, 4])],
    build: (x) => M.binary(x, M.cast(M.index([2, 3, 4], 1), x.dtype), 'mul'),
  },
  { name: 'index/last-dim-float', covers: ['index'], inputs: [F([3, 4])], build: (x) => M.binary(x, M.index([3, 4], -1, x.dtype), 'add') },
  { name: 'index/int32-1023', covers: ['index'], inputs: [], build: () => M.index([1023], 0), large: true },
  {
    name: 'random/uniform-in-composition',
    covers: ['random'],
    inputs: [F([3, 5])],
    build: (x) => M.binary(x, M.random([3, 5], { seed: 7, offset: 11 }, x.dtype), 'mul'),
  },
  {
    name: 'random/normal-in-composition',
    covers: ['random'],
    inputs: [F([7])],
    build: (x) => M.binary(x, M.random([7], { dist: 'normal', seed: 3, offset: 0 }, x.dtype), 'add'),
  },
  { name: 'random/normal-1023', covers: ['random'], inputs: [], build: () => M.random([1023], { dist: 'normal', seed: 1, offset: 5 }), large: true },
  { name: 'cast/float-to-int32', covers: ['cast'], inputs: [F([2, 4], { min: -5, max: 5 })], build: (x) => M.cast(x, 'int32') },
  { name: 'cast/float-to-uint8', covers: ['cast'], inputs: [F([2, 4], { min: -300, max: 300 })], build: (x) => M.cast(x, 'uint8') },
  { name: 'cast/float-to-bool', covers: ['cast'], inputs: [F([6], { values: [0, 1, -0.5, 0, 2, 0] })], build: (x) => M.cast(x, 'bool') },
  { name: 'cast/int-to-float', covers: ['cast'], inputs: [I([2, 3], -9, 9)], build: (x) => M.cast(x, 'float32') },
  {
    name: 'cast/float-to-float64',
    covers: ['cast'],
    inputs: [F([2, 3])],
    build: (x) => M.binary(M.cast(x, 'float64'), M.cast(x, 'float64'), 'mul'),
  },
  ...unaryCases,
  { name: 'unary(exp)/scalar', covers: ['unary'], inputs: [F([])], build: (x) => M.unary(x, 'exp') },
  { name: 'unary(tanh)/size-1', covers: ['unary'], inputs: [F([1])], build: (x) => M.unary(x, 'tanh') },
  { name: 'unary(sin)/size-7', covers: ['unary'], inputs: [F([7])], build: (x) => M.unary(x, 'sin') },
  { name: 'unary(exp)/empty', covers: ['unary'], inputs: [F([0, 3])], build: (x) => M.unary(x, 'exp') },
  { name: 'unary(sigmoid)/1023', covers: ['unary'], inputs: [F([1023], { min: -8, max: 8 })], build: (x) => M.unary(x, 'sigmoid'), large: true },
  { name: 'unary(erf)/wide', covers: ['unary'], inputs: [F([1023], { min: -7, max: 7 })], build: (x) => M.unary(x, 'erf'), large: true },
  { name: 'unary(neg)/int32', covers: ['unary'], inputs: [I([5], -9, 9)], build: (x) => M.unary(x, 'neg') },
  { name: 'unary(abs)/int32', covers: ['unary'], inputs: [I([5], -9, 9)], build: (x) => M.unary(x, 'abs') },
  { name: 'unary(round)/half-even', covers: ['unary'], inputs: [F([6], { values: [0.5, 1.5, 2.5, -0.5, -1.5, 2.4] })], build: (x) => M.unary(x, 'round'), grad: false },
  { name: 'unary(not)', covers: ['unary'], inputs: [B([2, 3])], build: (x) => M.unary(x, 'not') },
  ...binaryCases,
  ...comparisonCases,
  ...logicalCases,
  { name: 'binary(add)/1023', covers: ['binary'], inputs: [F([1023]), F([1023])], build: (a, b) => M.binary(a, b, 'add'), large: true },
  { name: 'binary(mul)/empty', covers: ['binary'], inputs: [F([3, 0]), F([3, 0])], build: (a, b) => M.binary(a, b, 'mul') },
  { name: 'binary(div)/int32-floor', covers: ['binary'], inputs: [I([8], -9, 9), I([8], -3, 4)], build: (a, b) => M.binary(a, b, 'div') },
  { name: 'binary(mod)/int32-floor', covers: ['binary'], inputs: [I([8], -9, 9), I([8], -3, 4)], build: (a, b) => M.binary(a, b, 'mod') },
  { name: 'binary(mul)/int32-wrap', covers: ['binary'], inputs: [I([4], 40000, 50000), I([4], 40000, 50000)], build: (a, b) => M.binary(a, b, 'mul') },
  {
    name: 'ternary',
    covers: ['ternary'],
    inputs: [B([3, 4]), F([3, 4]), F([3, 4])],
    build: (c, a, b) => M.ternary(c, a, b),
  },
  {
    name: 'ternary/shared-operand',
    covers: ['ternary'],
    inputs: [F([2, 5], { avoid: [0] })],
    build: (x) => M.ternary(M.binary(x, M.constant(0, x.shape, x.dtype), 'gt'), x, M.unary(x, 'neg')),
  },
];
