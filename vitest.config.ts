// One vitest run over every package; workspace packages resolve to their sources so tests
// never run against a stale build.
import { readdirSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

const root = import.meta.dirname;
const alias: Record<string, string> = {};
for (const dir of readdirSync(resolve(root, 'packages'))) {
  const entry = resolve(root, 'packages', dir, 'src/index.ts');
  if (existsSync(entry)) alias[`@metaop/${dir}`] = entry;
}

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
