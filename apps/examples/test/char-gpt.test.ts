// char-gpt end to end in --smoke mode (training on the fortunes, evaluations with samples, the
// checkpoint and --resume, report.html), plus its pieces: the vocabulary, the batch offsets (the
// same numbers as the PyTorch twin's), the learning-rate schedule and the corpus fallback.
import { mkdtempSync, readFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fortunesDir, loadCorpus, Vocabulary } from '../src/examples/char-gpt/corpus.js';
import { offsets } from '../src/examples/char-gpt/batches.js';
import { learningRate } from '../src/examples/char-gpt/schedule.js';
import { cliMissing, expectOk, runCli } from './helpers.js';

const noFortunes = existsSync(fortunesDir) ? undefined : `${fortunesDir} is missing (apt-get install fortunes)`;
if (noFortunes && !cliMissing) console.warn(`[examples tests] char-gpt trains on the licence texts instead: ${noFortunes}`);
const twin = fileURLToPath(new URL('../python/char_gpt_torch.py', import.meta.url));
const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

describe('char-gpt pieces', () => {
  it('maps characters to ids in code order and back', () => {
    const v = Vocabulary.of('hello, world\n');
    expect(v.chars).toEqual(['\n', ' ', ',', 'd', 'e', 'h', 'l', 'o', 'r', 'w']);
    const ids = v.encode('world');
    expect(Array.from(ids)).toEqual([9, 7, 8, 6, 3]);
    expect(v.decode(ids)).toBe('world');
    expect(() => v.encode('x')).toThrow(/"x" is not in the vocabulary/);
  });

  it('draws the same batch offsets for the same seed, stream and step, and others otherwise', () => {
    const a = offsets(0, 0, 5, 8, 1000);
    expect(offsets(0, 0, 5, 8, 1000)).toEqual(a);
    expect(offsets(0, 0, 6, 8, 1000)).not.toEqual(a);
    expect(offsets(0, 1, 5, 8, 1000)).not.toEqual(a);
    expect(offsets(1, 0, 5, 8, 1000)).not.toEqual(a);
    for (const o of offsets(3, 0, 0, 1000, 77)) expect(o >= 0 && o < 77 && Number.isInteger(o)).toBe(true);
    // Philox-4x32-10's known answer at counter 0, key 0 (word 0).
    expect(offsets(0, 0, 0, 1, 2 ** 32)).toEqual([0x6627e8d5]);
  });

  it.skipIf(!hasTorch)('draws exactly the offsets the PyTorch twin draws', () => {
    const code = `import sys; sys.path.insert(0, ${JSON.stringify(join(twin, '..'))}); import char_gpt_torch as c; print(c.offsets(7, 2, 123, 16, 2313690))`;
    const r = spawnSync('/usr/bin/python3', ['-c', code], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual(offsets(7, 2, 123, 16, 2313690));
  });

  it('warms up linearly, then follows a cosine down to a tenth of the peak', () => {
    expect(learningRate(0, 1e-3, 10, 110)).toBeCloseTo(1e-4, 12);
    expect(learningRate(9, 1e-3, 10, 110)).toBeCloseTo(1e-3, 12);
    expect(learningRate(10, 1e-3, 10, 110)).toBeCloseTo(1e-3, 12);
    expect(learningRate(60, 1e-3, 10, 110)).toBeCloseTo(0.55e-3, 12);
    expect(learningRate(110, 1e-3, 10, 110)).toBeCloseTo(1e-4, 12);
    expect(learningRate(500, 1e-3, 10, 110)).toBeCloseTo(1e-4, 12);
  });

  it('reads a file or folder the user names, and says what to install when nothing is there', () => {
    const dir = mkdtempSync(join(tmpdir(), 'metaop-corpus-'));
    try {
      writeFileSync(join(dir, 'b.txt'), 'second\r\n');
      writeFileSync(join(dir, 'a.txt'), 'first\n');
      writeFileSync(join(dir, 'a.dat'), 'index');
      const c = loadCorpus(dir);
      expect(c.text).toBe('first\n\nsecond\n');
      expect(c.files).toBe(2);
      expect(loadCorpus(join(dir, 'a.txt')).text).toBe('first\n');
      expect(() => loadCorpus(join(dir, 'none'))).toThrow(/no such file or folder/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(cliMissing !== undefined)('char-gpt example', () => {
  const out = mkdtempSync(join(tmpdir(), 'metaop-chargpt-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('trains, evaluates with samples, writes a checkpoint and a report, then resumes from the saved step', { timeout: 600_000 }, async () => {
    const first = expectOk(await runCli(['char-gpt', '--smoke', '--json', '--out', out]));
    expect(first.example).toBe('char-gpt');
    expect(first.steps).toBe(12);
    const corpus = first.corpus as { characters: number; fallback: boolean };
    expect(corpus.fallback).toBe(noFortunes !== undefined);
    expect(corpus.characters).toBeGreaterThan(100_000);
    const evals = first.evaluations as { step: number; trainLoss: number; valLoss: number }[];
    expect(evals.map((e) => e.step)).toEqual([6, 12]);
    const vocabSize = (first.config as { vocabSize: number }).vocabSize;
    // Twelve AdamW steps from GPT-2's initialisation (loss ≈ ln V at the start) lower the loss.
    expect(evals[0].valLoss).toBeLessThan(Math.log(vocabSize) + 0.05);
    expect(evals[1].trainLoss).toBeLessThan(evals[0].trainLoss);
    expect(typeof first.sample).toBe('string');
    expect((first.sample as string).length).toBe(40);
    expect(existsSync(join(out, 'checkpoint.safetensors'))).toBe(true);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('char-gpt training report');
    expect(html).toContain('<polyline');
    expect(html).toContain('After step 12');

    const resumed = await runCli(['char-gpt', '--smoke', '--json', '--out', out, '--resume', '--steps', '18']);
    const second = expectOk(resumed);
    expect(resumed.stdout).toContain('resuming from');
    expect(second.resumedFromStep).toBe(12);
    expect(second.steps).toBe(18);
    expect((second.evaluations as { step: number }[]).map((e) => e.step)).toEqual([6, 12, 18]);

    const wrong = await runCli(['char-gpt', '--smoke', '--out', out, '--resume', '--n-embd', '48']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/different nEmbd/);
  });
});
