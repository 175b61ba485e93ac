// Convolutions written as reindex × broadcast → reduce(add), the Jittor way: the input is read
// through a virtual 7-D (8-D with groups) tensor that the compiler never allocates.
import { checkOptions, type OptionKeys, ArgumentError, DTypeError, expectVar, formatShape, isFloat, ShapeError, type Var } from '@metaop/core';
import { binary } from '../meta/elementwise.js';
import { broadcast, permute, reindex, reshape } from '../meta/reindex.js';
import { reduce } from '../meta/reduce.js';
import { add } from './arithmetic.js';
import { squeeze, unsqueeze } from './shape.js';

export type Pair = number | readonly [number, number];

export interface Conv2dOptions {
  stride?: Pair;
  /** Zero padding per side, or 'same' (stride 1 only) / 'valid'. */
  padding?: Pair | 'same' | 'valid';
  dilation?: Pair;
  groups?: number;
  bias?: Var;
}
const conv2dKeys: OptionKeys<Conv2dOptions> = { stride: true, padding: true, dilation: true, groups: true, bias: true };

export function pair(v: Pair, name: string, op: string, min = 1): [number, number] {
  const p: number[] = typeof v === 'number' ? [v, v] : Array.isArray(v) ? [...(v as readonly number[])] : [];
  if (p.length !== 2 || p.some((x) => !Number.isSafeInteger(x) || x < min)) {
    throw new ArgumentError(`${name} ${JSON.stringify(v)} must be ${min === 0 ? 'non-negative' : 'positive'} integers`, op);
  }
  return [p[0], p[1]];
}

function checkConvInputs(x: Var, w: Var, op: string): void {
  expectVar(x, op);
  expectVar(w, op, 'weight');
  if (x.ndim !== 4) throw new ShapeError(`input must be [N, C, H, W], got ${formatShape(x.shape)}`, op);
  if (w.ndim !== 4) throw new ShapeError(`weight must be 4-D, got ${formatShape(w.shape)}`, op);
  if (!isFloat(x.dtype) || x.dtype !== w.dtype) {
    throw new DTypeError(`input ${x.describe()} and weight ${w.describe()} must share a float dtype`, op);
  }
}

function addBias(out: Var, bias: Var | undefined, channels: number, op: string): Var {
  if (!bias) return out;
  expectVar(bias, op, 'bias');
  if (bias.ndim !== 1 || bias.shape[0] !== channels) {
    throw new ShapeError(`bias ${formatShape(bias.shape)} must be [${channels}]`, op);
  }
  return add(out, reshape(bias, [1, channels, 1, 1]));
}

/** 2-D convolution of x [N, C, H, W] with weight [O, C/groups, KH, KW]. */
export function conv2d(x: Var, w: Var, options: Conv2dOptions = {}): Var {
  const op = 'conv2d';
  checkOptions(options, conv2dKeys, op);
  checkConvInputs(x, w, op);
  const [N, C, H, W] = x.shape;
  const [O, Cg, KH, KW] = w.shape;
  if (O === 0 || KH === 0 || KW === 0) throw new ShapeError(`weight ${formatShape(w.shape)} needs at least one output channel and a non-empty kernel`, op);
  const G = options.groups ?? 1;
  if (!Number.isInteger(G) || G < 1 || C % G !== 0 || O % G !== 0) {
    throw new ShapeError(`groups ${G} must divide input channels ${C} and output channels ${O}`, op);
  }
  if (Cg !== C / G) {
    throw new ShapeError(
      `weight ${formatShape(w.shape)} expects ${Cg * G} input channels but the input ${formatShape(x.shape)} has ${C} (groups ${G})`,
      op,
    );
  }
  const [sh, sw] = pair(options.stride ?? 1, 'stride', op);
  const [dh, dw] = pair(options.dilation ?? 1, 'dilation', op);
  let padTop: number;
  let padLeft: number;
  let OH: number;
  let OW: number;
  const padding = options.padding ?? 0;
  if (padding === 'same') {
    if (sh !== 1 || sw !== 1) throw new ArgumentError("padding 'same' needs stride 1", op);
    padTop = Math.floor((dh * (KH - 1)) / 2);
    padLeft = Math.floor((dw * (KW - 1)) / 2);
    [OH, OW] = [H, W];
  } else {
    const [ph, pw] = padding === 'valid' ? [0, 0] : pair(padding, 'padding', op, 0);
    [padTop, padLeft] = [ph, pw];
    OH = Math.floor((H + 2 * ph - dh * (KH - 1) - 1) / sh) + 1;
    OW = Math.floor((W + 2 * pw - dw * (KW - 1) - 1) / sw) + 1;
  }
  if (OH <= 0 || OW <= 0) {
    throw new ShapeError(`kernel ${KH}x${KW} (dilation ${dh}x${dw}) is larger than the padded input ${formatShape(x.shape)}`, op);
  }
  const row = (o: string, k: string) => `${o}*${sh}-${padTop}+${k}*${dh}`;
  const col = (o: string, k: string) => `${o}*${sw}-${padLeft}+${k}*${dw}`;
  let out: Var;
  if (G === 1) {
    // [N, O, C, OH, OW, KH, KW]
    const shape = [N, O, C, OH, OW, KH, KW];
    const xs = reindex(x, shape, ['i0', 'i2', row('i3', 'i5'), col('i4', 'i6')]);
    const ws = broadcast(reshape(w, [1, O, C, 1, 1, KH, KW]), shape);
    out = reduce(binary(xs, ws, 'mul'), 'add', [2, 5, 6]);
  } else {
    // [N, G, O/G, C/G, OH, OW, KH, KW]
    const shape = [N, G, O / G, Cg, OH, OW, KH, KW];
    const xs = reindex(x, shape, ['i0', `i1*${Cg}+i3`, row('i4', 'i6'), col('i5', 'i7')]);
    const ws = broadcast(reshape(w, [1, G, O / G, Cg, 1, 1, KH, KW]), shape);
    out = reshape(reduce(binary(xs, ws, 'mul'), 'add', [3, 6, 7]), [N, O, OH, OW]);
  }
  return addBias(out, options.bias, O, op);
}

