// Runtime helpers that generated JavaScript kernels call through `h`: the same scalar semantics
// as the oracle (they are the oracle's own functions where possible).
import { floorMod } from '@metaop/core';
import { erfScalar, philoxNormal, philoxUniform, roundHalfEven } from '@metaop/ops';

export interface KernelHelpers {
  readonly erf: (x: number) => number;
  readonly round: (x: number) => number;
  readonly fmod: (a: number, b: number) => number;
  readonly idiv: (a: number, b: number) => number;
  readonly imod: (a: number, b: number) => number;
  readonly toInt32: (x: number) => number;
  readonly max: (a: number, b: number) => number;
  readonly min: (a: number, b: number) => number;
  readonly uniform: (counter: number, seed: number) => number;
  readonly normal: (counter: number, seed: number) => number;
}

export const kernelHelpers: KernelHelpers = {
  erf: erfScalar,
  round: roundHalfEven,
  fmod: floorMod,
  idiv: (a, b) => (b === 0 ? 0 : Math.floor(a / b)),
  imod: (a, b) => (b === 0 ? 0 : floorMod(a, b)),
  toInt32: (x) => Math.trunc(x) | 0,
  max: (a, b) => (a > b || a !== a ? a : b),
  min: (a, b) => (a < b || a !== a ? a : b),
  uniform: philoxUniform,
  normal: philoxNormal,
};
