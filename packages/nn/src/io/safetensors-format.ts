// The safetensors format without I/O: dtypes, header validation and the byte conversions.
// Layout: u64 little-endian header length N, N bytes of JSON header (padded with spaces to a
// multiple of 8), then the tensor data; each header entry gives dtype, shape and [begin, end)
// byte offsets into the data section, which must tile it exactly.
import { MetaOpError, numel, type DataArray, type DType } from '@metaop/core';

/** A safetensors file that cannot be opened, or is malformed, truncated or unsupported. Nothing is loaded when it is thrown. */
export class SafetensorsError extends MetaOpError {}

/** Every dtype the format defines; the ones in `supportedDtypes` can be loaded. */
export const safetensorsDtypes = ['BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64'] as const;
export type SafetensorsDType = (typeof safetensorsDtypes)[number];

const itemBytes: Record<SafetensorsDType, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};

/** How each loadable file dtype is held in memory: floats become float32 (F64 stays float64), I64 int32 (range-checked). */
export const loadedDtype: Partial<Record<SafetensorsDType, DType>> = {
  F64: 'float64', F32: 'float32', F16: 'float32', BF16: 'float32',
  I64: 'int32', I32: 'int32', I16: 'int32', I8: 'int32', U16: 'int32',
  U8: 'uint8', BOOL: 'bool',
};

export const savedDtype: Record<DType, SafetensorsDType> = { float32: 'F32', float64: 'F64', int32: 'I32', uint8: 'U8', bool: 'BOOL' };

/** The reference implementation's limit on the header size. */
export const maxHeaderBytes = 100_000_000;

export interface TensorInfo {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  /** Byte offsets relative to the start of the data section. */
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsHeader {
  /** Entries in file order (by offset). */
  readonly tensors: readonly TensorInfo[];
  readonly metadata: Readonly<Record<string, string>>;
  /** File position of the data section: 8 + header length. */
  readonly dataStart: number;
}

export function itemSizeOf(dtype: SafetensorsDType): number {
  return itemBytes[dtype];
}

function fail(source: string, message: string): never {
  throw new SafetensorsError(`${source}: ${message}; nothing was loaded`, 'loadSafetensors');
}

/** Reads the header length from the first 8 bytes and checks it fits in a file of `fileSize` bytes. */
export function headerLength(first8: Uint8Array, fileSize: number, source: string): number {
  if (fileSize < 8 || first8.length < 8) fail(source, `the file is ${fileSize} bytes, too short for the 8-byte header length (truncated?)`);
  const n = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(maxHeaderBytes)) fail(source, `header length ${n} exceeds the ${maxHeaderBytes}-byte limit (not a safetensors file?)`);
  if (Number(n) > fileSize - 8) fail(source, `header length ${n} runs past the end of the ${fileSize}-byte file (truncated?)`);
  if (n < 2n) fail(source, `header length ${n} is too small for a JSON object`);
  return Number(n);
}

function isNonNegInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/**
 * Parses and validates the whole header before anything is allocated: JSON syntax, entry fields,
 * known and loadable dtypes, byte lengths against shapes, and offsets that tile the data section
 * (no gaps, overlaps or bytes outside it).
 */
export function parseHeader(bytes: Uint8Array, dataLength: number, source: string, requireLoadable = true): SafetensorsHeader {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    fail(source, 'the header is not valid UTF-8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    fail(source, `the header is not valid JSON (${(e as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) fail(source, 'the header must be a JSON object');
  const repeated = repeatedTopLevelKey(text);
  if (repeated !== undefined) fail(source, `the header names "${repeated}" twice (JSON.parse would keep only the last)`);
  let metadata: Record<string, string> = {};
  const tensors: TensorInfo[] = [];
  for (const [name, entry] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) fail(source, '__metadata__ must be an object of strings');
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(source, `__metadata__ value for "${k}" must be a string, got ${typeof v}`);
      }
      metadata = entry as Record<string, string>;
      continue;
    }
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) fail(source, `entry "${name}" must be an object`);
    const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
    if (typeof dtype !== 'string' || !(safetensorsDtypes as readonly string[]).includes(dtype)) {
      fail(source, `tensor "${name}" has unknown dtype ${JSON.stringify(dtype)}; known: ${safetensorsDtypes.join(', ')}`);
    }
    const dt = dtype as SafetensorsDType;
    if (requireLoadable && loadedDtype[dt] === undefined) {
      fail(source, `tensor "${name}" has dtype ${dt}, which MetaOp cannot load (supported: ${Object.keys(loadedDtype).join(', ')})`);
    }
    if (!Array.isArray(shape) || !shape.every(isNonNegInt)) fail(source, `tensor "${name}" has an invalid shape ${JSON.stringify(shape)}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegInt) || offsets[0] > offsets[1]) {
      fail(source, `tensor "${name}" has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const expected = numel(shape as number[]) * itemBytes[dt];
    if (end - begin !== expected) {
      fail(source, `tensor "${name}" (${dt}, shape [${(shape as number[]).join(', ')}]) needs ${expected} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`);
    }
    tensors.push({ name, dtype: dt, shape: shape as number[], begin, end });
  }
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const t of tensors) {
    if (t.begin < cursor) fail(source, `tensor "${t.name}" at bytes [${t.begin}, ${t.end}) overlaps the previous tensor (which ends at ${cursor})`);
    if (t.begin > cursor) fail(source, `bytes [${cursor}, ${t.begin}) before tensor "${t.name}" belong to no tensor`);
    cursor = t.end;
  }
  if (cursor > dataLength) fail(source, `tensor data ends at byte ${cursor} of the data section but the file holds only ${dataLength} bytes there (truncated?)`);
  if (cursor < dataLength) fail(source, `the data section has ${dataLength - cursor} bytes after the last tensor`);
  return { tensors, metadata, dataStart: 8 + bytes.length };
}

