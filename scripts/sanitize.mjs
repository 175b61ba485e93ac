#!/usr/bin/env node
// `pnpm sanitize`: the op battery and random compositions on the c backend built with
// AddressSanitizer + UndefinedBehaviorSanitizer (METAOP_SANITIZE=1), the ASan runtime preloaded
// into Node (packages/backend-c/test/sanitized.test.ts under vitest). A sanitizer report aborts
// the process; the script records the seed it was running and goes on from the next one, so a long
// run counts every failing seed. Options: --seconds N (budget, default 600), --compositions N
// (default 20000), --first-seed N (default 1), --skip-seeds a,b (known failures), --report FILE.
// Exit status 0 only when every case matched the float64 oracle and no sanitizer reported anything.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '600' },
    compositions: { type: 'string', default: '20000' },
    'first-seed': { type: 'string', default: '1' },
    'skip-seeds': { type: 'string', default: '' },
    report: { type: 'string' },
  },
});
const root = fileURLToPath(new URL('..', import.meta.url));
const cc = (process.env.CC ?? 'gcc').trim().split(/\s+/)[0];
const asan = execFileSync(cc, ['-print-file-name=libasan.so'], { encoding: 'utf8' }).trim();
if (!asan.startsWith('/')) {
  console.error(`sanitize: ${cc} has no libasan.so (it printed '${asan}'); install the compiler's AddressSanitizer runtime`);
  process.exit(2);
}
const vitest = join(root, 'node_modules/vitest/vitest.mjs');
const work = mkdtempSync(join(tmpdir(), 'metaop-sanitize-'));
const report = join(work, 'summary.json');
const deadline = Date.now() + Number(values.seconds) * 1000;
const total = { battery: 0, compositions: 0, kernels: 0, mismatches: [], sanitizerReports: [], skipped: values['skip-seeds'].split(',').filter(Boolean).map(Number) };
let seed = Number(values['first-seed']);
let remaining = Number(values.compositions);
let battery = true;
let failed = false;
while (!failed && remaining > 0 && Date.now() < deadline) {
  const env = {
    ...process.env,
    LD_PRELOAD: [asan, process.env.LD_PRELOAD].filter(Boolean).join(' '),
    // Node itself never frees some memory at exit: leak reports would be about Node, not kernels.
    ASAN_OPTIONS: ['detect_leaks=0', process.env.ASAN_OPTIONS].filter(Boolean).join(':'),
    UBSAN_OPTIONS: ['print_stacktrace=1', process.env.UBSAN_OPTIONS].filter(Boolean).join(':'),
    METAOP_SANITIZE: '1',
    METAOP_BACKEND: 'c',
    METAOP_SANITIZE_BATTERY: battery ? '1' : '0',
    METAOP_SANITIZE_SECONDS: String(Math.max(1, (deadline - Date.now()) / 1000)),
    METAOP_SANITIZE_COMPOSITIONS: String(remaining),
    METAOP_SANITIZE_FIRST_SEED: String(seed),
    METAOP_SANITIZE_SKIP: values['skip-seeds'],
    METAOP_SANITIZE_REPORT: report,
  };
  rmSync(report, { force: true });
  const r = spawnSync(process.execPath, [vitest, 'run', 'packages/backend-c/test/sanitized.test.ts'], { cwd: root, env, encoding: 'utf8', maxBuffer: 1 << 30 });
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  battery = false;
  if (existsSync(report)) {
    const s = JSON.parse(readFileSync(report, 'utf8'));
    total.battery += s.battery;
    total.compositions += s.compositions;
    seed = s.lastSeed + 1;
    total.kernels += s.kernels;
    total.mismatches.push(...s.mismatches);
    if (r.status !== 0 && s.mismatches.length === 0) failed = true; // a battery case failed
    break;
  }
  const current = `${report}.current`;
  if (!existsSync(current)) {
    failed = true; // aborted outside the compositions (the battery)
    break;
  }
  const at = Number(readFileSync(current, 'utf8'));
  rmSync(current);
  const out = `${r.stdout}\n${r.stderr}`;
  const what = [...out.matchAll(/(ERROR: AddressSanitizer: [^\n]*|runtime error: [^\n]*|SUMMARY: [^\n]*)/g)].map((m) => m[1].replace(/ on address 0x[0-9a-f]+.*$/, ''));
  total.sanitizerReports.push({ seed: at, report: what.slice(0, 2).join(' | ') || `exit status ${r.status}` });
  const ran = at - seed - total.skipped.filter((k) => k >= seed && k < at).length;
  total.compositions += ran + 1;
  remaining -= ran + 1;
  seed = at + 1;
}
rmSync(work, { recursive: true, force: true });
const ok = !failed && total.mismatches.length === 0 && total.sanitizerReports.length === 0;
const summary = { ...total, lastSeed: seed - 1, ok, seconds: Math.round((Date.now() - (deadline - Number(values.seconds) * 1000)) / 1000) };
console.log(`[sanitize] summary ${JSON.stringify(summary)}`);
if (values.report) writeFileSync(values.report, JSON.stringify(summary));
process.exit(ok ? 0 : 1);
