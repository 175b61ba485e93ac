#!/usr/bin/env node
// The README's first command runs this: the Fashion-MNIST example when the examples app is built,
// otherwise a short tensor-and-gradient tour on the default backend.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const example = new URL('../apps/examples/dist/cli.js', import.meta.url);
if (existsSync(example)) {
  const r = spawnSync(process.execPath, [example.pathname, 'fashion-mnist', ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const M = await import('@metaop/ops');
await import('@metaop/backend-js');
await import('@metaop/backend-c');

const backend = M.getBackend();
console.log(`MetaOp tour on backend ${backend.label}`);
const x = M.tensor([[1, 2, 3], [4, 5, 6]]);
const w = M.tensor([[0.5], [-1], [2]]);
const y = M.relu(M.matmul(x, w)).sum();
console.log('x =', x.arraySync());
console.log('y = sum(relu(x @ w)) =', y.item());
const [gx, gw] = M.grad(y, [x, w]);
console.log('dy/dx =', gx.arraySync());
console.log('dy/dw =', gw.arraySync());
const h = M.grad(M.grad(x.pow(3).sum(), x), x);
console.log('second derivative of sum(x^3) = 6x:', h.arraySync());
const img = M.randn([1, 3, 16, 16]);
const k = M.randn([8, 3, 3, 3]);
const out = M.conv2d(img, k, { stride: 2, padding: 1 });
console.log(`conv2d as reindex x broadcast -> reduce: ${img.shape} * ${k.shape} -> ${out.shape}, mean ${out.mean().item().toFixed(4)}`);
