// The battery and random compositions on the c backend in sanitizer mode (ASan + UBSan, exact-size
// buffers). Runs only inside a process started by scripts/sanitize.mjs (METAOP_SANITIZE=1 with the
// ASan runtime preloaded); an out-of-bounds access aborts the run with ASan's report. Compositions
// run in batches of 100 until METAOP_SANITIZE_COMPOSITIONS are done or METAOP_SANITIZE_SECONDS have passed.
import { rmSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import '@metaop/backend-c';
import { compileAhead, differential } from '@metaop/compiler/testing';
import { opCases, randomComposition } from '@metaop/ops/testing';
import { getBackend, setBackend } from '@metaop/ops';

const active = process.env.METAOP_SANITIZE === '1' && (process.env.LD_PRELOAD ?? '').includes('libasan');
const seconds = Number(process.env.METAOP_SANITIZE_SECONDS ?? 120);
const maxCompositions = Number(process.env.METAOP_SANITIZE_COMPOSITIONS ?? 3000);
const firstSeed = Number(process.env.METAOP_SANITIZE_FIRST_SEED ?? 1);
const battery = process.env.METAOP_SANITIZE_BATTERY !== '0';
const skip = new Set((process.env.METAOP_SANITIZE_SKIP ?? '').split(',').filter(Boolean).map(Number));
/** Summary JSON at the end; while a composition runs, `<report>.current` holds its seed (an ASan abort leaves it). */
const report = process.env.METAOP_SANITIZE_REPORT;
/** Compositions planned and compiled together (one compile batch); the budget is checked between batches. */
const CHUNK = 100;

describe.skipIf(!active)('c backend under AddressSanitizer and UndefinedBehaviorSanitizer', () => {
  beforeAll(() => {
    setBackend('c');
    if (battery) compileAhead(opCases, 'c');
  }, 1_800_000);

  it('runs with sanitized kernels', () => {
    expect(getBackend().label).toContain('-fsanitize=address,undefined');
  });

  let batteryPassed = 0;
  for (const c of battery ? opCases : []) {
    it(c.name, () => {
      expect(differential('c', c)).toBeNull();
      batteryPassed++;
    });
  }

  it('random compositions, as many as the budget allows', { timeout: (seconds + 600) * 1000 }, () => {
    const started = Date.now();
    const elapsed = () => (Date.now() - started) / 1000;
    const mismatches: string[] = [];
    let done = 0;
    let kernels = 0;
    let seed = firstSeed;
    while (done < maxCompositions && elapsed() < seconds) {
      const seeds: number[] = [];
      for (; seeds.length < Math.min(CHUNK, maxCompositions - done); seed++) if (!skip.has(seed)) seeds.push(seed);
      const chunk = seeds.map((s) => ({ seed: s, c: randomComposition(s) }));
      kernels += compileAhead(chunk.map((x) => x.c), 'c');
      for (const { seed: s, c } of chunk) {
        if (report) writeFileSync(`${report}.current`, String(s));
        const problem = differential('c', c);
        if (problem) mismatches.push(`seed ${s}: ${problem}`);
        done++;
      }
    }
    const summary = { battery: battery ? batteryPassed : 0, compositions: done, lastSeed: seed - 1, kernels, mismatches, seconds: Math.round(elapsed()) };
    console.log(`[sanitize] ${JSON.stringify({ ...summary, mismatches: mismatches.length })}`);
    if (report) {
      writeFileSync(report, JSON.stringify(summary));
      rmSync(`${report}.current`, { force: true });
    }
    expect(mismatches).toEqual([]);
    expect(done).toBeGreaterThan(0);
  });
});
