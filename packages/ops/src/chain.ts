// Chainable methods on Var (x.add(y).relu()): declared by module augmentation, installed once.
import { Var, type DType, type Shape } from '@metaop/core';
import * as A from './derived/arithmetic.js';
import * as R from './derived/reduction.js';
import * as S from './derived/shape.js';
import * as L from './derived/slicing.js';
import * as I from './derived/indexing.js';
import * as Act from './derived/activation.js';
import * as Mask from './derived/masking.js';
import { matmul } from './derived/linalg.js';
import { cast } from './meta/elementwise.js';
import { broadcast, permute, reshape } from './meta/reindex.js';
import type { VarLike } from './derived/operands.js';
import type { Dims, VarianceOptions } from './derived/reduction.js';
import type { SliceSpec } from './derived/slicing.js';
import type { DropoutOptions } from './derived/activation.js';

declare module '@metaop/core' {
  interface Var {
    add(y: VarLike): Var;
    sub(y: VarLike): Var;
    mul(y: VarLike): Var;
    div(y: VarLike): Var;
    pow(y: VarLike): Var;
    remainder(y: VarLike): Var;
    maximum(y: VarLike): Var;
    minimum(y: VarLike): Var;
    lt(y: VarLike): Var;
    le(y: VarLike): Var;
    gt(y: VarLike): Var;
    ge(y: VarLike): Var;
    eq(y: VarLike): Var;
    ne(y: VarLike): Var;
    logicalAnd(y: VarLike): Var;
    logicalOr(y: VarLike): Var;
    logicalNot(): Var;
    neg(): Var;
    abs(): Var;
    exp(): Var;
    log(): Var;
    sqrt(): Var;
    rsqrt(): Var;
    sin(): Var;
    cos(): Var;
    tanh(): Var;
    sigmoid(): Var;
    erf(): Var;
    floor(): Var;
    ceil(): Var;
    round(): Var;
    square(): Var;
    reciprocal(): Var;
    sign(): Var;
    clamp(min?: VarLike, max?: VarLike): Var;
    sum(dims?: Dims, keepdim?: boolean): Var;
    mean(dims?: Dims, keepdim?: boolean): Var;
    max(dims?: Dims, keepdim?: boolean): Var;
    min(dims?: Dims, keepdim?: boolean): Var;
    prod(dims?: Dims, keepdim?: boolean): Var;
    argmax(dim?: number, keepdim?: boolean): Var;
    argmin(dim?: number, keepdim?: boolean): Var;
    var(dims?: Dims, options?: VarianceOptions): Var;
    std(dims?: Dims, options?: VarianceOptions): Var;
    logsumexp(dims?: Dims, keepdim?: boolean): Var;
    softmax(dim?: number): Var;
    logSoftmax(dim?: number): Var;
    reshape(shape: Shape): Var;
    flatten(startDim?: number, endDim?: number): Var;
    squeeze(dims?: number | readonly number[]): Var;
    unsqueeze(dim: number): Var;
    permute(...perm: number[]): Var;
    transpose(dim0?: number, dim1?: number): Var;
    expand(shape: Shape): Var;
    broadcastTo(shape: Shape): Var;
    detach(): Var;
    cast(dtype: DType): Var;
    at(...specs: SliceSpec[]): Var;
    narrow(dim: number, start: number, length: number): Var;
    flip(dims: number | readonly number[]): Var;
    repeat(...repeats: number[]): Var;
    roll(shift: number, dim: number): Var;
    split(sizes: number | readonly number[], dim?: number): Var[];
    chunk(chunks: number, dim?: number): Var[];
    gather(dim: number, index: Var): Var;
    indexSelect(dim: number, index: Var): Var;
    scatterAdd(dim: number, index: Var, src: Var): Var;
    matmul(y: Var): Var;
    relu(): Var;
    gelu(approximate?: 'none' | 'tanh'): Var;
    silu(): Var;
    leakyRelu(negativeSlope?: number): Var;
    elu(alpha?: number): Var;
    softplus(beta?: number, threshold?: number): Var;
    dropout(p?: number, options?: DropoutOptions): Var;
    tril(diagonal?: number): Var;
    triu(diagonal?: number): Var;
    maskedFill(mask: Var, value: number | boolean): Var;
  }
}

type Method = (this: Var, ...args: never[]) => unknown;

