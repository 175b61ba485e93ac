// `custom-op`: new operators in a few lines of reindex / reindexReduce, gradients that come for
// free (checked here against central finite differences), and the one fused kernel the compiler
// makes of them.
import type { Var } from '@metaop/core';
import { elideCHelpers, explain } from '@metaop/compiler';
import { grad, mul, randn, reindex, reindexReduce, sum, tensor } from '@metaop/ops';
import type { Example } from '../../cli/example.js';
import { useBackend } from '../../runtime/backend.js';

/** Nearest-neighbour upsampling of [N, C, H, W] by an integer factor: one reindex. */
export function upsampleNearest(x: Var, factor: number): Var {
  const [n, c, h, w] = x.shape;
  return reindex(x, [n, c, h * factor, w * factor], ['i0', 'i1', `i2/${factor}`, `i3/${factor}`]);
}

/** "Energy pooling": the sum of squares of each k x k block (a partial block at the edge is dropped). */
export function energyPool(x: Var, k: number): Var {
  const [n, c, h, w] = x.shape;
  const shape = [n, c, Math.floor(h / k), Math.floor(w / k)];
  // Each input element names the output cell it is added into; cells past the edge are skipped.
  return reindexReduce(mul(x, x), 'add', shape, ['i0', 'i1', `i2/${k}`, `i3/${k}`]);
}

/** The two definitions above, shown to the user as the point of the example. */
const definitions = `
function upsampleNearest(x, factor) {            // one reindex: out[n,c,i,j] = x[n,c,i/f,j/f]
  const [n, c, h, w] = x.shape;
  return reindex(x, [n, c, h * factor, w * factor], ['i0', 'i1', \`i2/\${factor}\`, \`i3/\${factor}\`]);
}

function energyPool(x, k) {                       // one reindexReduce: out[n,c,i/k,j/k] += x[n,c,i,j]^2
  const [n, c, h, w] = x.shape;
  const shape = [n, c, Math.floor(h / k), Math.floor(w / k)];
  return reindexReduce(mul(x, x), 'add', shape, ['i0', 'i1', \`i2/\${k}\`, \`i3/\${k}\`]);  // cells past the edge are skipped
}`.trim();

/** Random float64 values as a realized leaf (the gradient check runs in double precision). */
function leaf(shape: number[], seed: number): Var {
  return tensor(randn(shape, { seed }).cast('float64').dataSync(), shape, 'float64');
}

export const customOp: Example = {
  name: 'custom-op',
  summary: 'define operators with reindex/reindexReduce, check their free gradients, see the fused kernel',
  usage: 'pnpm example custom-op [--backend c|js|bang|reference] [--size 6] [--factor 2] [--pool 3]',
  options: [
    { name: 'size', type: 'number', default: 6, description: 'height and width of the input x [1, 2, size, size]' },
    { name: 'factor', type: 'number', default: 2, description: 'upsampling factor' },
    { name: 'pool', type: 'number', default: 3, description: 'pooling block size' },
    { name: 'eps', type: 'number', default: 1e-6, description: 'finite-difference step' },
  ],
  async run(args, io) {
    const backend = await useBackend(args.string('backend'), 'c');
    const smoke = args.flag('smoke');
    const size = smoke ? 4 : (args.number('size') as number);
    const factor = args.number('factor') as number;
    const k = args.number('pool') as number;
    const eps = args.number('eps') as number;
    io.print('Two new operators, each a single meta-op:\n');
    io.print(definitions);

    // The composite: pool(upsample(x) * g + b), weighted by r and summed into a scalar loss.
    const x = leaf([1, 2, size, size], 1);
    const up = [1, 2, size * factor, size * factor];
    const g = leaf(up, 2);
    const b = leaf(up, 3);
    const pooledShape = [1, 2, Math.floor((size * factor) / k), Math.floor((size * factor) / k)];
    const r = leaf(pooledShape, 4);
    const forward = (input: Var) => energyPool(upsampleNearest(input, factor).mul(g).add(b), k);
    const y = forward(x);
    const fwd = explain(y);
    io.print(`\ny = energyPool(upsampleNearest(x, ${factor}) * g + b, ${k})   x ${x.describe()} -> y ${y.describe()}`);
    io.print(`the compiler (${fwd.backend}) makes ${fwd.kernels.length} kernel${fwd.kernels.length === 1 ? '' : 's'} of it:`);
    for (const kern of fwd.kernels) io.print(`  ${kern.name}: fuses ${kern.ops.join('; ')}`);
    const main = fwd.kernels[fwd.kernels.length - 1];
    if (main) {
      io.print('\ngenerated source of that kernel:\n');
      io.print(elideCHelpers(main.source, '/* MetaOp helpers omitted */\n').trim());
    }

    // Gradients come for free: the gradient of reindex is a reindexReduce(add) and vice versa.
    const loss = (input: Var) => sum(mul(forward(input), r));
    const [dx] = grad(loss(x), [x]);
    const back = explain(dx);
    const metaOpsUsed = [...new Set(back.kernels.flatMap((kern) => kern.ops.map((o) => o.split(' ')[0])))];
    io.print(`\ndloss/dx is again a lazy graph of meta-ops (${back.kernels.length} kernel${back.kernels.length === 1 ? '' : 's'}): ${metaOpsUsed.join(', ')}`);
    const analytic = Float64Array.from(dx.dataSync());

    // Central finite differences, element by element.
    const base = Float64Array.from(x.dataSync());
    let maxAbs = 0;
    let maxRel = 0;
    for (let i = 0; i < base.length; i++) {
      const at = (delta: number) => {
        const p = Float64Array.from(base);
        p[i] += delta;
        return loss(tensor(p, x.shape, 'float64')).item();
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      const err = Math.abs(numeric - analytic[i]);
      maxAbs = Math.max(maxAbs, err);
      maxRel = Math.max(maxRel, err / Math.max(1e-8, Math.abs(numeric), Math.abs(analytic[i])));
    }
    const passed = maxRel < 1e-5;
    io.print(
      `finite differences (eps ${eps}, ${base.length} elements, float64): max abs error ${maxAbs.toExponential(2)}, ` +
        `max rel error ${maxRel.toExponential(2)} -> ${passed ? 'gradient check passed' : 'GRADIENT CHECK FAILED'}`,
    );
    if (!passed) process.exitCode = 1;
    return {
      example: 'custom-op',
      backend: backend.name,
      backendLabel: backend.label,
      inputShape: [...x.shape],
      outputShape: [...y.shape],
      forwardKernels: fwd.kernels.length,
      fusedOps: main ? main.ops.map((o) => o.split(' ')[0]) : [],
      gradientKernels: back.kernels.length,
      gradientMetaOps: metaOpsUsed,
      elementsChecked: base.length,
      maxAbsError: maxAbs,
      maxRelError: maxRel,
      gradientCheck: passed,
    };
  },
};
