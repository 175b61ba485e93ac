// Fashion-MNIST loading (IDX, gzip or not) from the Debian package folder, and the DataLoader's
// batching and seeded shuffling. Tests that need the real files skip with a message without them.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nn from '@metaop/nn';
import { useTestBackend } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'metaop-data-'));
beforeAll(useTestBackend);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const haveData = nn.hasFashionMnist();
if (!haveData) console.warn(`[nn tests] Fashion-MNIST not found in ${nn.fashionMnistDir()}: skipping the real-file tests (apt-get install dataset-fashion-mnist)`);

describe.skipIf(!haveData)('Fashion-MNIST files', () => {
  it('reads both splits with their sizes, labels and pixel range', () => {
    const train = nn.loadFashionMnist({ split: 'train' });
    const test = nn.loadFashionMnist({ split: 'test' });
    expect([train.length, train.height, train.width]).toEqual([60000, 28, 28]);
    expect(test.length).toBe(10000);
    const counts = new Array(10).fill(0);
    for (const l of train.labels) counts[l]++;
    expect(counts).toEqual(new Array(10).fill(6000));
    expect(train.labels[0]).toBe(9); // the first training image is an ankle boot
    expect(test.labels[0]).toBe(9);
    expect(Math.max(...train.images.subarray(0, 784))).toBe(255);
    const { x, y } = test.withNormalization({ mean: 0.5, std: 0.5 }).batch([0, 1, 2]);
    expect([...x.shape]).toEqual([3, 1, 28, 28]);
    expect(x.dtype).toBe('float32');
    expect(Array.from(y.dataSync())).toEqual(Array.from(test.labels.subarray(0, 3)));
    const px = x.dataSync();
    expect(Math.min(...px)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...px)).toBeLessThanOrEqual(1);
    expect(px[0]).toBeCloseTo(test.images[0] / 127.5 - 1, 6);
  });

  it('accepts uncompressed IDX files in a folder of the user', () => {
    for (const f of ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
      writeFileSync(join(dir, f), gunzipSync(readFileSync(join(nn.fashionMnistDir(), `${f}.gz`))));
    }
    const plain = nn.loadFashionMnist({ split: 'test', dir });
    const gz = nn.loadFashionMnist({ split: 'test' });
    expect(plain.images.length).toBe(gz.images.length);
    expect(Buffer.from(plain.images).equals(Buffer.from(gz.images))).toBe(true);
    expect(Buffer.from(plain.labels).equals(Buffer.from(gz.labels))).toBe(true);
  });
});

describe('dataset errors', () => {
  it('names the four files and how to install them when they are missing', () => {
    const empty = mkdtempSync(join(dir, 'empty-'));
    expect(nn.hasFashionMnist(empty)).toBe(false);
    let message = '';
    try {
      nn.loadFashionMnist({ split: 'train', dir: empty });
    } catch (e) {
      expect(e).toBeInstanceOf(nn.DatasetError);
      message = (e as Error).message;
    }
    for (const f of ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']) {
      expect(message).toContain(f);
    }
    expect(message).toContain('apt-get install dataset-fashion-mnist');
  });

  it('rejects malformed IDX data', () => {
    expect(() => nn.parseIdx(new Uint8Array([1, 0, 8, 1, 0, 0, 0, 1, 5]), 'x')).toThrow(/bad magic/);
    expect(() => nn.parseIdx(new Uint8Array([0, 0, 0x0d, 1, 0, 0, 0, 1, 5]), 'x')).toThrow(/not supported/);
    expect(() => nn.parseIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 3, 5]), 'x')).toThrow(/need 3 bytes/);
    expect(nn.parseIdx(new Uint8Array([0, 0, 8, 2, 0, 0, 0, 1, 0, 0, 0, 2, 5, 6]), 'x')).toEqual({ dims: [1, 2], data: new Uint8Array([5, 6]) });
  });
});

describe('DataLoader', () => {
  const images = new Uint8Array(10 * 4).map((_, i) => i);
  const labels = new Uint8Array(10).map((_, i) => i);
  const ds = new nn.ImageDataset(images, labels, 2, 2);

  it('batches in order with or without the short last batch', () => {
    const loader = new nn.DataLoader(ds, { batchSize: 4 });
    expect(loader.length).toBe(3);
    const sizes = [...loader].map((b) => b.y.shape[0]);
    expect(sizes).toEqual([4, 4, 2]);
    const dropped = new nn.DataLoader(ds, { batchSize: 4, dropLast: true });
    expect(dropped.length).toBe(2);
    const ys = [...dropped].map((b) => Array.from(b.y.dataSync()));
    expect(ys).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
    const first = [...new nn.DataLoader(ds, { batchSize: 3 })][0];
    expect([...first.x.shape]).toEqual([3, 1, 2, 2]);
    expect(Array.from(first.x.dataSync()).slice(0, 4)).toEqual([0, 1, 2, 3].map((v) => Math.fround(v / 255)));
  });

  it('shuffles reproducibly per (seed, epoch), covering every example once per epoch', () => {
    const a = new nn.DataLoader(ds, { batchSize: 3, shuffle: true, seed: 7 });
    const b = new nn.DataLoader(ds, { batchSize: 3, shuffle: true, seed: 7 });
    const c = new nn.DataLoader(ds, { batchSize: 3, shuffle: true, seed: 8 });
    const epoch = (l: nn.DataLoader<nn.ImageBatch>) => [...l].flatMap((batch) => Array.from(batch.y.dataSync()));
    const a0 = epoch(a);
    const a1 = epoch(a);
    expect(a.epoch).toBe(2);
    expect([...a0].sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(a0).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(a1).not.toEqual(a0);
    expect(epoch(b)).toEqual(a0);
    expect(epoch(c)).not.toEqual(a0);
    b.epoch = 1;
    expect(epoch(b)).toEqual(a1); // resuming at an epoch repeats its order
    expect(Array.from(a.order(5))).toEqual(Array.from(b.order(5)));
    expect(() => new nn.DataLoader(ds, { batchSize: 0 })).toThrow(/batchSize/);
  });
});
