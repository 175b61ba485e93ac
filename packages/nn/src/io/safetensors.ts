// Loading and saving safetensors files. Loading validates the whole header first, then reads each
// tensor's byte range straight into its typed array (converting F16/BF16/I64/... in bounded
// chunks), so a file never needs twice its size in memory. Saving is atomic.
import { checkOptions, type OptionKeys, allocArray, ArgumentError, isVar, type DataArray, type Var } from '@metaop/core';
import { tensor } from '@metaop/ops';
import { writeAll, writeFileAtomicSync } from './atomic-write.js';
import { nodeModule } from './node.js';
import {
  convertChunk,
  countOf,
  encodeHeader,
  headerLength,
  isDirect,
  itemSizeOf,
  loadedDtype,
  parseHeader,
  savedDtype,
  SafetensorsError,
  type SafetensorsHeader,
  type TensorInfo,
} from './safetensors-format.js';

/** Converted elements per chunk for dtypes that are not read in place (bounds the scratch memory). */
const chunkElements = 1 << 20;

/** A read of `target.length` bytes at `position`; the driver fills target completely or throws. */
interface ReadRequest {
  position: number;
  target: Uint8Array;
}

interface Loaded {
  header: SafetensorsHeader;
  tensors: Record<string, Var>;
}

function* readHeaderSteps(fileSize: number, source: string): Generator<ReadRequest, SafetensorsHeader, void> {
  const first = new Uint8Array(Math.min(8, fileSize));
  if (fileSize > 0) yield { position: 0, target: first };
  const n = headerLength(first, fileSize, source);
  const bytes = new Uint8Array(n);
  yield { position: 8, target: bytes };
  return parseHeader(bytes, fileSize - 8 - n, source);
}

/**
 * Validates the header, then reads tensor by tensor, each into a typed array that is handed to a
 * realized Var and dropped, so memory peaks at the loaded tensors plus one tensor. If a later
 * tensor fails (an I64 value out of range, a read error), the Vars made so far are disposed.
 */
function* loadSteps(fileSize: number, source: string, names: ReadonlySet<string> | undefined): Generator<ReadRequest, Loaded, void> {
  const header = yield* readHeaderSteps(fileSize, source);
  if (names) {
    const missing = [...names].filter((n) => !header.tensors.some((t) => t.name === n));
    if (missing.length > 0) throw new SafetensorsError(`${source}: no tensor named ${missing.map((m) => `"${m}"`).join(', ')}; nothing was loaded`, 'loadSafetensors');
  }
  const wanted = header.tensors.filter((t) => !names || names.has(t.name));
  const tensors: Record<string, Var> = {};
  let complete = false;
  try {
    for (const t of wanted) {
      const array = yield* readTensor(t, header.dataStart, source);
      tensors[t.name] = tensor(array, t.shape, loadedDtype[t.dtype]);
    }
    complete = true;
  } finally {
    if (!complete) for (const v of Object.values(tensors)) v.dispose();
  }
  return { header: { ...header, tensors: wanted }, tensors };
}

function* readTensor(t: TensorInfo, dataStart: number, source: string): Generator<ReadRequest, DataArray, void> {
  const out = allocArray(loadedDtype[t.dtype] ?? 'float32', countOf(t));
  if (t.end === t.begin) return out;
  if (isDirect(t.dtype)) {
    yield { position: dataStart + t.begin, target: new Uint8Array(out.buffer, out.byteOffset, out.byteLength) };
    return out;
  }
  const item = itemSizeOf(t.dtype);
  const scratch = new Uint8Array(Math.min(chunkElements, countOf(t)) * item);
  for (let at = 0; at < out.length; at += chunkElements) {
    const count = Math.min(chunkElements, out.length - at);
    const chunk = scratch.subarray(0, count * item);
    yield { position: dataStart + t.begin + at * item, target: chunk };
    convertChunk(t.dtype, chunk, out, at, t.name, source);
  }
  return out;
}

function checkHost(op: string): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new ArgumentError('safetensors I/O needs a little-endian host', op);
}

/** A failed open (missing file, a directory, no permission) as a SafetensorsError naming the op and the path. */
function openError(e: unknown, path: string, op: string): unknown {
  const code = (e as { code?: unknown }).code;
  if (typeof code !== 'string') return e;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : code;
  const err = new SafetensorsError(`cannot open '${path}': ${why} (${code})`, op);
  err.cause = e;
  return err;
}

function runSync<T>(path: string, plan: (size: number) => Generator<ReadRequest, T, void>, op: string): T {
  checkHost(op);
  const fs = nodeModule('node:fs', op);
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (e) {
    throw openError(e, path, op);
  }
  try {
    const gen = plan(fs.fstatSync(fd).size);
    try {
      let step = gen.next();
      while (!step.done) {
        const { position, target } = step.value;
        let done = 0;
        while (done < target.length) {
          const n = fs.readSync(fd, target, done, target.length - done, position + done);
          if (n === 0) throw new SafetensorsError(`${path}: the file ended while reading (was it truncated during the load?)`, op);
          done += n;
        }
        step = gen.next();
      }
      return step.value;
    } catch (e) {
      gen.return(undefined as never); // runs the plan's cleanup
      throw e;
    }
  } finally {
    fs.closeSync(fd);
  }
}

