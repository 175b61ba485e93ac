// Model rows of `pnpm bench`, each run by the examples app in a child process (so every model's
// memory is returned, and peak RSS is a process's own): backbone forwards at batch 1 and 8 beside
// PyTorch and onnxruntime-node (bench-models), the ResNet-18 batch-8 SGD step with both peak RSS
// (bench-train), and the Fashion-MNIST demo epoch beside the same recipe in PyTorch.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { basis, makeRow, target } from './report.mjs';

const cli = new URL('../apps/examples/dist/cli.js', import.meta.url).pathname;
const fashionTorch = new URL('../apps/examples/python/fashion_mnist_torch.py', import.meta.url).pathname;

/** The 16 backbones of the issue (Jittor's seed set). */
export const seedBackbones = [
  'alexnet', 'vgg11', 'vgg13', 'vgg16', 'vgg19', 'resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152',
  'squeezenet1_0', 'squeezenet1_1', 'mobilenet_v2', 'googlenet', 'inception_v3', 'shufflenet_v2_x1_0',
];
/** The backbones compared with onnxruntime-node. */
const ortModels = ['resnet18', 'resnet50', 'mobilenet_v2', 'alexnet', 'vgg11'];

/** Runs an example with --json; returns its figures or why it failed. Progress goes to our stderr. */
function example(args, log) {
  if (!existsSync(cli)) return { problem: 'apps/examples is not built (pnpm build)' };
  log(`[bench] metaop-example ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [cli, ...args, '--json'], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 64 << 20 });
  const last = r.stdout?.trim().split('\n').pop() ?? '';
  if (r.status === 0 && last.startsWith('{')) return { figures: JSON.parse(last), stdout: r.stdout };
  return { problem: `${args[0]} exited ${r.status}` };
}

/** Forward rows; returns { rows, notes, gflop } (gflop: model -> conv+linear GFLOP per image). */
export function modelRows({ quick, models, threads, ceilings, log }) {
  const list = models === 'all' ? seedBackbones : models ? models.split(',') : quick ? ['resnet18'] : ortModels;
  const ort = list.filter((m) => ortModels.includes(m));
  const repeat = quick ? 3 : 5;
  const args = ['bench-models', '--models', list.join(','), '--batches', '1,8', '--repeat', String(repeat), '--threads', String(threads)];
  if (ort.length > 0) args.push('--onnxruntime', ort.join(','));
  const { figures, problem } = example(args, log);
  const rows = [];
  const notes = [];
  const gflop = new Map();
  if (!figures) return { rows: [makeRow({ section: 'models', name: `backbone forwards (${list.join(', ')})`, note: problem })], notes, gflop };
  notes.push(
    `model rows: median of ${repeat} forwards after one untimed forward (which compiles), random weights, 224x224 (299 for inception_v3); ` +
      `${figures.pytorch ?? 'no PyTorch'} with OMP_WAIT_POLICY=PASSIVE; ${figures.onnxruntime ?? `no onnxruntime-node (${figures.onnxruntimeProblem ?? 'not asked'})`}` +
      (figures.onnxruntime ? ' (sequential, all graph optimisations, no spinning)' : '') +
      '; fraction of peak from conv+linear FLOP counted by PyTorch hooks',
  );
  if (figures.onnxruntimeProblem && figures.onnxruntime) notes.push(`onnxruntime-node: ${figures.onnxruntimeProblem}`);
  for (const r of figures.results) {
    if (r.gflopPerImage) gflop.set(r.model, r.gflopPerImage);
    const work = r.gflopPerImage ? basis.msFor(r.gflopPerImage * r.batch) : undefined;
    rows.push(
      makeRow(
        {
          section: 'models',
          name: `${r.model} forward, batch ${r.batch}`,
          ours: r.ms,
          unit: 'ms',
          refName: figures.pytorch ? 'PyTorch' : 'none (no PyTorch)',
          refValue: r.torchMs ?? undefined,
          basis: work,
          target: target.ratioAtMost(1.0),
        },
        ceilings,
      ),
    );
    if (ort.includes(r.model)) {
      rows.push(
        makeRow(
          {
            section: 'models',
            name: `${r.model} forward, batch ${r.batch}`,
            ours: r.ms,
            unit: 'ms',
            refName: r.ortMs ? 'onnxruntime-node' : `none (${figures.onnxruntimeProblem ?? 'onnxruntime failed'})`,
            refValue: r.ortMs ?? undefined,
            basis: work,
            target: target.ratioAtMost(r.batch === 8 ? 1.5 : 2.0),
          },
          ceilings,
        ),
      );
    }
  }
  return { rows, notes, gflop };
}

/** conv + linear FLOP per image of the Fashion-MNIST demo's network, forward (2 per multiply-add). */
const lenetGflop = (2 * (28 * 28 * 16 * 25 + 10 * 10 * 32 * 16 * 25 + 800 * 120 + 120 * 84 + 84 * 10)) / 1e9;

/** Training rows: the ResNet-18 batch-8 SGD step with peak RSS, and the Fashion-MNIST demo epoch. */
export function trainRows({ quick, threads, ceilings, work, log, gflop }) {
  const rows = [];
  const notes = [];
  const add = (r) => rows.push(makeRow({ section: 'train', ...r }, ceilings));

  const steps = quick ? 3 : 7;
  const t = example(['bench-train', '--model', 'resnet18', '--batch', '8', '--steps', String(steps), '--threads', String(threads)], log);
  if (t.figures) {
    const f = t.figures;
    const g = gflop?.get('resnet18');
    notes.push(
      `training step: median of ${steps} steps after 2 untimed ones (compile; first momentum step), SGD lr 0.01 momentum 0.9, cross-entropy, ` +
        `random weights and data; ${f.pytorch ?? `no PyTorch (${f.pytorchProblem})`}; peak RSS = each process's VmHWM (includes the runtimes${f.rssAtStartMb ? `, MetaOp's node process had ${f.rssAtStartMb.toFixed(0)} MB before the model` : ''}, and MetaOp's buffer pool)` +
        (g ? '; fraction of peak counts 3x the forward FLOP' : ''),
    );
    add({
      name: 'ResNet-18 SGD training step, batch 8',
      ours: f.ms,
      unit: 'ms',
      refName: f.torchMs ? 'PyTorch' : `none (${f.pytorchProblem})`,
      refValue: f.torchMs ?? undefined,
      basis: g ? basis.msFor(3 * g * 8) : undefined,
      target: target.ratioAtMost(1.0),
    });
    add({
      name: 'peak RSS of that training process',
      ours: f.peakRssMb ?? undefined,
      unit: 'MB',
      refName: f.torchPeakRssMb ? 'PyTorch' : `none (${f.pytorchProblem})`,
      refValue: f.torchPeakRssMb ?? undefined,
      target: { ...target.ratioAtMost(1.0), text: '≤ 1× ref RSS' },
    });
  } else add({ name: 'ResNet-18 SGD training step, batch 8', note: t.problem });

  // The demo epoch: a short run first fills the kernel cache, so the timed epoch loads kernels from
  // disk (planning is in it, as a user sees it); PyTorch runs the same recipe from a cold start too.
  const images = quick ? 6400 : 60000;
  const out = join(work, 'fashion-mnist');
  const common = ['fashion-mnist', '--epochs', '1', '--test-limit', '1000', '--out', out];
  const warm = example([...common, '--train-limit', '128'], log);
  const m = warm.figures ? example([...common, '--train-limit', String(images)], log) : warm;
  let torch;
  let torchProblem;
  if (existsSync('/usr/bin/python3')) {
    log(`[bench] PyTorch Fashion-MNIST epoch (${images} images, ${threads} threads) ...`);
    const r = spawnSync('/usr/bin/python3', [fashionTorch, '--epochs', '1', '--train-limit', String(images), '--test-limit', '1000', '--threads', String(threads)], {
      encoding: 'utf8',
      env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE', OMP_NUM_THREADS: String(threads) },
    });
    const last = r.stdout?.trim().split('\n').pop() ?? '';
    if (r.status === 0 && last.startsWith('{')) torch = JSON.parse(last);
    else torchProblem = `fashion_mnist_torch.py exited ${r.status}: ${(r.stderr || '').trim().split('\n').pop()}`;
  } else torchProblem = 'no /usr/bin/python3';
  if (m.figures) {
    notes.push(`Fashion-MNIST epoch: ${images} training images, batch 64, SGD momentum 0.9 with the cosine schedule; training time only (evaluation excluded); MetaOp's kernels from a warm disk cache, planning included; fraction of peak counts 3x the forward FLOP`);
    add({
      name: `Fashion-MNIST demo epoch (${images} images, batch 64)`,
      ours: m.figures.imagesPerSecond,
      unit: 'img/s',
      refName: torch ? 'PyTorch' : `none (${torchProblem})`,
      refValue: torch?.epochs?.[0]?.images_per_second,
      basis: { kind: 'fma', rate: (imgs) => 3 * lenetGflop * imgs },
      target: { ...target.ratioAtLeast(1.0), text: '≥ 1× ref img/s' },
    });
  } else add({ name: `Fashion-MNIST demo epoch (${images} images)`, note: m.problem });
  return { rows, notes };
}
