import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // Class names appear in error messages (this.constructor.name); esbuild would rename some (`_Sequential`).
  keepNames: true,
});
