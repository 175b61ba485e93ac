// Fuzzing safetensors loading with mutated copies of a valid file (the Python-written fixture):
// bit flips, truncation, header-length lies, bad JSON, bad dtypes, shapes and offsets, duplicate
// and non-ASCII names. Each load either returns exactly what the file holds or throws a
// SafetensorsError naming the file, quickly, with nothing half-loaded and no allocation sized by
// a lying header; a Module whose loadStateDict is fed from a bad file keeps its state.
// METAOP_FUZZ_RUNS=N runs N cases per property.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memory, type Var } from '@metaop/ops';
import { fuzzRuns } from '@metaop/ops/testing';
import * as nn from '@metaop/nn';
import { fixturePath, useTestBackend } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'metaop-fuzz-safetensors-'));
beforeAll(useTestBackend);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const original = new Uint8Array(readFileSync(fixturePath('reference.safetensors')));
const headerLen = Number(new DataView(original.buffer).getBigUint64(0, true));
const header = JSON.parse(new TextDecoder().decode(original.subarray(8, 8 + headerLen))) as Record<string, Record<string, unknown>>;
const data = original.subarray(8 + headerLen);
const names = Object.keys(header).filter((k) => k !== '__metadata__');

function file(headerBytes: Uint8Array, body: Uint8Array = data, claimed: bigint = BigInt(headerBytes.length)): Uint8Array {
  const out = new Uint8Array(8 + headerBytes.length + body.length);
  new DataView(out.buffer).setBigUint64(0, claimed, true);
  out.set(headerBytes, 8);
  out.set(body, 8 + headerBytes.length);
  return out;
}
const encode = (h: unknown) => new TextEncoder().encode(JSON.stringify(h));

// ---- mutations ----------------------------------------------------------------------------------
const weirdValues = fc.constantFrom<unknown>(
  -1, 1.5, 2 ** 53, 2 ** 60, 1e300, NaN, null, '3', [], {}, true, [-1], [1.5], [2 ** 26, 2 ** 26], [2 ** 50], [0, 2 ** 60], [8, 0],
  [0, -8], [0, 1e300], [3, 4], [0, 7], [0, 56], [56, 80], [2 ** 53, 2 ** 53 + 8],
);
const dtypeStrings = fc.constantFrom('F32', 'f32', 'F128', '', ' F32', 'U64', 'U32', 'F8_E4M3', 'I64', 'BOOL', 'C64', 'F16', 'é', '__proto__');
const nameStrings = fc.constantFrom('層.weight', 'Gewicht_ä', '\u0000', '\uD800', 'a\nb', '__proto__', 'constructor', '', '__metadata__', 'x'.repeat(5000));

type Mutation = (bytes: Uint8Array) => Uint8Array;
const mutation: fc.Arbitrary<[string, Mutation]> = fc.oneof(
  fc.array(fc.tuple(fc.nat(original.length - 1), fc.nat(7)), { minLength: 1, maxLength: 4 }).map((flips): [string, Mutation] => [
    `flip ${flips.map(([p, b]) => `${p}:${b}`).join(',')}`,
    (bytes) => {
      const out = bytes.slice();
      for (const [p, b] of flips) out[p] ^= 1 << b;
      return out;
    },
  ]),
  fc.nat(original.length - 1).map((n): [string, Mutation] => [`truncate to ${n}`, (bytes) => bytes.slice(0, n)]),
  fc
    .oneof(fc.constantFrom(0n, 1n, 7n, 2n ** 32n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n), fc.bigInt({ min: 0n, max: 2000n }))
    .map((n): [string, Mutation] => [`header length ${n}`, (bytes) => {
      const out = bytes.slice();
      new DataView(out.buffer).setBigUint64(0, n, true);
      return out;
    }]),
  fc.tuple(fc.constantFrom(...names), fc.constantFrom('dtype', 'shape', 'data_offsets', 'extra'), fc.oneof(weirdValues, dtypeStrings)).map(
    ([name, field, value]): [string, Mutation] => [`${name}.${field} = ${String(value)}`, () => file(encode({ ...header, [name]: { ...header[name], [field]: value } }))],
  ),
  fc.tuple(fc.constantFrom(...names), nameStrings).map(([name, to]): [string, Mutation] => [
    `rename ${name} to ${JSON.stringify(to.slice(0, 12))}`,
    () => file(encode(Object.fromEntries(Object.entries(header).map(([k, e]) => [k === name ? to : k, e])))),
  ]),
  fc.constantFrom(...names).map((name): [string, Mutation] => [`drop ${name}`, () => {
    const h = { ...header };
    delete h[name];
    return file(encode(h));
  }]),
  fc.constantFrom(...names).map((name): [string, Mutation] => [`duplicate ${name}`, () => {
    const text = JSON.stringify(header);
    return file(new TextEncoder().encode(`${text.slice(0, -1)},${JSON.stringify(name)}:${JSON.stringify(header[name])}}`));
  }]),
  fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('[]', 'null', '1', '"x"', '{', '{"a":', '{"__metadata__":{"k":1}}', '{"__metadata__":[]}')).map(
    (junk): [string, Mutation] => [`header ${JSON.stringify(junk)}`, () => file(new TextEncoder().encode(junk))],
  ),
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes): [string, Mutation] => [`header bytes ${bytes.length}`, () => file(bytes)]),
  fc.nat(64).map((n): [string, Mutation] => [`append ${n + 1} bytes`, (bytes) => {
    const out = new Uint8Array(bytes.length + n + 1);
    out.set(bytes);
    return out;
  }]),
);

