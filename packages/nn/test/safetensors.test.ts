// safetensors: round trips of every dtype, a file written by the Python generator with the
// format's rules (F16, BF16, I64, ...), the file layout, atomic writes, and every malformed file
// rejected with a SafetensorsError that loads nothing.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memory, tensor, type Var } from '@metaop/ops';
import * as nn from '@metaop/nn';
import { expectClose, fixture, fixturePath, numbers, useTestBackend, type ArrayJson } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'metaop-safetensors-'));
beforeAll(useTestBackend);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Builds a file from a header object and data bytes, as a writer following the format would. */
function buildFile(header: unknown, data: Uint8Array = new Uint8Array(0), rawHeader?: Uint8Array): Uint8Array {
  const h = rawHeader ?? new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function f32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}

function writeTemp(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

describe('round trip', () => {
  it('saves and loads every dtype, special values, scalars, empty tensors and metadata', async () => {
    const dict: Record<string, Var> = {
      'w.f32': tensor([1.5, -0, Infinity, -Infinity, NaN, 3.4e38, 1e-45], [7]),
      'w.f64': tensor(new Float64Array([Math.PI, -1e300, 5e-324]), [3, 1]),
      ids: tensor(new Int32Array([-2147483648, 2147483647, 0, 7]), [2, 2]),
      px: tensor(new Uint8Array([0, 255, 128]), [3]),
      mask: tensor([1, 0, 0, 1], [2, 2], 'bool'),
      scalar: tensor(42, [], 'int32'),
      empty: tensor(new Float32Array(0), [0, 4]),
    };
    const path = join(dir, 'roundtrip.safetensors');
    nn.saveSafetensorsSync(path, dict, { format: 'metaop', epoch: '3' });
    for (const loaded of [nn.loadSafetensorsSync(path), await nn.loadSafetensors(path)]) {
      expect(Object.keys(loaded).sort()).toEqual(Object.keys(dict).sort());
      for (const [k, v] of Object.entries(dict)) {
        expect(loaded[k].dtype, k).toBe(v.dtype);
        expect([...loaded[k].shape], k).toEqual([...v.shape]);
        expect(Array.from(loaded[k].dataSync()), k).toEqual(Array.from(v.dataSync()));
      }
      expect(Object.is(loaded['w.f32'].dataSync()[1], -0)).toBe(true);
    }
    expect(nn.readSafetensorsHeader(path).metadata).toEqual({ format: 'metaop', epoch: '3' });
  });

  it('writes the reference layout: padded header, wider dtypes first then names, aligned data', () => {
    const path = join(dir, 'layout.safetensors');
    nn.saveSafetensorsSync(path, { b: tensor([1], [1], 'uint8'), a: tensor([1, 2]), z: tensor([1], [1], 'float64'), c: tensor([3]) });
    const bytes = readFileSync(path);
    const n = Number(bytes.readBigUInt64LE(0));
    expect(n % 8).toBe(0);
    const text = bytes.subarray(8, 8 + n).toString('utf8');
    expect(text).toMatch(/^\{.*\} *$/);
    const header = JSON.parse(text) as Record<string, { dtype: string; data_offsets: [number, number] }>;
    const order = Object.entries(header).sort((x, y) => x[1].data_offsets[0] - y[1].data_offsets[0]).map(([k]) => k);
    expect(order).toEqual(['z', 'a', 'c', 'b']);
    expect(header.z.data_offsets).toEqual([0, 8]);
    expect(header.a.data_offsets).toEqual([8, 16]);
    expect(bytes.length).toBe(8 + n + 8 + 8 + 4 + 1);
    expect('__metadata__' in header).toBe(false);
  });

  it('loads a file written by the Python generator (F16, BF16, F64, I64, I16, I8, U8, BOOL)', async () => {
    const expected = fixture<{ metadata: Record<string, string>; tensors: Record<string, ArrayJson> }>('safetensors.json');
    const loaded = await nn.loadSafetensors(fixturePath('reference.safetensors'));
    expect(Object.keys(loaded).sort()).toEqual(Object.keys(expected.tensors).sort());
    for (const [k, want] of Object.entries(expected.tensors)) {
      expect(loaded[k].dtype, k).toBe(want.dtype);
      expectClose(loaded[k], want, k, 0, 0);
    }
    expect(nn.readSafetensorsHeader(fixturePath('reference.safetensors')).metadata).toEqual(expected.metadata);
    const some = nn.loadSafetensorsSync(fixturePath('reference.safetensors'), { names: ['half', 'ids'] });
    expect(Object.keys(some).sort()).toEqual(['half', 'ids']);
    expect(Array.from(some.half.dataSync())).toEqual(numbers(expected.tensors.half));
    expect(() => nn.loadSafetensorsSync(fixturePath('reference.safetensors'), { names: ['nope'] })).toThrow(/no tensor named "nope"/);
  });

  it('round-trips a model state dict and loads it strictly', () => {
    const a = new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.BatchNorm2d(2), new nn.Flatten(), new nn.Linear(2, 2));
    const b = new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.BatchNorm2d(2), new nn.Flatten(), new nn.Linear(2, 2));
    const path = join(dir, 'model.safetensors');
    nn.saveSafetensorsSync(path, a.stateDict());
    b.loadStateDict(nn.loadSafetensorsSync(path), { strict: true });
    for (const [k, v] of Object.entries(a.stateDict())) expect(Array.from(b.stateDict()[k].dataSync()), k).toEqual(Array.from(v.dataSync()));
  });
});

