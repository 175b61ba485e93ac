// torchvision's ImageNet preprocessing: resize so the shorter side is `resize` (bilinear with
// antialiasing, as PIL does), center-crop `crop` x `crop`, scale to [0, 1] and normalise each
// channel with ImageNet's mean and std, giving a float32 [3, crop, crop] planar array.
import type { RgbaImage } from './decode.js';

export const imagenetMean = [0.485, 0.456, 0.406] as const;
export const imagenetStd = [0.229, 0.224, 0.225] as const;

/** Weights of an antialiased bilinear (triangle filter) resampling from `inSize` to `outSize` samples. */
function resampleWeights(inSize: number, outSize: number): { start: Int32Array; count: Int32Array; weights: Float64Array; taps: number } {
  const scale = inSize / outSize;
  const support = Math.max(scale, 1); // widen the filter when shrinking, so every input pixel counts
  const taps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * taps);
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    const lo = Math.max(0, Math.floor(center - support + 0.5));
    const hi = Math.min(inSize, Math.floor(center + support + 0.5));
    let total = 0;
    for (let j = lo; j < hi; j++) {
      const w = Math.max(0, 1 - Math.abs((j + 0.5 - center) / support));
      weights[i * taps + (j - lo)] = w;
      total += w;
    }
    for (let j = 0; j < hi - lo; j++) weights[i * taps + j] /= total || 1;
    start[i] = lo;
    count[i] = hi - lo;
  }
  return { start, count, weights, taps };
}

/** Resizes planar float channels [c][h][w] to [c][outH][outW]: horizontal pass, then vertical. */
export function resizeBilinear(planes: Float32Array, channels: number, h: number, w: number, outH: number, outW: number): Float32Array {
  const hx = resampleWeights(w, outW);
  const tmp = new Float32Array(channels * h * outW);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < h; y++) {
      const row = (c * h + y) * w;
      for (let x = 0; x < outW; x++) {
        let acc = 0;
        for (let t = 0; t < hx.count[x]; t++) acc += planes[row + hx.start[x] + t] * hx.weights[x * hx.taps + t];
        tmp[(c * h + y) * outW + x] = acc;
      }
    }
  }
  const vy = resampleWeights(h, outH);
  const out = new Float32Array(channels * outH * outW);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < outH; y++) {
      for (let x = 0; x < outW; x++) {
        let acc = 0;
        for (let t = 0; t < vy.count[y]; t++) acc += tmp[(c * h + vy.start[y] + t) * outW + x] * vy.weights[y * vy.taps + t];
        out[(c * outH + y) * outW + x] = acc;
      }
    }
  }
  return out;
}

/** Python's round(): 58.5 -> 58, 59.5 -> 60. */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  if (v - f !== 0.5) return Math.round(v);
  return f % 2 === 0 ? f : f + 1;
}

export interface PreprocessOptions {
  /** Target of the shorter side (torchvision: 256 for 224 crops). */
  resize: number;
  crop: number;
}

/** The image as a normalised float32 [3, crop, crop] array, ready to be a batch of one. */
export function preprocessImagenet(img: RgbaImage, options: PreprocessOptions): Float32Array {
  const { width: w, height: h } = img;
  // RGB planes in [0, 1]; transparent pixels are composited over white.
  const planes = new Float32Array(3 * h * w);
  for (let i = 0; i < h * w; i++) {
    const a = img.data[i * 4 + 3] / 255;
    for (let c = 0; c < 3; c++) planes[c * h * w + i] = (img.data[i * 4 + c] / 255) * a + (1 - a);
  }
  // torchvision.transforms.Resize(int): the shorter side becomes `resize`, the longer one scales (truncated).
  const [outH, outW] = h <= w ? [options.resize, Math.floor((options.resize * w) / h)] : [Math.floor((options.resize * h) / w), options.resize];
  const resized = resizeBilinear(planes, 3, h, w, outH, outW);
  const crop = options.crop;
  if (crop > outH || crop > outW) throw new RangeError(`crop ${crop} is larger than the resized image ${outW}x${outH}`);
  // torchvision rounds the crop offset with Python's round(): halves go to the even neighbour.
  const top = roundHalfEven((outH - crop) / 2);
  const left = roundHalfEven((outW - crop) / 2);
  const out = new Float32Array(3 * crop * crop);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < crop; y++) {
      for (let x = 0; x < crop; x++) {
        out[(c * crop + y) * crop + x] = (resized[(c * outH + top + y) * outW + left + x] - imagenetMean[c]) / imagenetStd[c];
      }
    }
  }
  return out;
}