async function runAsync<T>(path: string, plan: (size: number) => Generator<ReadRequest, T, void>, op: string): Promise<T> {
  checkHost(op);
  const fs = nodeModule('node:fs', op);
  const handle = await fs.promises.open(path, 'r').catch((e: unknown) => {
    throw openError(e, path, op);
  });
  try {
    const gen = plan((await handle.stat()).size);
    try {
      let step = gen.next();
      while (!step.done) {
        const { position, target } = step.value;
        let done = 0;
        while (done < target.length) {
          const { bytesRead } = await handle.read(target, done, target.length - done, position + done);
          if (bytesRead === 0) throw new SafetensorsError(`${path}: the file ended while reading (was it truncated during the load?)`, op);
          done += bytesRead;
        }
        step = gen.next();
      }
      return step.value;
    } catch (e) {
      gen.return(undefined as never); // runs the plan's cleanup
      throw e;
    }
  } finally {
    await handle.close();
  }
}

export interface LoadSafetensorsOptions {
  /** Load only these tensors (all by default); an unknown name is an error. */
  names?: readonly string[];
}
const loadSafetensorsKeys: OptionKeys<LoadSafetensorsOptions> = { names: true };

/** The validated header of a safetensors file (names, dtypes, shapes, offsets, metadata), without the data. */
export function readSafetensorsHeader(path: string): SafetensorsHeader {
  return runSync(path, (size) => readHeaderSteps(size, path), 'readSafetensorsHeader');
}

/**
 * Loads every tensor of a safetensors file as realized Vars on the current backend. F32, F16 and
 * BF16 become float32, F64 float64, I64/I32/I16/I8/U16 int32 (I64 values must fit), U8 uint8 and
 * BOOL bool. A malformed file throws a SafetensorsError and loads nothing.
 */
export function loadSafetensorsSync(path: string, options: LoadSafetensorsOptions = {}): Record<string, Var> {
  checkOptions(options, loadSafetensorsKeys, 'loadSafetensorsSync');
  const names = options.names ? new Set(options.names) : undefined;
  return runSync(path, (size) => loadSteps(size, path, names), 'loadSafetensors').tensors;
}

/** The asynchronous form of loadSafetensorsSync (reads with a file handle). */
export async function loadSafetensors(path: string, options: LoadSafetensorsOptions = {}): Promise<Record<string, Var>> {
  checkOptions(options, loadSafetensorsKeys, 'loadSafetensors');
  const names = options.names ? new Set(options.names) : undefined;
  return (await runAsync(path, (size) => loadSteps(size, path, names), 'loadSafetensors')).tensors;
}

/** Loads tensors and the `__metadata__` map together. */
export function loadSafetensorsWithMetadataSync(path: string): { tensors: Record<string, Var>; metadata: Record<string, string> } {
  const loaded = runSync(path, (size) => loadSteps(size, path, undefined), 'loadSafetensors');
  return { tensors: loaded.tensors, metadata: { ...loaded.header.metadata } };
}

/**
 * Writes `dict` as a safetensors file, atomically (temporary file, fsync, rename). Tensors are
 * ordered as the reference implementation orders them (wider dtypes first, then by name), so every
 * tensor is aligned. `metadata` becomes the `__metadata__` string map.
 */
export function saveSafetensorsSync(path: string, dict: Record<string, Var>, metadata?: Record<string, string>): void {
  const op = 'saveSafetensors';
  checkHost(op);
  if (metadata) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new ArgumentError(`metadata value for "${k}" must be a string, got ${typeof v}`, op);
    }
  }
  const entries = Object.entries(dict).map(([name, v]) => {
    if (name === '__metadata__') throw new ArgumentError('"__metadata__" is reserved and cannot name a tensor', op);
    if (!isVar(v)) throw new ArgumentError(`value for "${name}" is not a Var`, op);
    v.assertUsable(op);
    const dtype = savedDtype[v.dtype];
    return { name, dtype, shape: [...v.shape], byteLength: v.numel * itemSizeOf(dtype), v };
  });
  entries.sort((a, b) => itemSizeOf(b.dtype) - itemSizeOf(a.dtype) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header = encodeHeader(entries, metadata);
  writeFileAtomicSync(
    path,
    (fd) => {
      const length = new Uint8Array(8);
      new DataView(length.buffer).setBigUint64(0, BigInt(header.length), true);
      writeAll(fd, length, op);
      writeAll(fd, header, op);
      for (const e of entries) {
        const data = e.v.dataSync();
        writeAll(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength), op);
      }
    },
    op,
  );
}

/** The asynchronous form of saveSafetensorsSync (the write itself is synchronous and atomic). */
export async function saveSafetensors(path: string, dict: Record<string, Var>, metadata?: Record<string, string>): Promise<void> {
  saveSafetensorsSync(path, dict, metadata);
}
