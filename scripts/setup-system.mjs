#!/usr/bin/env node
// Installs the Debian packages MetaOp's tests, demo and benchmarks use, where it can (root with
// apt-get), and otherwise says what is missing. Nothing here is required to build or use MetaOp;
// tests that need something absent skip with a message naming it.
//
//   node scripts/setup-system.mjs [--for test|demo|bench]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const purpose = process.argv.includes('--for') ? process.argv[process.argv.indexOf('--for') + 1] : 'test';

const requirements = [
  {
    pkg: ['python3-torch', 'python3-torchvision'],
    why: 'reference outputs from PyTorch (layer, model and op fixtures) and the PyTorch columns of `pnpm bench`',
    for: ['test', 'bench'],
    present: () => spawnSync('/usr/bin/python3', ['-c', 'import torch, torchvision'], { stdio: 'ignore' }).status === 0,
  },
  {
    pkg: ['dataset-fashion-mnist'],
    why: 'Fashion-MNIST training data for the demo, the training tests and the demo-epoch row of `pnpm bench`',
    for: ['test', 'demo', 'bench'],
    present: () => existsSync('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz'),
  },
  {
    pkg: ['fortunes'],
    why: 'English text (/usr/share/games/fortunes) that the char-gpt example trains on',
    for: ['test', 'demo'],
    present: () => existsSync('/usr/share/games/fortunes/fortunes'),
  },
  {
    pkg: ['chromium'],
    why: 'headless browser test of the js backend',
    for: ['test'],
    present: () => existsSync('/usr/bin/chromium'),
  },
  {
    pkg: ['openmpi-bin', 'libopenmpi-dev'],
    why: 'Open MPI (`mpirun`, `mpicc`, libmpi) for @metaop/distributed: its multi-process tests, `mpirun -np N` data-parallel training and the all-reduce rows of `pnpm bench`',
    for: ['test', 'demo', 'bench'],
    present: () => existsSync('/usr/bin/mpirun') && existsSync('/usr/bin/mpicc'),
  },
  {
    pkg: ['libopenblas0-pthread'],
    why: 'OpenBLAS, the matmul reference in `pnpm bench`',
    for: ['bench'],
    present: () => {
      try {
        return execFileSync('/sbin/ldconfig', ['-p'], { encoding: 'utf8' }).includes('libopenblas.so.0');
      } catch {
        return existsSync('/usr/lib/x86_64-linux-gnu/libopenblas.so.0');
      }
    },
  },
];

const wanted = requirements.filter((r) => r.for.includes(purpose));
const missing = wanted.filter((r) => !r.present());
if (missing.length === 0) process.exit(0);

const packages = missing.flatMap((r) => r.pkg);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = existsSync('/usr/bin/apt-get');
if (!isRoot || !hasApt) {
  console.warn(
    `[metaop setup] optional Debian packages are missing: ${packages.join(' ')}\n` +
      missing.map((r) => `  - ${r.pkg.join(', ')}: ${r.why}`).join('\n') +
      `\n  install them with: sudo apt-get install -y ${packages.join(' ')}  (tests that need them are skipped meanwhile)`,
  );
  process.exit(0);
}

console.log(`[metaop setup] installing ${packages.join(' ')} with apt-get (for ${purpose})`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
const install =
  update.status === 0 &&
  spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: 'inherit', env }).status === 0;
if (!install) {
  console.warn('[metaop setup] apt-get could not install everything; the tests that need the missing packages will be skipped');
}
const still = wanted.filter((r) => !r.present());
for (const r of still) console.warn(`[metaop setup] still missing ${r.pkg.join(', ')} (${r.why})`);
