// Test support: torchvision's state-dict fixture, and PyTorch references produced at test time by
// scripts/convert_torchvision.py --serve (seeded random weights, an input, PyTorch's eval output).
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
export const python = '/usr/bin/python3';
export const converter = join(here, '..', '..', 'scripts', 'convert_torchvision.py');

/** Spec ('name' or 'name:arg=value,...') -> [[key, shape], ...] in torchvision's state-dict order. */
export type StateDictFixture = Record<string, [string, number[]][]>;

export function stateDictFixture(): StateDictFixture {
  return JSON.parse(gunzipSync(readFileSync(join(here, '..', 'fixtures', 'torchvision-state-dicts.json.gz'))).toString('utf8')) as StateDictFixture;
}

/** Why PyTorch references cannot be made here, or null when torch and torchvision import. */
export function torchUnavailable(): string | null {
  const r = spawnSync(python, ['-c', 'import torch, torchvision'], { encoding: 'utf8' });
  if (r.error) return `${python} could not be run (${r.error.message})`;
  if (r.status !== 0) return `${python} cannot import torch and torchvision: ${r.stderr.trim().split('\n').pop()}`;
  return null;
}

/** torchvision constructor arguments, by torchvision's names. */
export type TorchKwargs = Record<string, number | boolean>;

export interface ReferenceRequest {
  tag: string;
  name: string;
  kwargs?: TorchKwargs;
  seed: number;
  inputShape: number[];
  /** The dtype PyTorch computes the output in (default float64). */
  referenceDtype?: 'float32' | 'float64';
  /** Also write PyTorch's float32 output ('output_float32'), to compare rounding errors with. */
  alsoFloat32?: boolean;
}

export interface Reference {
  /** The seeded random state dict (safetensors). */
  weights: string;
  /** 'input' (float32), PyTorch's eval 'output' and, when asked, 'output_float32' (safetensors). */
  io: string;
  /** Seconds Python spent on this model. */
  seconds: number;
}

/** One long-lived `convert_torchvision.py --serve` process; requests are answered in order. */
export class TorchReferences {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #waiting: { resolve: (r: Reference) => void; reject: (e: Error) => void; tag: string }[] = [];
  readonly #requested = new Map<string, Promise<Reference>>();
  #buffer = '';
  #stderr = '';

  constructor(readonly dir: string) {
    this.#child = spawn(python, [converter, '--serve'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child.stdout.setEncoding('utf8');
    this.#child.stdout.on('data', (chunk: string) => this.#receive(chunk));
    this.#child.stderr.setEncoding('utf8');
    this.#child.stderr.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-4000);
    });
    this.#child.on('exit', (code) => {
      for (const w of this.#waiting.splice(0)) w.reject(new Error(`the reference process exited (code ${code}) before answering for ${w.tag}:\n${this.#stderr}`));
    });
  }

  #receive(chunk: string): void {
    this.#buffer += chunk;
    let nl: number;
    while ((nl = this.#buffer.indexOf('\n')) >= 0) {
      const line = this.#buffer.slice(0, nl);
      this.#buffer = this.#buffer.slice(nl + 1);
      const w = this.#waiting.shift();
      if (!w) continue;
      const reply = JSON.parse(line) as { ok: boolean; error?: string } & Reference;
      if (reply.ok) w.resolve(reply);
      else w.reject(new Error(`PyTorch reference for ${w.tag} failed: ${reply.error}`));
    }
  }

  /** Asks for a reference (at most once per tag); Python works on it while the caller does other things. */
  request(r: ReferenceRequest): Promise<Reference> {
    let p = this.#requested.get(r.tag);
    if (!p) {
      p = new Promise<Reference>((resolve, reject) => this.#waiting.push({ resolve, reject, tag: r.tag }));
      p.catch(() => undefined); // a prefetched reference that fails is reported when awaited
      const line = { tag: r.tag, name: r.name, kwargs: r.kwargs ?? {}, seed: r.seed, input_shape: r.inputShape, reference_dtype: r.referenceDtype ?? 'float64', also_float32: r.alsoFloat32 ?? false, dir: this.dir };
      this.#child.stdin.write(`${JSON.stringify(line)}\n`);
      this.#requested.set(r.tag, p);
    }
    return p;
  }

  close(): void {
    this.#child.stdin.end();
  }
}

/** ||got - want|| / ||want||. */
export function relativeL2(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < want.length; i++) {
    num += (got[i] - want[i]) ** 2;
    den += want[i] ** 2;
  }
  return Math.sqrt(num / den);
}
