import { defineConfig } from 'tsup';

// One executable entry: dist/cli.js (the README's demo and `pnpm example <name>` run it).
export default defineConfig({
  entry: { cli: 'src/cli.ts' },
  format: ['esm'],
  dts: false,
  sourcemap: true,
  clean: true,
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
});
