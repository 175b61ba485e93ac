// One vitest run over every package; workspace packages resolve to their sources so tests
// never run against a stale build.
import { readdirSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

const root = import.meta.dirname;
const alias: { find: RegExp; replacement: string }[] = [];
for (const dir of readdirSync(resolve(root, 'packages'))) {
  const entry = resolve(root, 'packages', dir, 'src/index.ts');
  if (existsSync(entry)) alias.push({ find: new RegExp(`^@metaop/${dir}$`), replacement: entry });
  const testing = resolve(root, 'packages', dir, 'src/testing/index.ts');
  if (existsSync(testing)) alias.push({ find: new RegExp(`^@metaop/${dir}/testing$`), replacement: testing });
}

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    setupFiles: [resolve(root, 'tools/vitest-setup.ts')],
    // Compile progress lines are for people at a terminal, not test logs.
    // Test workers share the cores: OpenMP threads should sleep, not spin, while they wait.
    env: { METAOP_PROGRESS: process.env.METAOP_PROGRESS ?? '0', OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY ?? 'passive' },
  },
});