// ---- the checks ---------------------------------------------------------------------------------
let caseNo = 0;
const stats = { cases: 0, loaded: 0, refused: 0, slowestMs: 0 };

/** The raw values of a directly stored tensor in `bytes`, decoded independently of the loader. */
function rawValues(bytes: Uint8Array, name: string): number[] | undefined {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const h = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { dtype: string; data_offsets: number[] }>;
  const e = h[name];
  const start = 8 + n + e.data_offsets[0];
  const chunk = bytes.slice(start, 8 + n + e.data_offsets[1]).buffer;
  switch (e.dtype) {
    case 'F32':
      return Array.from(new Float32Array(chunk));
    case 'F64':
      return Array.from(new Float64Array(chunk));
    case 'I32':
      return Array.from(new Int32Array(chunk));
    case 'U8':
      return Array.from(new Uint8Array(chunk));
    default:
      return undefined;
  }
}

function sameValues(actual: ArrayLike<number>, expected: number[]): boolean {
  return actual.length === expected.length && expected.every((x, i) => Object.is(x, actual[i]) || (Number.isNaN(x) && Number.isNaN(actual[i])));
}

function expectRefusal(e: unknown, path: string, label: string): void {
  expect(e, `${label}: ${String(e)}`).toBeInstanceOf(nn.SafetensorsError);
  const msg = (e as Error).message;
  expect(msg, label).toContain(path);
  expect(msg, label).toMatch(/nothing was loaded|the file ended while reading/);
}

function loadOnce(bytes: Uint8Array, label: string): void {
  const path = join(dir, `case-${caseNo++}.safetensors`);
  writeFileSync(path, bytes);
  const live = memory().liveBytes;
  const t0 = performance.now();
  let tensors: Record<string, Var> | undefined;
  let error: unknown;
  try {
    tensors = nn.loadSafetensorsSync(path);
  } catch (e) {
    error = e;
  }
  const ms = performance.now() - t0;
  stats.cases++;
  stats.slowestMs = Math.max(stats.slowestMs, ms);
  // A small file, so a fast answer: a lying header must not make the loader read or allocate its claim.
  expect(ms, `${label} took ${ms} ms`).toBeLessThan(2000);
  if (error !== undefined) {
    expectRefusal(error, path, label);
    expect(memory().liveBytes, `${label}: a failed load left tensors behind`).toBe(live);
    stats.refused++;
  } else {
    stats.loaded++;
    for (const [name, t] of Object.entries(tensors as Record<string, Var>)) {
      const want = rawValues(bytes, name);
      if (want) expect(sameValues(t.dataSync(), want), `${label}: ${name}`).toBe(true);
      t.dispose();
    }
  }
  rmSync(path);
}

class Holder extends nn.Module {
  readonly layer = this.registerModule('layer', new nn.Linear(3, 2, { bias: false }));
  forward(x: Var): Var {
    return this.layer.forward(x);
  }
}

