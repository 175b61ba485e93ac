// Element types: their storage arrays, promotion order and value conversion rules.
// The conversion rules here are the contract every backend must reproduce bit for bit.

export type DType = 'float32' | 'float64' | 'int32' | 'uint8' | 'bool';

export const dtypes: readonly DType[] = ['float32', 'float64', 'int32', 'uint8', 'bool'];

/** A typed array that can hold the elements of some dtype (bool is stored as 0/1 bytes). */
export type DataArray = Float32Array | Float64Array | Int32Array | Uint8Array;

const itemSizes: Record<DType, number> = { float32: 4, float64: 8, int32: 4, uint8: 1, bool: 1 };

export function itemSize(dtype: DType): number {
  return itemSizes[dtype];
}

export function isDType(value: unknown): value is DType {
  return typeof value === 'string' && (dtypes as readonly string[]).includes(value);
}

export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

export function isInteger(dtype: DType): boolean {
  return dtype === 'int32' || dtype === 'uint8';
}

/** Allocates a zero-filled array for `numel` elements of `dtype`. */
export function allocArray(dtype: DType, numel: number): DataArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(numel);
    case 'float64':
      return new Float64Array(numel);
    case 'int32':
      return new Int32Array(numel);
    case 'uint8':
    case 'bool':
      return new Uint8Array(numel);
    default:
      return assertNever(dtype);
  }
}

/** True when `array` is the storage array kind of `dtype`. */
export function arrayMatches(dtype: DType, array: DataArray): boolean {
  switch (dtype) {
    case 'float32':
      return array instanceof Float32Array;
    case 'float64':
      return array instanceof Float64Array;
    case 'int32':
      return array instanceof Int32Array;
    case 'uint8':
    case 'bool':
      return array instanceof Uint8Array;
    default:
      return assertNever(dtype);
  }
}

const rank: Record<DType, number> = { bool: 0, uint8: 1, int32: 2, float32: 3, float64: 4 };

/** The dtype two operands are computed in: the higher of the two in bool < uint8 < int32 < float32 < float64. */
export function promoteTypes(a: DType, b: DType): DType {
  return rank[a] >= rank[b] ? a : b;
}

/**
 * Converts a number to the value stored by `dtype`: float32 rounds to nearest, integers
 * truncate toward zero and wrap (two's complement), bool is `value != 0` (so NaN is true, as in C
 * and PyTorch). NaN converts to 0 for integer types. This is the C cast `(T)(int32_t)x` for uint8.
 */
export function convertValue(value: number, dtype: DType): number {
  switch (dtype) {
    case 'float64':
      return value;
    case 'float32':
      return Math.fround(value);
    case 'int32':
      return Math.trunc(value) | 0;
    case 'uint8':
      return (Math.trunc(value) | 0) & 255;
    case 'bool':
      return value !== 0 ? 1 : 0;
    default:
      return assertNever(dtype);
  }
}

export function assertNever(value: never): never {
  throw new Error(`unreachable: ${String(value)}`);
}