/**
 * The first key that appears twice at the top level of `text`, which is valid JSON holding an
 * object. JSON.parse keeps the last of duplicate keys silently; a file that names a tensor twice
 * is ambiguous, so it is refused.
 */
function repeatedTopLevelKey(text: string): string | undefined {
  const seen = new Set<string>();
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (seen.has(key)) return key;
        seen.add(key);
        expectKey = false;
      }
      i = j;
    } else if (ch === '{' || ch === '[') {
      depth++;
      expectKey = depth === 1 && ch === '{';
    } else if (ch === '}' || ch === ']') depth--;
    else if (ch === ',' && depth === 1) expectKey = true;
  }
  return undefined;
}

// ---- conversions -------------------------------------------------------------------------------

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * Converts `count` raw little-endian elements of `dtype` from `src` into `dst` starting at `at`.
 * Throws for I64/U16 values outside int32 (naming the tensor).
 */
export function convertChunk(dtype: SafetensorsDType, src: Uint8Array, dst: DataArray, at: number, name: string, source: string): void {
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const count = src.byteLength / itemBytes[dtype];
  switch (dtype) {
    case 'F16':
      for (let i = 0; i < count; i++) dst[at + i] = halfToFloat(view.getUint16(2 * i, true));
      return;
    case 'BF16':
      for (let i = 0; i < count; i++) {
        u32[0] = view.getUint16(2 * i, true) << 16;
        dst[at + i] = f32[0];
      }
      return;
    case 'I64':
      for (let i = 0; i < count; i++) {
        const v = view.getBigInt64(8 * i, true);
        if (v < -2147483648n || v > 2147483647n) {
          fail(source, `tensor "${name}" (I64) holds ${v} at element ${at + i}, outside the int32 range MetaOp loads I64 into`);
        }
        dst[at + i] = Number(v);
      }
      return;
    case 'I16':
      for (let i = 0; i < count; i++) dst[at + i] = view.getInt16(2 * i, true);
      return;
    case 'U16':
      for (let i = 0; i < count; i++) dst[at + i] = view.getUint16(2 * i, true);
      return;
    case 'I8':
      for (let i = 0; i < count; i++) dst[at + i] = view.getInt8(i);
      return;
    case 'BOOL':
      for (let i = 0; i < count; i++) dst[at + i] = src[i] !== 0 ? 1 : 0;
      return;
    default:
      throw new SafetensorsError(`internal: no conversion for ${dtype}`, 'loadSafetensors');
  }
}

/** Dtypes whose bytes are the in-memory array's bytes (read straight into it). */
export function isDirect(dtype: SafetensorsDType): boolean {
  return dtype === 'F32' || dtype === 'F64' || dtype === 'I32' || dtype === 'U8';
}

/** The bytes of a header for `entries` (in data order) and metadata, padded with spaces to 8 bytes. */
export function encodeHeader(
  entries: readonly { name: string; dtype: SafetensorsDType; shape: readonly number[]; byteLength: number }[],
  metadata: Record<string, string> | undefined,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + e.byteLength] };
    offset += e.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = new Uint8Array(Math.ceil(json.length / 8) * 8).fill(0x20);
  padded.set(json);
  return padded;
}

/** The number of elements of a tensor entry. */
export function countOf(t: TensorInfo): number {
  return numel(t.shape);
}
