// The built package (dist/, bundled by esbuild) keeps class names, so errors say `Sequential`, not the
// `_Sequential` esbuild gives a class that refers to itself. Skipped until `pnpm build` has run.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));

describe.skipIf(!existsSync(dist))('class names in the built @metaop/nn', () => {
  it('error messages name nn.Sequential as Sequential', () => {
    const script = `
      const nn = await import(${JSON.stringify(dist)});
      const s = new nn.Sequential(new nn.Linear(2, 2));
      let message = '';
      try { s.loadStateDict({}); } catch (e) { message = e.message; }
      console.log(JSON.stringify({ name: s.constructor.name, message }));`;
    // The child imports no backend package, so it runs on the reference backend whatever the suite's METAOP_BACKEND.
    const env = { ...process.env, METAOP_BACKEND: undefined };
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env }).trim()) as {
      name: string;
      message: string;
    };
    expect(out.name).toBe('Sequential');
    expect(out.message).toContain('loading state dict for Sequential');
    expect(out.message).not.toContain('_Sequential');
  });
});
