// torch.nn.functional.interpolate for 'nearest' ([N, C, ...] with 1-3 spatial dims) and
// 'bilinear' ([N, C, H, W]). Source coordinates are exact rational index expressions of the
// output position (floor((a·dst + b) / c)), so every read is a reindex and the whole resize is one
// fused kernel; the bilinear weights depend on the shape only and are computed on the host.
import { checkOptions, type OptionKeys, ArgumentError, DTypeError, expectVar, formatShape, isFloat, ShapeError, type Var } from '@metaop/core';
import { reindex } from '../meta/reindex.js';
import { tensor } from '../creation.js';
import { add, mul } from './arithmetic.js';
import { reshape } from '../meta/reindex.js';

export interface InterpolateOptions {
  /** Output spatial size (a number for every spatial dim, or one per dim). */
  size?: number | readonly number[];
  /** Multiplier of the spatial size (output = floor(input · factor)); used for the coordinates as torch does. */
  scaleFactor?: number | readonly number[];
  mode?: 'nearest' | 'bilinear';
  /** bilinear only: map the corner pixels' centres onto each other (torch's align_corners). */
  alignCorners?: boolean;
}
const interpolateKeys: OptionKeys<InterpolateOptions> = { size: true, scaleFactor: true, mode: true, alignCorners: true };

const op = 'interpolate';

/** The output→input scale as a fraction num/den: in/out for a size, 1/factor for a scale factor. */
interface Scale {
  readonly num: number;
  readonly den: number;
}

/** factor as p/q with q <= 1000 (torch uses 1/factor for the coordinates); others are refused. */
function fractionOf(factor: number): { p: number; q: number } {
  for (let q = 1; q <= 1000; q++) {
    const p = Math.round(factor * q);
    if (p > 0 && Math.abs(p / q - factor) < 1e-9 * Math.max(1, factor)) return { p, q };
  }
  throw new ArgumentError(`scaleFactor ${factor} is not a fraction with a denominator up to 1000; give the output size instead`, op);
}

const signed = (b: number): string => (b >= 0 ? `+${b}` : `-${-b}`);

/** Source coordinate of output position `axis` as (a·dst + b) / c, with c > 0. */
function linearSource(inSize: number, outSize: number, scale: Scale, alignCorners: boolean): { a: number; b: number; c: number } {
  if (alignCorners) return outSize > 1 ? { a: inSize - 1, b: 0, c: outSize - 1 } : { a: 0, b: 0, c: 1 };
  // (dst + 0.5)·num/den - 0.5 = ((2·dst + 1)·num - den) / (2·den)
  return { a: 2 * scale.num, b: scale.num - scale.den, c: 2 * scale.den };
}

/** torch.nn.functional.interpolate with mode 'nearest' (default) or 'bilinear'. */
export function interpolate(x: Var, options: InterpolateOptions): Var {
  checkOptions(options, interpolateKeys, op);
  expectVar(x, op);
  const { size, scaleFactor, mode = 'nearest', alignCorners } = options ?? {};
  if (mode !== 'nearest' && mode !== 'bilinear') throw new ArgumentError(`unknown mode '${String(mode)}'; use 'nearest' or 'bilinear'`, op);
  const spatial = x.ndim - 2;
  if (mode === 'bilinear' && x.ndim !== 4) throw new ShapeError(`'bilinear' needs input [N, C, H, W], got ${formatShape(x.shape)}`, op);
  if (spatial < 1 || spatial > 3) throw new ShapeError(`input ${formatShape(x.shape)} must be [N, C, ...] with 1 to 3 spatial dims`, op);
  if (mode === 'nearest' && alignCorners !== undefined) {
    throw new ArgumentError("alignCorners only applies to 'bilinear' (torch raises for 'nearest' too)", op);
  }
  if ((size === undefined) === (scaleFactor === undefined)) throw new ArgumentError('give exactly one of size and scaleFactor', op);
  if (mode === 'bilinear' && !isFloat(x.dtype)) throw new DTypeError(`'bilinear' needs a float input, got ${x.describe()}`, op);
  const perDim = (v: number | readonly number[], name: string): number[] => {
    const list = typeof v === 'number' ? Array.from({ length: spatial }, () => v) : [...v];
    if (list.length !== spatial) throw new ArgumentError(`${name} needs ${spatial} values for input ${formatShape(x.shape)}, got ${list.length}`, op);
    return list;
  };
  const inSizes = x.shape.slice(2);
  let outSizes: number[];
  let scales: Scale[];
  if (size !== undefined) {
    outSizes = perDim(size, 'size');
    if (outSizes.some((s) => !Number.isInteger(s) || s < 1)) throw new ArgumentError(`size ${formatShape(outSizes)} must hold positive integers`, op);
    scales = outSizes.map((o, k) => ({ num: inSizes[k], den: o }));
  } else {
    const factors = perDim(scaleFactor as number | readonly number[], 'scaleFactor');
    if (factors.some((f) => !(f > 0) || !Number.isFinite(f))) throw new ArgumentError(`scaleFactor ${factors.join(', ')} must be positive`, op);
    const fractions = factors.map(fractionOf);
    outSizes = inSizes.map((s, k) => Math.floor((s * fractions[k].p) / fractions[k].q));
    if (outSizes.some((s) => s < 1)) throw new ShapeError(`scaleFactor ${factors.join(', ')} gives an empty output for input ${formatShape(x.shape)}`, op);
    scales = fractions.map(({ p, q }) => ({ num: q, den: p }));
  }
  const outShape = [x.shape[0], x.shape[1], ...outSizes];
  const lead = ['i0', 'i1'];
  if (mode === 'nearest') {
    // torch: src = min(floor(dst · scale), in - 1)
    const idx = inSizes.map((s, k) => `min((i${k + 2}*${scales[k].num})/${scales[k].den},${s - 1})`);
    return reindex(x, outShape, [...lead, ...idx]);
  }
  // bilinear: per spatial dim, the lower source index, the upper one and the upper's weight.
  const corners = inSizes.map((s, k) => {
    const { a, b, c } = linearSource(s, outSizes[k], scales[k], alignCorners === true);
    const ax = `i${k + 2}`;
    const lo = `max((${a}*${ax}${signed(b)})/${c},0)`;
    const hi = `min(${lo}+1,${s - 1})`;
    const w = Array.from({ length: outSizes[k] }, (_, d) => {
      const src = Math.max((a * d + b) / c, 0);
      return src - Math.max(Math.floor((a * d + b) / c), 0);
    });
    return { lo, hi, w };
  });
  const [h, wd] = corners;
  // Both weights of each pair come from the host: a computed 1 - w would be a (tiny) kernel of its own.
  const weights = (w: number[], view: number[]) => [reshape(tensor(w.map((t) => 1 - t), [w.length], x.dtype), view), reshape(tensor(w, [w.length], x.dtype), view)];
  const [hLo, hHi] = weights(h.w, [outSizes[0], 1]);
  const [wLo, wHi] = weights(wd.w, [outSizes[1]]);
  const read = (r: string, c: string) => reindex(x, outShape, [...lead, r, c]);
  const top = add(mul(read(h.lo, wd.lo), wLo), mul(read(h.lo, wd.hi), wHi));
  const bottom = add(mul(read(h.hi, wd.lo), wLo), mul(read(h.hi, wd.hi), wHi));
  return add(mul(top, hLo), mul(bottom, hHi));
}
