// Fashion-MNIST from its four IDX files (gzip-compressed or not): Debian's package folder
// /usr/share/datasets/fashion-mnist by default, or a folder of the user's.
import { checkOptions, type OptionKeys } from '@metaop/core';
import { DatasetError, readIdxFile } from './idx.js';
import { ImageDataset, type Normalization } from './image-dataset.js';
import { nodeModule } from '../io/node.js';

/** Where Debian's dataset-fashion-mnist package installs the files. */
export const fashionMnistDefaultDir = '/usr/share/datasets/fashion-mnist';

export const fashionMnistClasses = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

const files = {
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
} as const;

export interface FashionMnistOptions {
  /** 'train' (60000 images) or 'test' (10000). */
  split: 'train' | 'test';
  /** Folder with the IDX files; defaults to METAOP_FASHION_MNIST_DIR, then Debian's folder. */
  dir?: string;
  normalization?: Normalization;
}
const fashionMnistKeys: OptionKeys<FashionMnistOptions> = { split: true, dir: true, normalization: true };

function findFile(dir: string, base: string): string | undefined {
  const fs = nodeModule('node:fs', 'loadFashionMnist');
  const { join } = nodeModule('node:path', 'loadFashionMnist');
  for (const name of [`${base}.gz`, base]) {
    const p = join(dir, name);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

/** The folder loadFashionMnist reads by default. */
export function fashionMnistDir(): string {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.METAOP_FASHION_MNIST_DIR;
  return env && env !== '' ? env : fashionMnistDefaultDir;
}

/** True when all four files are present in `dir`. */
export function hasFashionMnist(dir = fashionMnistDir()): boolean {
  return [...files.train, ...files.test].every((f) => findFile(dir, f) !== undefined);
}

/** Loads one split of Fashion-MNIST as 28x28 images with labels 0-9 (see fashionMnistClasses). */
export function loadFashionMnist(options: FashionMnistOptions): ImageDataset {
  checkOptions(options, fashionMnistKeys, 'loadFashionMnist');
  const dir = options.dir ?? fashionMnistDir();
  const [imagesBase, labelsBase] = files[options.split];
  const imagesPath = findFile(dir, imagesBase);
  const labelsPath = findFile(dir, labelsBase);
  if (!imagesPath || !labelsPath) {
    const all = [...files.train, ...files.test].map((f) => `${f}.gz`).join(', ');
    throw new DatasetError(
      `Fashion-MNIST files not found in ${dir}: expected ${all} (gzip-compressed or not). ` +
        'On Debian or Ubuntu run `apt-get install dataset-fashion-mnist` (installs them in /usr/share/datasets/fashion-mnist), ' +
        'or download them from https://github.com/zalandoresearch/fashion-mnist and pass {dir} or set METAOP_FASHION_MNIST_DIR',
      'loadFashionMnist',
    );
  }
  const images = readIdxFile(imagesPath);
  const labels = readIdxFile(labelsPath);
  if (images.dims.length !== 3 || labels.dims.length !== 1 || images.dims[0] !== labels.dims[0]) {
    throw new DatasetError(`${imagesPath} [${images.dims.join(', ')}] and ${labelsPath} [${labels.dims.join(', ')}] do not pair up as N images and N labels`, 'loadFashionMnist');
  }
  for (const l of labels.data) {
    if (l > 9) throw new DatasetError(`${labelsPath} holds label ${l}; Fashion-MNIST labels are 0-9`, 'loadFashionMnist');
  }
  return new ImageDataset(images.data, labels.data, images.dims[1], images.dims[2], options.normalization);
}
