// A ResNet-like basic block, forward and backward, run in a child process by start.mjs to time a
// cold compile and a warm (cached) start. Prints {ms, compiled, hits} as JSON.
const t0 = performance.now();
const ops = await import('@metaop/ops');
await import('@metaop/backend-c');
const backend = ops.setBackend('c');
const x = ops.randn([2, 16, 16, 16], { seed: 1 });
const w1 = ops.randn([16, 16, 3, 3], { seed: 2 }).mul(0.1);
const w2 = ops.randn([16, 16, 3, 3], { seed: 3 }).mul(0.1);
const bn = (h) => {
  const m = ops.mean(h, [0, 2, 3], true);
  const v = ops.variance(h, [0, 2, 3], { keepdim: true, correction: 0 });
  return h.sub(m).div(v.add(1e-5).sqrt());
};
const y = ops.relu(bn(ops.conv2d(ops.relu(bn(ops.conv2d(x, w1, { padding: 1 }))), w2, { padding: 1 })).add(x));
const loss = y.square().mean();
const grads = ops.grad(loss, [w1, w2]);
ops.realize([loss, ...grads]);
const value = loss.item();
const ms = performance.now() - t0;
console.log(JSON.stringify({ ms, value, compiled: backend.cache.stats.compiled, hits: backend.cache.stats.hits }));
