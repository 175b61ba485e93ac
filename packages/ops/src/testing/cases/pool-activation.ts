// Battery cases for pooling, activations and dropout.
import * as M from '../../index.js';
import { F, type OpCase } from '../case.js';

export const poolActivationCases: OpCase[] = [
  { name: 'maxPool2d/k2', covers: ['maxPool2d'], inputs: [F([1, 2, 4, 4], { distinct: true })], build: (x) => M.maxPool2d(x, 2) },
  {
    name: 'maxPool2d/k3-s2-p1',
    covers: ['maxPool2d'],
    inputs: [F([1, 1, 5, 5], { distinct: true })],
    build: (x) => M.maxPool2d(x, 3, { stride: 2, padding: 1 }),
  },
  {
    name: 'maxPool2d/ceil-mode',
    covers: ['maxPool2d'],
    inputs: [F([1, 2, 5, 6], { distinct: true })],
    build: (x) => M.maxPool2d(x, 2, { stride: 2, ceilMode: true }),
  },
  {
    name: 'maxPool2d/dilation-3d-input',
    covers: ['maxPool2d'],
    inputs: [F([2, 6, 6], { distinct: true })],
    build: (x) => M.maxPool2d(x, [2, 3], { stride: 1, dilation: 2 }),
  },
  {
    name: 'maxPool2d/large',
    covers: ['maxPool2d'],
    inputs: [F([2, 4, 31, 33])],
    build: (x) => M.maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }),
    large: true,
  },
  {
    name: 'maxPool2d/indices-k3-s2-p1',
    covers: ['maxPool2d'],
    inputs: [F([1, 2, 5, 5], { distinct: true })],
    build: (x) => M.maxPool2d(x, 3, { stride: 2, padding: 1, returnIndices: true }),
  },
  {
    name: 'maxPool2d/indices-ceil-dilation-3d-input',
    covers: ['maxPool2d'],
    inputs: [F([2, 6, 7], { distinct: true })],
    build: (x) => M.maxPool2d(x, [2, 3], { stride: 2, padding: 1, dilation: [1, 2], ceilMode: true, returnIndices: true }),
  },
  {
    // Ties pick the first maximum in row-major window order and a NaN wins, as in torch (forward only:
    // tied maxima split their gradient here, see docs/meta-ops.md).
    name: 'maxPool2d/indices-ties-nan',
    covers: ['maxPool2d'],
    inputs: [F([1, 1, 4, 4], { values: [1, 3, 3, 0, 2, 3, 1, 1, 0, 0, -1, NaN, 2, 2, 2, 2] })],
    build: (x) => M.maxPool2d(x, 2, { stride: 1, returnIndices: true }),
    grad: false,
  },
  { name: 'avgPool2d/k2', covers: ['avgPool2d'], inputs: [F([1, 2, 4, 4])], build: (x) => M.avgPool2d(x, 2) },
  {
    name: 'avgPool2d/k3-s2-p1',
    covers: ['avgPool2d'],
    inputs: [F([1, 1, 5, 5])],
    build: (x) => M.avgPool2d(x, 3, { stride: 2, padding: 1 }),
  },
  {
    name: 'avgPool2d/k3-s2-p1-exclude-pad',
    covers: ['avgPool2d'],
    inputs: [F([1, 1, 5, 5])],
    build: (x) => M.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }),
  },
  {
    name: 'avgPool2d/ceil-mode',
    covers: ['avgPool2d'],
    inputs: [F([1, 2, 5, 6])],
    build: (x) => M.avgPool2d(x, 2, { stride: 2, ceilMode: true }),
  },
  {
    name: 'avgPool2d/ceil-mode-pad-exclude',
    covers: ['avgPool2d'],
    inputs: [F([1, 1, 6, 5])],
    build: (x) => M.avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
  },
  {
    name: 'avgPool2d/divisor-override',
    covers: ['avgPool2d'],
    inputs: [F([2, 4, 4])],
    build: (x) => M.avgPool2d(x, 2, { divisorOverride: 3 }),
  },
  { name: 'adaptiveAvgPool2d/7-to-3', covers: ['adaptiveAvgPool2d'], inputs: [F([1, 2, 7, 7])], build: (x) => M.adaptiveAvgPool2d(x, 3) },
  { name: 'adaptiveAvgPool2d/5x6-to-2x4', covers: ['adaptiveAvgPool2d'], inputs: [F([1, 1, 5, 6])], build: (x) => M.adaptiveAvgPool2d(x, [2, 4]) },
  { name: 'adaptiveAvgPool2d/to-1', covers: ['adaptiveAvgPool2d'], inputs: [F([2, 3, 3])], build: (x) => M.adaptiveAvgPool2d(x, 1) },
  { name: 'adaptiveAvgPool2d/upsample-3-to-5', covers: ['adaptiveAvgPool2d'], inputs: [F([1, 1, 3, 3])], build: (x) => M.adaptiveAvgPool2d(x, 5) },
  { name: 'relu', covers: ['relu'], inputs: [F([2, 5], { avoid: [0] })], build: M.relu },
  { name: 'relu/1023', covers: ['relu'], inputs: [F([1023])], build: M.relu, large: true },
  { name: 'relu6', covers: ['relu6'], inputs: [F([2, 5], { min: -2, max: 8, avoid: [0, 6] })], build: M.relu6 },
  { name: 'leakyRelu', covers: ['leakyRelu'], inputs: [F([2, 5], { avoid: [0] })], build: (x) => M.leakyRelu(x, 0.2) },
  { name: 'leakyRelu/default-slope', covers: ['leakyRelu'], inputs: [F([6], { avoid: [0] })], build: (x) => M.leakyRelu(x) },
  { name: 'gelu', covers: ['gelu'], inputs: [F([2, 5], { min: -4, max: 4 })], build: (x) => M.gelu(x) },
  { name: 'gelu/tanh', covers: ['gelu'], inputs: [F([2, 5], { min: -4, max: 4 })], build: (x) => M.gelu(x, 'tanh') },
  { name: 'silu', covers: ['silu'], inputs: [F([2, 5], { min: -5, max: 5 })], build: M.silu },
  { name: 'elu', covers: ['elu'], inputs: [F([2, 5], { min: -3, max: 3, avoid: [0] })], build: (x) => M.elu(x, 1.5) },
  { name: 'softplus', covers: ['softplus'], inputs: [F([2, 5], { min: -5, max: 5 })], build: (x) => M.softplus(x) },
  {
    name: 'softplus/beta-threshold',
    covers: ['softplus'],
    inputs: [F([2, 5], { min: -3, max: 3, avoid: [1] })],
    build: (x) => M.softplus(x, 2, 2),
  },
  { name: 'hardsigmoid', covers: ['hardsigmoid'], inputs: [F([2, 5], { min: -5, max: 5, avoid: [-3, 3] })], build: M.hardsigmoid },
  { name: 'hardswish', covers: ['hardswish'], inputs: [F([2, 5], { min: -5, max: 5, avoid: [-3, 3] })], build: M.hardswish },
  { name: 'mish', covers: ['mish'], inputs: [F([2, 5], { min: -4, max: 4 })], build: M.mish },
  { name: 'dropout/seeded', covers: ['dropout'], inputs: [F([4, 5])], build: (x) => M.dropout(x, 0.3, { seed: 4 }) },
  { name: 'dropout/eval', covers: ['dropout'], inputs: [F([3])], build: (x) => M.dropout(x, 0.3, { training: false }) },
];
