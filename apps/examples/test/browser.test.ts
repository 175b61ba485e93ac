// The js backend in a real browser: ops + compiler + backend-js bundled with esbuild, served from
// localhost, run in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core); an
// MLP's forward and backward there must match the same computation in Node.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as M from '@metaop/ops';
import '@metaop/backend-js';
import { mlpStep, type MlpResult } from './browser/mlp.js';

const chromiumPath = '/usr/bin/chromium';
const missing = existsSync(chromiumPath) ? undefined : `${chromiumPath} not found (apt-get install chromium; the root \`pnpm test\` installs it as root)`;
if (missing) console.warn(`[examples tests] skipping the browser test: ${missing}`);

const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const packageSource = (name: string) => join(root, 'packages', name, 'src', 'index.ts');

type PageResult = MlpResult & { backend: string; launches: number; kernelsCompiled: number };

describe.skipIf(missing !== undefined)('js backend in headless Chromium', () => {
  let dir = '';
  let server: Server | undefined;
  let browser: Browser | undefined;
  let url = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'metaop-browser-'));
    await build({
      entryPoints: [fileURLToPath(new URL('./browser/page.ts', import.meta.url))],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      outfile: join(dir, 'bundle.js'),
      // The packages' sources, as the tests use them: no stale dist, no Node built-ins allowed.
      alias: Object.fromEntries(['core', 'ops', 'compiler', 'backend-js'].map((p) => [`@metaop/${p}`, packageSource(p)])),
      logLevel: 'silent',
    });
    const files: Record<string, [string, string]> = {
      '/': ['text/html', '<!doctype html><meta charset="utf-8"><title>MetaOp in the browser</title><script type="module" src="/bundle.js"></script>'],
      '/bundle.js': ['text/javascript', readFileSync(join(dir, 'bundle.js'), 'utf8')],
    };
    server = createServer((req, res) => {
      const f = files[req.url ?? ''];
      res.writeHead(f ? 200 : 404, { 'content-type': f ? f[0] : 'text/plain' });
      res.end(f ? f[1] : 'not found');
    });
    await new Promise<void>((ok) => (server as Server).listen(0, '127.0.0.1', ok));
    const address = server.address() as { port: number };
    url = `http://127.0.0.1:${address.port}/`;
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((ok) => (server ? server.close(ok) : ok(undefined)));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs a small MLP forward and backward on generated JavaScript kernels, matching Node', { timeout: 120_000 }, async () => {
    const page = await (browser as Browser).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForFunction(() => (globalThis as unknown as { metaopReady?: boolean }).metaopReady === true, undefined, { timeout: 30_000 });
    const inBrowser = (await page.evaluate(() => (globalThis as unknown as { runMlp(): unknown }).runMlp())) as PageResult;
    expect(errors).toEqual([]);
    expect(inBrowser.backend).toBe('js');
    expect(inBrowser.kernelsCompiled).toBeGreaterThan(0);
    expect(inBrowser.launches).toBeGreaterThan(0);

    const inNode = M.withBackend('js', () => mlpStep(M));
    // The float64 oracle as the ground truth for both.
    const truth = M.withBackend('reference', () => mlpStep(M));
    expect(inBrowser.loss).toBeCloseTo(inNode.loss, 6);
    expect(inBrowser.loss).toBeCloseTo(truth.loss, 5);
    expect(inBrowser.logits).toHaveLength(12);
    for (const key of ['w1', 'b1', 'w2', 'b2'] as const) {
      expect(inBrowser.grads[key]).toHaveLength(inNode.grads[key].length);
      inBrowser.grads[key].forEach((g, i) => {
        expect(g, `${key}[${i}] browser vs node`).toBeCloseTo(inNode.grads[key][i], 6);
        expect(g, `${key}[${i}] browser vs float64 oracle`).toBeCloseTo(truth.grads[key][i], 5);
      });
    }
    // A gradient that is all zeros would match trivially; this one is not.
    expect(Math.max(...inBrowser.grads.w1.map(Math.abs))).toBeGreaterThan(1e-3);
    await page.close();
  });
});