describe('atomic writes', () => {
  it('replaces the file and leaves no temporary files', () => {
    const path = join(dir, 'atomic', 'x.safetensors');
    rmSync(join(dir, 'atomic'), { recursive: true, force: true });
    expect(() => nn.saveSafetensorsSync(path, { a: tensor([1]) })).toThrow(/ENOENT/);
    writeFileSync(join(dir, 'placeholder'), '');
    const folder = mkdtempSync(join(dir, 'atomic-'));
    const p = join(folder, 'x.safetensors');
    nn.saveSafetensorsSync(p, { a: tensor([1]) });
    nn.saveSafetensorsSync(p, { a: tensor([2, 3]) });
    expect(readdirSync(folder)).toEqual(['x.safetensors']);
    expect(Array.from(nn.loadSafetensorsSync(p).a.dataSync())).toEqual([2, 3]);
  });

  it('keeps the previous file intact when writing fails half way', () => {
    const folder = mkdtempSync(join(dir, 'crash-'));
    const p = join(folder, 'x.safetensors');
    nn.saveSafetensorsSync(p, { a: tensor([1, 2, 3]) });
    const before = readFileSync(p);
    const gone = tensor([5]);
    const broken = gone.add(1); // its input is disposed below, so computing it fails during the write
    gone.dispose();
    expect(() => nn.saveSafetensorsSync(p, { a: tensor([9, 9]), b: broken })).toThrow(/disposed/);
    expect(readFileSync(p).equals(before)).toBe(true);
    expect(readdirSync(folder)).toEqual(['x.safetensors']);
  });

  it('rejects bad arguments before touching the file', () => {
    expect(() => nn.saveSafetensorsSync(join(dir, 'bad.safetensors'), { __metadata__: tensor([1]) })).toThrow(/reserved/);
    expect(() => nn.saveSafetensorsSync(join(dir, 'bad.safetensors'), { a: tensor([1]) }, { n: 3 as unknown as string })).toThrow(/must be a string/);
    expect(existsSync(join(dir, 'bad.safetensors'))).toBe(false);
  });
});

describe('malformed files are rejected and load nothing', () => {
  const good = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } };
  const data = f32Bytes([1, 2, 3]);
  const i64 = (values: bigint[]) => new Uint8Array(new BigInt64Array(values).buffer);
  const cases: [string, Uint8Array, RegExp][] = [
    ['an empty file', new Uint8Array(0), /too short/],
    ['a file shorter than the length field', new Uint8Array([1, 0, 0]), /too short/],
    ['a header length beyond the file', buildFile(good, data).subarray(0, 30), /runs past the end/],
    ['a huge header length', (() => { const b = buildFile(good, data); new DataView(b.buffer).setBigUint64(0, 1n << 40n, true); return b; })(), /exceeds/],
    ['truncated tensor data', buildFile(good, data).subarray(0, buildFile(good, data).length - 2), /truncated/],
    ['a non-JSON header', buildFile(null, data, new TextEncoder().encode('{"a": {"dtype": "F32",, }')), /not valid JSON/],
    ['a header that is not UTF-8', buildFile(null, new Uint8Array(0), new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), /not valid UTF-8/],
    ['a JSON array header', buildFile([1, 2]), /must be a JSON object/],
    ['an unknown dtype', buildFile({ a: { dtype: 'F17', shape: [1], data_offsets: [0, 4] } }, f32Bytes([1])), /unknown dtype "F17"/],
    ['a dtype MetaOp cannot load', buildFile({ a: { dtype: 'U64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)), /cannot load/],
    ['a shape that does not match the byte length', buildFile({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] }, b: good.b }, data), /needs 12 bytes/],
    ['a negative shape', buildFile({ a: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, f32Bytes([1, 2])), /invalid shape/],
    ['reversed offsets', buildFile({ a: { dtype: 'F32', shape: [0], data_offsets: [4, 0] } }, f32Bytes([1])), /invalid data_offsets/],
    ['overlapping offsets', buildFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, data), /overlaps/],
    ['offsets beyond the data', buildFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] } }, data), /truncated/],
    ['a gap between tensors', buildFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }, data), /belong to no tensor/],
    ['bytes after the last tensor', buildFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, data), /4 bytes after the last tensor/],
    ['missing data_offsets', buildFile({ a: { dtype: 'F32', shape: [1] } }, f32Bytes([1])), /invalid data_offsets/],
    ['non-string metadata', buildFile({ __metadata__: { epoch: 3 }, ...good }, data), /must be a string/],
    ['an I64 value outside int32', buildFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'I64', shape: [2], data_offsets: [8, 24] } }, new Uint8Array([...f32Bytes([1, 2]), ...i64([1n, 1n << 40n])])), /outside the int32 range/],
  ];
  for (const [what, bytes, message] of cases) {
    it(`rejects ${what}`, async () => {
      const path = writeTemp(`bad-${what.replace(/\W+/g, '-')}.safetensors`, bytes);
      const before = memory().liveStorages;
      expect(() => nn.loadSafetensorsSync(path)).toThrow(nn.SafetensorsError);
      expect(() => nn.loadSafetensorsSync(path)).toThrow(message);
      await expect(nn.loadSafetensors(path)).rejects.toThrow(message);
      expect(memory().liveStorages).toBe(before);
    });
  }

  it('accepts the well-formed file the malformed ones were made from', () => {
    const loaded = nn.loadSafetensorsSync(writeTemp('good.safetensors', buildFile(good, data)));
    expect(Array.from(loaded.a.dataSync())).toEqual([1, 2]);
    expect(Array.from(loaded.b.dataSync())).toEqual([3]);
  });
});