export interface Conv1dOptions {
  stride?: number;
  padding?: number | 'same' | 'valid';
  dilation?: number;
  groups?: number;
  bias?: Var;
}
const conv1dKeys: OptionKeys<Conv1dOptions> = conv2dKeys;

/** 1-D convolution of x [N, C, L] with weight [O, C/groups, K]: conv2d over a height of 1. */
export function conv1d(x: Var, w: Var, options: Conv1dOptions = {}): Var {
  checkOptions(options, conv1dKeys, 'conv1d');
  expectVar(x, 'conv1d');
  expectVar(w, 'conv1d', 'weight');
  if (x.ndim !== 3) throw new ShapeError(`input must be [N, C, L], got ${formatShape(x.shape)}`, 'conv1d');
  if (w.ndim !== 3) throw new ShapeError(`weight must be [O, C/groups, K], got ${formatShape(w.shape)}`, 'conv1d');
  const padding = options.padding ?? 0;
  const out = conv2d(unsqueeze(x, 2), unsqueeze(w, 2), {
    stride: [1, options.stride ?? 1],
    padding: typeof padding === 'number' ? [0, padding] : padding,
    dilation: [1, options.dilation ?? 1],
    groups: options.groups,
    bias: options.bias,
  });
  return squeeze(out, 2);
}

export interface ConvTranspose2dOptions {
  stride?: Pair;
  padding?: Pair;
  outputPadding?: Pair;
  dilation?: Pair;
  groups?: number;
  bias?: Var;
}
const convTranspose2dKeys: OptionKeys<ConvTranspose2dOptions> = { ...conv2dKeys, outputPadding: true };

/**
 * Transposed convolution of x [N, Cin, H, W] with weight [Cin, Cout/groups, KH, KW], written in
 * gather form: input row = (out_row + pad - k*dilation) / stride where that division is exact.
 */
export function convTranspose2d(x: Var, w: Var, options: ConvTranspose2dOptions = {}): Var {
  const op = 'convTranspose2d';
  checkOptions(options, convTranspose2dKeys, op);
  checkConvInputs(x, w, op);
  const [N, C, H, W] = x.shape;
  const [Cw, Og, KH, KW] = w.shape;
  const G = options.groups ?? 1;
  if (Cw !== C) throw new ShapeError(`weight ${formatShape(w.shape)} expects ${Cw} input channels, the input has ${C}`, op);
  if (!Number.isInteger(G) || G < 1 || C % G !== 0) throw new ShapeError(`groups ${G} must divide the input channels ${C}`, op);
  const [sh, sw] = pair(options.stride ?? 1, 'stride', op);
  const [ph, pw] = pair(options.padding ?? 0, 'padding', op, 0);
  const [oph, opw] = pair(options.outputPadding ?? 0, 'outputPadding', op, 0);
  const [dh, dw] = pair(options.dilation ?? 1, 'dilation', op);
  if (oph >= Math.max(sh, dh) || opw >= Math.max(sw, dw)) {
    throw new ArgumentError(`outputPadding ${oph}x${opw} must be smaller than stride or dilation`, op);
  }
  const OH = (H - 1) * sh - 2 * ph + dh * (KH - 1) + oph + 1;
  const OW = (W - 1) * sw - 2 * pw + dw * (KW - 1) + opw + 1;
  if (OH <= 0 || OW <= 0) throw new ShapeError(`the output would be empty (${OH}x${OW})`, op);
  const Cg = C / G;
  const O = Og * G;
  const shape = [N, G, Og, Cg, OH, OW, KH, KW];
  const num = (o: string, p: number, k: string, d: number) => `(${o}+${p}-${k}*${d})`;
  const rowNum = num('i4', ph, 'i6', dh);
  const colNum = num('i5', pw, 'i7', dw);
  const conds: string[] = [];
  if (sh > 1) conds.push(`${rowNum}%${sh}!=0`);
  if (sw > 1) conds.push(`${colNum}%${sw}!=0`);
  const xs = reindex(x, shape, ['i0', `i1*${Cg}+i3`, `${rowNum}/${sh}`, `${colNum}/${sw}`], 0, conds);
  const wg = permute(reshape(w, [G, Cg, Og, KH, KW]), [0, 2, 1, 3, 4]);
  const ws = broadcast(reshape(wg, [1, G, Og, Cg, 1, 1, KH, KW]), shape);
  const out = reshape(reduce(binary(xs, ws, 'mul'), 'add', [3, 6, 7]), [N, O, OH, OW]);
  return addBias(out, options.bias, O, op);
}
