// onnxruntime-node as a reference, installed on demand: `npm install onnxruntime-node@<pin>` with
// ONNXRUNTIME_NODE_INSTALL=skip (no CUDA download) into the git-ignored .bench/onnxruntime/ at the
// repository root (≈ 290 MB, so never a workspace dependency), and the models exported to ONNX by
// Debian's PyTorch (python/export_onnx.py), cached beside it. A failure becomes the column's reason.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './timing.js';

/** onnxruntime-node's pinned version: 1.30.0 ships N-API binaries that load in Node 20 and later. */
export const ONNXRUNTIME_VERSION = '1.30.0';
/** The ONNX opset of the exports: the newest Debian's PyTorch 1.13 writes, well inside what onnxruntime reads. */
const OPSET = 17;
const python = '/usr/bin/python3';
const exporter = fileURLToPath(new URL('../python/export_onnx.py', import.meta.url));

interface OrtTensor {
  readonly data: unknown;
}
interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release?(): Promise<void>;
}
interface OrtModule {
  readonly env: { readonly versions: { readonly node?: string } };
  readonly Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
  readonly InferenceSession: { create(path: string, options: Record<string, unknown>): Promise<OrtSession> };
}

export interface OrtTimes {
  version: string;
  /** "model@batch" -> median ms per forward. */
  ms: Map<string, number>;
  errors: Map<string, string>;
}

/** The folder for on-demand bench tools: METAOP_BENCH_DIR, else .bench/ at the repository root. */
export function benchDir(): string {
  const env = process.env.METAOP_BENCH_DIR;
  if (env) return resolve(env);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return join(dir, '.bench');
    const up = dirname(dir);
    if (up === dir) return resolve('.bench');
    dir = up;
  }
}

/** Loads onnxruntime-node, installing the pinned version first when it is not there. */
function loadOnnxRuntime(root: string, note: (line: string) => void): OrtModule | string {
  const dir = join(root, 'onnxruntime');
  const pkg = join(dir, 'node_modules', 'onnxruntime-node', 'package.json');
  const installed = existsSync(pkg) ? (JSON.parse(readFileSync(pkg, 'utf8')) as { version?: string }).version : undefined;
  if (installed !== ONNXRUNTIME_VERSION) {
    note(`[bench-models] installing onnxruntime-node@${ONNXRUNTIME_VERSION} into ${dir} (about 290 MB, once) ...`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ private: true, description: 'onnxruntime-node for pnpm bench (installed on demand, git-ignored)' })}\n`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const r = spawnSync(npm, ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', '--no-package-lock', `onnxruntime-node@${ONNXRUNTIME_VERSION}`], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 15 * 60_000,
      env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', ONNXRUNTIME_NODE_INSTALL_CUDA: 'skip' },
    });
    if (r.status !== 0) return `npm install onnxruntime-node@${ONNXRUNTIME_VERSION} failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
  }
  try {
    return createRequire(join(dir, 'package.json'))('onnxruntime-node') as OrtModule;
  } catch (e) {
    return `onnxruntime-node does not load: ${(e as Error).message.split('\n')[0]}`;
  }
}

/** Exports the models (cached per torch version, opset and size); model -> .onnx path or an error. */
function exportModels(models: readonly string[], root: string, size: number): Map<string, { path?: string; error?: string }> {
  const out = new Map<string, { path?: string; error?: string }>();
  const torch = spawnSync(python, ['-c', 'import torch, torchvision; print(torch.__version__)'], { encoding: 'utf8' });
  if (torch.status !== 0) {
    for (const m of models) out.set(m, { error: `no PyTorch for ${python} to export the model (apt-get install python3-torch python3-torchvision)` });
    return out;
  }
  const dir = join(root, 'onnx', `torch-${torch.stdout.trim()}-opset${OPSET}-${size}px`);
  const r = spawnSync(python, [exporter, '--models', models.join(','), '--out', dir, '--size', String(size), '--opset', String(OPSET)], {
    encoding: 'utf8',
    timeout: 30 * 60_000,
    maxBuffer: 16 << 20,
  });
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const o = JSON.parse(line) as { model: string; path?: string; error?: string };
    out.set(o.model, o);
  }
  for (const m of models) if (!out.has(m)) out.set(m, { error: `the ONNX export failed (exit ${r.status}): ${(r.stderr || '').trim().split('\n').pop()}` });
  return out;
}

/**
 * Median forward time of each model at each batch in onnxruntime-node on `threads` intra-op
 * threads (sequential execution, all graph optimisations, no spinning: idle threads sleep, as
 * MetaOp's and PyTorch's do with OMP_WAIT_POLICY=PASSIVE), after one untimed run. Throws nothing:
 * an install, export or load failure is a reason string.
 */
export async function runOnnxRuntime(
  models: readonly string[],
  batches: readonly number[],
  size: number,
  threads: number,
  repeat: number,
  note: (line: string) => void,
): Promise<OrtTimes | string> {
  const root = benchDir();
  const ort = loadOnnxRuntime(root, note);
  if (typeof ort === 'string') return ort;
  note(`[bench-models] exporting ${models.join(', ')} to ONNX (cached in ${join(root, 'onnx')}) ...`);
  const files = exportModels(models, root, size);
  const times: OrtTimes = { version: `onnxruntime-node ${ort.env.versions.node ?? ONNXRUNTIME_VERSION}`, ms: new Map(), errors: new Map() };
  for (const model of models) {
    const file = files.get(model);
    if (!file?.path) {
      times.errors.set(model, file?.error ?? 'not exported');
      continue;
    }
    let session: OrtSession;
    try {
      session = await ort.InferenceSession.create(file.path, {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        extra: { session: { intra_op: { allow_spinning: '0' } } },
      });
    } catch (e) {
      times.errors.set(model, `onnxruntime cannot load it: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    const side = model === 'inception_v3' && size === 224 ? 299 : size;
    for (const batch of batches) {
      const data = Float32Array.from({ length: batch * 3 * side * side }, (_, i) => Math.sin(i) * 0.5);
      const feeds = { input: new ort.Tensor('float32', data, [batch, 3, side, side]) };
      await session.run(feeds);
      const ts: number[] = [];
      for (let i = 0; i < repeat; i++) {
        const t = performance.now();
        await session.run(feeds);
        ts.push(performance.now() - t);
      }
      times.ms.set(`${model}@${batch}`, median(ts));
      note(`[bench-models] onnxruntime ${model} batch ${batch}: ${median(ts).toFixed(1)} ms per forward`);
    }
    await session.release?.();
  }
  return times;
}
