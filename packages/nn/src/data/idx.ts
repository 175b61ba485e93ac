// The IDX format of the MNIST family: a 4-byte magic (0, 0, element type, rank), big-endian u32
// dims, then the elements. Files may be gzip-compressed.
import { MetaOpError } from '@metaop/core';
import { nodeModule } from '../io/node.js';

/** A missing or malformed dataset file. */
export class DatasetError extends MetaOpError {}

export interface IdxArray {
  readonly dims: readonly number[];
  /** Unsigned bytes (the only element type the MNIST-family files use). */
  readonly data: Uint8Array;
}

/** Parses IDX bytes (already decompressed) holding unsigned bytes. */
export function parseIdx(bytes: Uint8Array, source: string): IdxArray {
  const fail = (why: string): never => {
    throw new DatasetError(`${source}: ${why}`, 'parseIdx');
  };
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) fail('not an IDX file (bad magic number)');
  if (bytes[2] !== 0x08) fail(`element type 0x${bytes[2].toString(16)} is not supported (only unsigned bytes, 0x08)`);
  const rank = bytes[3];
  if (rank < 1 || bytes.length < 4 + 4 * rank) fail('the header is truncated');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * rank;
  if (bytes.length - start !== count) fail(`dims [${dims.join(', ')}] need ${count} bytes of data but the file has ${bytes.length - start}`);
  return { dims, data: bytes.subarray(start) };
}

/** Reads an IDX file, gunzipping it when it starts with the gzip magic. */
export function readIdxFile(path: string): IdxArray {
  const fs = nodeModule('node:fs', 'readIdxFile');
  let bytes: Uint8Array = fs.readFileSync(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = nodeModule('node:zlib', 'readIdxFile').gunzipSync(bytes);
    } catch (e) {
      throw new DatasetError(`${path}: gzip data is corrupt (${(e as Error).message})`, 'readIdxFile');
    }
  }
  return parseIdx(bytes, path);
}
