// Battery cases for the broadcasting arithmetic, comparison, logic and element-wise math ops.
import type { Var } from '@metaop/core';
import * as M from '../../index.js';
import { B, F, I, type OpCase } from '../case.js';

type Unary = (x: Var) => Var;

const unaryDerived: [string, Unary, ReturnType<typeof F>][] = [
  ['neg', M.neg, F([2, 3])],
  ['abs', M.abs, F([2, 3], { avoid: [0] })],
  ['exp', M.exp, F([2, 3])],
  ['log', M.log, F([2, 3], { min: 0.3, max: 4 })],
  ['sqrt', M.sqrt, F([2, 3], { min: 0.3, max: 4 })],
  ['rsqrt', M.rsqrt, F([2, 3], { min: 0.3, max: 4 })],
  ['sin', M.sin, F([2, 3], { min: -4, max: 4 })],
  ['cos', M.cos, F([2, 3], { min: -4, max: 4 })],
  ['tanh', M.tanh, F([2, 3])],
  ['sigmoid', M.sigmoid, F([2, 3], { min: -5, max: 5 })],
  ['erf', M.erf, F([2, 3])],
  ['floor', M.floor, F([2, 3], { min: -3, max: 3, avoid: [-3, -2, -1, 0, 1, 2, 3] })],
  ['ceil', M.ceil, F([2, 3], { min: -3, max: 3, avoid: [-3, -2, -1, 0, 1, 2, 3] })],
  ['round', M.round, F([2, 3], { min: -3, max: 3, avoid: [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5] })],
  ['square', M.square, F([2, 3])],
  ['reciprocal', M.reciprocal, F([2, 3], { min: 0.4, max: 3 })],
  ['log1p', M.log1p, F([2, 3], { min: -0.6, max: 3 })],
  ['expm1', M.expm1, F([2, 3])],
  ['sign', M.sign, F([2, 3], { avoid: [0] })],
  ['logicalNot', M.logicalNot, F([5], { values: [0, 1, -2, 0, 0.5] })],
];

type Binary = (a: Var, b: Var) => Var;

const binaryDerived: [string, Binary, ReturnType<typeof F>[]][] = [
  ['add', M.add, [F([2, 3]), F([3])]],
  ['sub', M.sub, [F([2, 1, 3]), F([4, 1])]],
  ['mul', M.mul, [F([1, 3]), F([2, 1])]],
  ['div', M.div, [F([2, 3]), F([2, 1], { min: 0.5, max: 2 })]],
  ['pow', M.pow, [F([2, 3], { min: 0.5, max: 2 }), F([3], { min: -2, max: 2 })]],
  ['maximum', M.maximum, [F([2, 3]), F([3])]],
  ['minimum', M.minimum, [F([3, 1]), F([1, 4])]],
  ['remainder', M.remainder, [F([2, 3], { min: -4, max: 4 }), F([3], { min: 0.6, max: 1.4 })]],
  ['floorDiv', M.floorDiv, [F([2, 3], { min: -4, max: 4 }), F([3], { min: 0.6, max: 1.4 })]],
];

const comparisons: [string, Binary][] = [
  ['lt', M.lt],
  ['le', M.le],
  ['gt', M.gt],
  ['ge', M.ge],
  ['eq', M.eq],
  ['ne', M.ne],
];

