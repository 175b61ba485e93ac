// An in-memory dataset of 8-bit single-channel images with integer labels, batched into
// normalised float32 [B, 1, H, W] inputs and int32 [B] targets.
import { ArgumentError, type Var } from '@metaop/core';
import { tensor } from '@metaop/ops';
import type { BatchSource } from './data-loader.js';

export interface Normalization {
  /** Subtracted after scaling pixels to [0, 1]. */
  mean: number;
  /** Divides after the mean is subtracted. */
  std: number;
}

export interface ImageBatch {
  /** float32 [B, 1, H, W]: (pixel / 255 - mean) / std. */
  x: Var;
  /** int32 [B] class ids. */
  y: Var;
}

export class ImageDataset implements BatchSource<ImageBatch> {
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  readonly height: number;
  readonly width: number;
  readonly normalization: Normalization;

  constructor(images: Uint8Array, labels: Uint8Array, height: number, width: number, normalization: Normalization = { mean: 0, std: 1 }) {
    if (images.length !== labels.length * height * width) {
      throw new ArgumentError(`${images.length} pixels do not make ${labels.length} images of ${height}x${width}`, 'ImageDataset');
    }
    if (!(normalization.std > 0)) throw new ArgumentError(`std must be positive, got ${normalization.std}`, 'ImageDataset');
    this.images = images;
    this.labels = labels;
    this.height = height;
    this.width = width;
    this.normalization = normalization;
  }

  get length(): number {
    return this.labels.length;
  }

  /** Examples [start, end) as a dataset sharing this one's memory. */
  slice(start: number, end = this.length): ImageDataset {
    const px = this.height * this.width;
    const s = Math.max(0, Math.min(start, this.length));
    const e = Math.max(s, Math.min(end, this.length));
    return new ImageDataset(this.images.subarray(s * px, e * px), this.labels.subarray(s, e), this.height, this.width, this.normalization);
  }

  /** The same images with another normalisation. */
  withNormalization(normalization: Normalization): ImageDataset {
    return new ImageDataset(this.images, this.labels, this.height, this.width, normalization);
  }

  /** The examples at `indices` as realized Vars. */
  batch(indices: ArrayLike<number>): ImageBatch {
    const px = this.height * this.width;
    const n = indices.length;
    const x = new Float32Array(n * px);
    const y = new Int32Array(n);
    const scale = 1 / (255 * this.normalization.std);
    const shift = this.normalization.mean / this.normalization.std;
    for (let b = 0; b < n; b++) {
      const i = indices[b];
      if (!Number.isInteger(i) || i < 0 || i >= this.length) throw new ArgumentError(`index ${i} is out of range for ${this.length} examples`, 'ImageDataset.batch');
      const src = this.images.subarray(i * px, (i + 1) * px);
      for (let k = 0; k < px; k++) x[b * px + k] = src[k] * scale - shift;
      y[b] = this.labels[i];
    }
    return { x: tensor(x, [n, 1, this.height, this.width]), y: tensor(y, [n], 'int32') };
  }
}
