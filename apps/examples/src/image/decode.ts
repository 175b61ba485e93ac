// Decodes a PNG or JPEG file into 8-bit RGBA pixels with maintained pure-JS decoders (pngjs,
// jpeg-js), chosen by the file's magic bytes rather than its name.
import { readFileSync } from 'node:fs';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  /** width * height * 4 bytes, row-major RGBA. */
  readonly data: Uint8Array;
}

/** A file that is not a PNG or JPEG we can read. */
export class ImageDecodeError extends Error {
  override readonly name = 'ImageDecodeError';
}

export function decodeImage(bytes: Uint8Array, source = 'image'): RgbaImage {
  const isPng = bytes.length > 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const isJpeg = bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  try {
    if (isPng) {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
    }
    if (isJpeg) {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
      return { width: img.width, height: img.height, data: img.data };
    }
  } catch (e) {
    throw new ImageDecodeError(`${source}: cannot decode (${(e as Error).message})`);
  }
  throw new ImageDecodeError(`${source} is neither a PNG nor a JPEG file (by its first bytes); convert it to one of those`);
}

export function readImage(path: string): RgbaImage {
  return decodeImage(readFileSync(path), path);
}