const methods: Record<string, Method> = {
  add(y: VarLike) { return A.add(this, y); },
  sub(y: VarLike) { return A.sub(this, y); },
  mul(y: VarLike) { return A.mul(this, y); },
  div(y: VarLike) { return A.div(this, y); },
  pow(y: VarLike) { return A.pow(this, y); },
  remainder(y: VarLike) { return A.remainder(this, y); },
  maximum(y: VarLike) { return A.maximum(this, y); },
  minimum(y: VarLike) { return A.minimum(this, y); },
  lt(y: VarLike) { return A.lt(this, y); },
  le(y: VarLike) { return A.le(this, y); },
  gt(y: VarLike) { return A.gt(this, y); },
  ge(y: VarLike) { return A.ge(this, y); },
  eq(y: VarLike) { return A.eq(this, y); },
  ne(y: VarLike) { return A.ne(this, y); },
  logicalAnd(y: VarLike) { return A.logicalAnd(this, y); },
  logicalOr(y: VarLike) { return A.logicalOr(this, y); },
  logicalNot() { return A.logicalNot(this); },
  neg() { return A.neg(this); },
  abs() { return A.abs(this); },
  exp() { return A.exp(this); },
  log() { return A.log(this); },
  sqrt() { return A.sqrt(this); },
  rsqrt() { return A.rsqrt(this); },
  sin() { return A.sin(this); },
  cos() { return A.cos(this); },
  tanh() { return A.tanh(this); },
  sigmoid() { return A.sigmoid(this); },
  erf() { return A.erf(this); },
  floor() { return A.floor(this); },
  ceil() { return A.ceil(this); },
  round() { return A.round(this); },
  square() { return A.square(this); },
  reciprocal() { return A.reciprocal(this); },
  sign() { return A.sign(this); },
  clamp(min?: VarLike, max?: VarLike) { return A.clamp(this, min, max); },
  sum(dims?: Dims, keepdim?: boolean) { return R.sum(this, dims, keepdim); },
  mean(dims?: Dims, keepdim?: boolean) { return R.mean(this, dims, keepdim); },
  max(dims?: Dims, keepdim?: boolean) { return R.max(this, dims, keepdim); },
  min(dims?: Dims, keepdim?: boolean) { return R.min(this, dims, keepdim); },
  prod(dims?: Dims, keepdim?: boolean) { return R.prod(this, dims, keepdim); },
  argmax(dim?: number, keepdim?: boolean) { return R.argmax(this, dim, keepdim); },
  argmin(dim?: number, keepdim?: boolean) { return R.argmin(this, dim, keepdim); },
  var(dims?: Dims, options?: VarianceOptions) { return R.variance(this, dims, options); },
  std(dims?: Dims, options?: VarianceOptions) { return R.std(this, dims, options); },
  logsumexp(dims?: Dims, keepdim?: boolean) { return R.logsumexp(this, dims, keepdim); },
  softmax(dim?: number) { return R.softmax(this, dim); },
  logSoftmax(dim?: number) { return R.logSoftmax(this, dim); },
  reshape(shape: Shape) { return reshape(this, shape); },
  flatten(startDim?: number, endDim?: number) { return S.flatten(this, startDim, endDim); },
  squeeze(dims?: number | readonly number[]) { return S.squeeze(this, dims); },
  unsqueeze(dim: number) { return S.unsqueeze(this, dim); },
  permute(...perm: number[]) { return permute(this, perm); },
  transpose(dim0?: number, dim1?: number) { return S.transpose(this, dim0, dim1); },
  expand(shape: Shape) { return S.expand(this, shape); },
  broadcastTo(shape: Shape) { return broadcast(this, shape); },
  detach() { return S.detach(this); },
  cast(dtype: DType) { return cast(this, dtype); },
  at(...specs: SliceSpec[]) { return L.at(this, ...specs); },
  narrow(dim: number, start: number, length: number) { return L.narrow(this, dim, start, length); },
  flip(dims: number | readonly number[]) { return L.flip(this, dims); },
  repeat(...repeats: number[]) { return L.repeat(this, repeats); },
  roll(shift: number, dim: number) { return L.roll(this, shift, dim); },
  split(sizes: number | readonly number[], dim?: number) { return L.split(this, sizes, dim); },
  chunk(chunks: number, dim?: number) { return L.chunk(this, chunks, dim); },
  gather(dim: number, index: Var) { return I.gather(this, dim, index); },
  indexSelect(dim: number, index: Var) { return I.indexSelect(this, dim, index); },
  scatterAdd(dim: number, index: Var, src: Var) { return I.scatterAdd(this, dim, index, src); },
  matmul(y: Var) { return matmul(this, y); },
  relu() { return Act.relu(this); },
  gelu(approximate?: 'none' | 'tanh') { return Act.gelu(this, approximate); },
  silu() { return Act.silu(this); },
  leakyRelu(negativeSlope?: number) { return Act.leakyRelu(this, negativeSlope); },
  elu(alpha?: number) { return Act.elu(this, alpha); },
  softplus(beta?: number, threshold?: number) { return Act.softplus(this, beta, threshold); },
  dropout(p?: number, options?: DropoutOptions) { return Act.dropout(this, p, options); },
  tril(diagonal?: number) { return Mask.tril(this, diagonal); },
  triu(diagonal?: number) { return Mask.triu(this, diagonal); },
  maskedFill(mask: Var, value: number | boolean) { return Mask.maskedFill(this, mask, value); },
};

for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Var.prototype, name, { value: fn, writable: true, configurable: true, enumerable: false });
}