describe('safetensors loading fuzz', () => {
  it('mutated files load exactly what they hold or are refused with a SafetensorsError', () => {
    fc.assert(
      fc.property(mutation, ([label, mutate]) => loadOnce(mutate(original), label)),
      { numRuns: fuzzRuns(600) },
    );
    expect(stats.loaded).toBeGreaterThan(0);
    expect(stats.refused).toBeGreaterThan(0);
  });

  it('a Module keeps its state when loadStateDict is fed from a bad file', () => {
    const m = new Holder();
    const before = Array.from(m.layer.weight.dataSync());
    let changed = 0;
    fc.assert(
      fc.property(mutation, ([label, mutate]) => {
        const path = join(dir, `module-${caseNo++}.safetensors`);
        const bytes = mutate(original);
        writeFileSync(path, bytes);
        const current = Array.from(m.layer.weight.dataSync());
        try {
          const dict = nn.loadSafetensorsSync(path);
          try {
            m.loadStateDict(dict, { strict: false });
            // Loaded: the weight is exactly the file's bytes (or untouched when the file no longer names it).
            const want = 'layer.weight' in dict ? (rawValues(bytes, 'layer.weight') as number[]) : current;
            expect(sameValues(m.layer.weight.dataSync(), want), label).toBe(true);
            if ('layer.weight' in dict) changed++;
          } finally {
            Object.values(dict).forEach((t) => t.dispose());
          }
        } catch (e) {
          if (!(e instanceof nn.StateDictError)) expectRefusal(e, path, label);
          expect(sameValues(m.layer.weight.dataSync(), current), `${label}: state changed by a failed load`).toBe(true);
        }
        rmSync(path);
      }),
      { numRuns: fuzzRuns(200) },
    );
    expect(before).toHaveLength(6);
    expect(changed).toBeGreaterThan(0);
  });

  it('refuses headers that lie about sizes before allocating what they claim', () => {
    const lies: [string, Uint8Array][] = [
      ['header length 2^40', file(encode(header), data, 2n ** 40n)],
      ['shape [2^50] F32 with matching offsets', file(encode({ big: { dtype: 'F32', shape: [2 ** 50], data_offsets: [0, 2 ** 52] } }), new Uint8Array(8))],
      ['shape [2^26, 2^26] U8', file(encode({ big: { dtype: 'U8', shape: [2 ** 26, 2 ** 26], data_offsets: [0, 2 ** 52] } }), new Uint8Array(8))],
      ['I64 out of int32 range after a good tensor', file(encode({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'I64', shape: [1], data_offsets: [4, 12] } }), new Uint8Array([0, 0, 128, 63, 0, 0, 0, 0, 1, 0, 0, 0]))],
      ['duplicate name', file(new TextEncoder().encode('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}'), new Uint8Array(1))],
    ];
    const rss = process.memoryUsage().rss;
    for (const [label, bytes] of lies) {
      const path = join(dir, `lie-${caseNo++}.safetensors`);
      writeFileSync(path, bytes);
      const live = memory().liveBytes;
      expect(() => nn.loadSafetensorsSync(path), label).toThrow(nn.SafetensorsError);
      expect(memory().liveBytes, label).toBe(live);
    }
    expect(process.memoryUsage().rss - rss).toBeLessThan(256 << 20);
    const dup = join(dir, 'dup.safetensors');
    writeFileSync(dup, lies[4][1]);
    expect(() => nn.loadSafetensorsSync(dup)).toThrow(/names "a" twice/);
  });

  it('async loading refuses the same files the same way', async () => {
    const path = join(dir, 'async.safetensors');
    writeFileSync(path, original.slice(0, original.length - 3));
    await expect(nn.loadSafetensors(path)).rejects.toThrow(nn.SafetensorsError);
    await expect(nn.loadSafetensors(path)).rejects.toThrow(path);
  });

  it('reports the counts', () => {
    console.log(`safetensors fuzz: ${stats.cases} files, ${stats.loaded} loaded, ${stats.refused} refused, slowest ${stats.slowestMs.toFixed(1)} ms`);
    expect(stats.cases).toBeGreaterThan(0);
  });
});