export const arithmeticCases: OpCase[] = [
  ...unaryDerived.map(([name, fn, input]): OpCase => ({ name, covers: [name], inputs: [input], build: fn })),
  { name: 'exp/int32-promotes', covers: ['exp'], inputs: [I([4], -3, 3)], build: M.exp },
  { name: 'abs/int32', covers: ['abs'], inputs: [I([5], -5, 5)], build: M.abs },
  { name: 'sign/int32', covers: ['sign'], inputs: [I([6], -3, 3)], build: M.sign },
  ...binaryDerived.map(([name, fn, inputs]): OpCase => ({ name: `${name}/broadcast`, covers: [name], inputs, build: fn })),
  { name: 'add/number', covers: ['add'], inputs: [F([3])], build: (x) => M.add(x, 2) },
  { name: 'add/1023-broadcast', covers: ['add'], inputs: [F([7, 1]), F([1023])], build: M.add, large: true },
  { name: 'add/empty-broadcast', covers: ['add'], inputs: [F([0, 3]), F([3])], build: M.add },
  { name: 'add/int32-float-promotes', covers: ['add'], inputs: [I([2, 3], -5, 5), F([3])], build: M.add },
  { name: 'sub/number-first', covers: ['sub'], inputs: [F([4])], build: (x) => M.sub(1, x) },
  { name: 'mul/bool-int32', covers: ['mul'], inputs: [B([4]), I([4], -5, 5)], build: M.mul },
  { name: 'div/int32-true-division', covers: ['div'], inputs: [I([5], -9, 9), I([5], 1, 4)], build: M.div },
  { name: 'div/number-first', covers: ['div'], inputs: [F([4], { min: 0.5, max: 2 })], build: (x) => M.div(3, x) },
  { name: 'pow/number-exponent', covers: ['pow'], inputs: [F([5], { min: 0.3, max: 2 })], build: (x) => M.pow(x, 3) },
  { name: 'pow/number-base', covers: ['pow'], inputs: [F([5])], build: (x) => M.pow(2, x) },
  { name: 'remainder/int32', covers: ['remainder'], inputs: [I([6], -9, 9), I([6], 1, 4)], build: M.remainder },
  { name: 'floorDiv/int32', covers: ['floorDiv'], inputs: [I([6], -9, 9), I([6], 1, 4)], build: M.floorDiv },
  { name: 'maximum/number', covers: ['maximum'], inputs: [F([2, 3], { avoid: [0.25] })], build: (x) => M.maximum(x, 0.25) },
  ...comparisons.map(([name, fn]): OpCase => ({
    name: `${name}/broadcast`,
    covers: [name],
    inputs: [F([3, 4], { values: [0, 1, 2, -1, 1, 1, 0, 2, -2, 3, 1, 0] }), F([4], { values: [1, 1, 0, -1] })],
    build: fn,
  })),
  { name: 'lt/number', covers: ['lt'], inputs: [I([5], -3, 3)], build: (x) => M.lt(x, 0) },
  { name: 'logicalAnd/broadcast', covers: ['logicalAnd'], inputs: [B([2, 3]), B([3])], build: M.logicalAnd },
  { name: 'logicalOr/numbers', covers: ['logicalOr'], inputs: [F([4], { values: [0, 2, 0, -1] }), I([4], 0, 2)], build: M.logicalOr },
  { name: 'logicalXor/broadcast', covers: ['logicalXor'], inputs: [B([3, 1]), B([1, 2])], build: M.logicalXor },
  { name: 'where/broadcast', covers: ['where'], inputs: [B([2, 1]), F([2, 3]), F([3])], build: M.where },
  { name: 'where/number-branch', covers: ['where'], inputs: [F([2, 3], { avoid: [0] })], build: (x) => M.where(M.gt(x, 0), x, -1) },
  { name: 'clamp/both', covers: ['clamp'], inputs: [F([2, 4], { avoid: [-0.5, 1] })], build: (x) => M.clamp(x, -0.5, 1) },
  { name: 'clamp/min-only', covers: ['clamp'], inputs: [F([5], { avoid: [0] })], build: (x) => M.clamp(x, 0) },
  { name: 'clamp/var-bounds', covers: ['clamp'], inputs: [F([2, 3]), F([3], { min: -2, max: -0.5 }), F([2, 1], { min: 0.5, max: 2 })], build: (x, lo, hi) => M.clamp(x, lo, hi) },
  { name: 'fullLike/in-composition', covers: ['fullLike'], inputs: [F([2, 2])], build: (x) => M.mul(x, M.fullLike(x, 3)) },
];
