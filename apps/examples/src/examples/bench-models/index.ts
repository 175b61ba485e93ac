// `bench-models`: forward latency and throughput of the backbones at batch 1 and 8 on one backend,
// side by side with PyTorch (same thread count, OMP_WAIT_POLICY=PASSIVE) when it is installed and
// with onnxruntime-node (installed on demand into .bench/), with time ratios. Medians throughout.
import { availableParallelism } from 'node:os';
import type { Var } from '@metaop/core';
import { manualSeed, noGrad, randn } from '@metaop/ops';
import { createModel, isModelName, modelNames } from '@metaop/models';
import type { Example, Json } from '../../cli/example.js';
import { ExampleError } from '../../cli/example.js';
import { UsageError } from '../../cli/args.js';
import { runStats, statsJson, useBackend } from '../../runtime/backend.js';
import { textTable } from '../../ui/table.js';
import { benchDir, ONNXRUNTIME_VERSION, runOnnxRuntime, type OrtTimes } from './onnxruntime.js';
import { pytorchProblem, runPytorch, type TorchTimes } from './pytorch.js';
import { medianMs } from './timing.js';

const defaultModels = ['resnet18', 'mobilenet_v2', 'squeezenet1_1', 'shufflenet_v2_x1_0', 'alexnet', 'googlenet'];
/** The sixteen backbones Jittor benchmarked, plus three. */
const allModels = [
  'alexnet',
  'vgg11',
  'vgg13',
  'vgg16',
  'vgg19',
  'resnet18',
  'resnet34',
  'resnet50',
  'resnet101',
  'resnet152',
  'squeezenet1_0',
  'squeezenet1_1',
  'mobilenet_v2',
  'googlenet',
  'inception_v3',
  'shufflenet_v2_x1_0',
  'resnext50_32x4d',
  'wide_resnet50_2',
  'densenet121',
];

interface Row {
  model: string;
  batch: number;
  /** First forward: planning plus compiling (or loading cached) kernels. */
  firstMs: number;
  /** Median ms per forward. */
  ms: number;
  torchMs?: number;
  ortMs?: number;
}

export const benchModels: Example = {
  name: 'bench-models',
  summary: 'forward latency and throughput of the backbones at batch 1 and 8, side by side with PyTorch and onnxruntime-node',
  usage: 'pnpm example bench-models [--models resnet18,alexnet|all] [--batches 1,8] [--backend c] [--repeat 3] [--onnxruntime all|a,b]',
  options: [
    { name: 'models', type: 'list', default: defaultModels, description: `models to run, or 'all' (${allModels.length} backbones)` },
    { name: 'batches', type: 'list', default: ['1', '8'], description: 'batch sizes' },
    { name: 'size', type: 'number', value: 'px', description: 'input height and width (default 224, 299 for inception_v3; --smoke: 64)' },
    { name: 'repeat', type: 'number', default: 3, description: 'timed forwards per model and batch, after one warm-up (the median is shown)' },
    { name: 'threads', type: 'number', description: 'PyTorch threads (default: the cores MetaOp uses, os.availableParallelism())' },
    { name: 'skip-pytorch', type: 'boolean', description: 'do not run the PyTorch side' },
    {
      name: 'onnxruntime',
      type: 'list',
      description: `add an onnxruntime-node column for these models, or 'all' (installs onnxruntime-node@${ONNXRUNTIME_VERSION} on first use, about 290 MB, and exports the models with PyTorch)`,
    },
  ],
  notes: [
    'PyTorch runs with Debian\'s /usr/bin/python3 (python3-torch, python3-torchvision) in a separate process after MetaOp, with OMP_WAIT_POLICY=PASSIVE.',
    'onnxruntime-node is installed with npm into .bench/onnxruntime/ at the repository root (METAOP_BENCH_DIR moves it), never as a workspace dependency; models are exported to .bench/onnx/.',
  ],
  async run(args, io) {
    const smoke = args.flag('smoke');
    const requested = args.list('models') ?? defaultModels;
    const models = smoke && requested.join() === defaultModels.join() ? ['squeezenet1_1', 'resnet18'] : requested.includes('all') ? allModels : requested;
    for (const m of models) if (!isModelName(m)) throw new ExampleError(`unknown model '${m}'; known: ${modelNames.join(', ')}`);
    const batches = smoke ? [1] : (args.list('batches') ?? []).map(Number);
    if (batches.length === 0 || batches.some((b) => !Number.isInteger(b) || b < 1)) throw new UsageError(`--batches must list positive integers, got ${args.list('batches')?.join(',')}`);
    const size = args.number('size') ?? (smoke ? 64 : undefined);
    const repeat = smoke ? 1 : (args.number('repeat') as number);
    const threads = args.number('threads') ?? availableParallelism();
    const backend = await useBackend(args.string('backend'), 'c');
    io.print(`backend ${backend.label}; ${availableParallelism()} cores; ${repeat} timed run${repeat === 1 ? '' : 's'} after a warm-up, medians shown`);

    const rows: Row[] = [];
    manualSeed(0);
    for (const name of models) {
      const model = createModel(name);
      model.eval();
      const side = size ?? (name === 'inception_v3' ? 299 : 224);
      for (const batch of batches) {
        const x = randn([batch, 3, side, side]).realize();
        const forward = () => noGrad(() => (model.forward as (x: Var) => Var)(x)).realize();
        const t = performance.now();
        forward().dispose();
        const firstMs = performance.now() - t;
        const ms = medianMs(() => forward().dispose(), repeat);
        rows.push({ model: name, batch, firstMs, ms });
        io.note(`[bench-models] ${name} batch ${batch} at ${side}x${side}: ${ms.toFixed(1)} ms per forward (first ${(firstMs / 1000).toFixed(1)} s)`);
        x.dispose();
      }
      // Free the weights now rather than at the next garbage collection (vgg19 alone holds 548 MB).
      for (const v of [...model.parameters(), ...model.buffers()]) v.dispose();
    }

    let torch: TorchTimes | undefined;
    const problem = args.flag('skip-pytorch') ? 'skipped (--skip-pytorch)' : pytorchProblem();
    if (problem) io.print(`PyTorch: ${problem}; showing MetaOp only`);
    else {
      io.note(`[bench-models] running PyTorch with ${threads} threads ...`);
      torch = runPytorch(models, batches, size ?? 224, threads, repeat);
      for (const r of rows) r.torchMs = torch.ms.get(`${r.model}@${r.batch}`);
      for (const [m, e] of torch.errors) io.print(`PyTorch could not build ${m}: ${e}`);
    }

    const ortList = args.list('onnxruntime');
    const ortModels = ortList?.includes('all') ? models : (ortList ?? []).filter((m) => models.includes(m));
    let ort: OrtTimes | undefined;
    let ortProblem: string | undefined;
    if (ortModels.length > 0) {
      const r = await runOnnxRuntime(ortModels, batches, size ?? 224, threads, repeat, io.note);
      if (typeof r === 'string') {
        ortProblem = r;
        io.print(`onnxruntime-node: ${r}; no onnxruntime column`);
      } else {
        ort = r;
        for (const row of rows) row.ortMs = ort.ms.get(`${row.model}@${row.batch}`);
        for (const [m, e] of ort.errors) io.print(`onnxruntime-node could not run ${m}: ${e}`);
      }
    } else if (ortList === undefined) {
      io.note(`[bench-models] add an onnxruntime-node column with --onnxruntime all (installs it into ${benchDir()} on first use)`);
    }

    const header = ['model', 'batch', `MetaOp ${backend.name} ms`, 'img/s', 'first run s'];
    if (torch) header.push('PyTorch ms', 'img/s', 'MetaOp/PyTorch time');
    if (ort) header.push('onnxruntime ms', 'MetaOp/ORT time');
    const table = rows.map((r) => {
      const cells = [r.model, String(r.batch), r.ms.toFixed(1), ((r.batch * 1000) / r.ms).toFixed(1), (r.firstMs / 1000).toFixed(1)];
      if (torch) {
        cells.push(
          r.torchMs === undefined ? '-' : r.torchMs.toFixed(1),
          r.torchMs === undefined ? '-' : ((r.batch * 1000) / r.torchMs).toFixed(1),
          r.torchMs === undefined ? '-' : `${(r.ms / r.torchMs).toFixed(2)}x`,
        );
      }
      if (ort) {
        cells.push(
          r.ortMs === undefined ? '-' : r.ortMs.toFixed(1),
          r.ortMs === undefined ? '-' : `${(r.ms / r.ortMs).toFixed(2)}x`,
        );
      }
      return cells;
    });
    io.print('');
    io.print(textTable(header, table));
    if (torch) io.print(`\n${torch.version}, ${threads} threads, OMP_WAIT_POLICY=PASSIVE. MetaOp/PyTorch time: above 1 means MetaOp is slower.`);
    if (ort) io.print(`${ort.version}, ${threads} intra-op threads, sequential, no spinning. MetaOp/ORT time likewise.`);

    const result: Json[] = rows.map((r) => ({
      model: r.model,
      batch: r.batch,
      ms: Number(r.ms.toFixed(3)),
      imagesPerSecond: Number(((r.batch * 1000) / r.ms).toFixed(2)),
      firstMs: Number(r.firstMs.toFixed(1)),
      torchMs: r.torchMs === undefined ? null : Number(r.torchMs.toFixed(3)),
      ratio: r.torchMs === undefined ? null : Number((r.ms / r.torchMs).toFixed(3)),
      ortMs: r.ortMs === undefined ? null : Number(r.ortMs.toFixed(3)),
      ortRatio: r.ortMs === undefined ? null : Number((r.ms / r.ortMs).toFixed(3)),
      gflopPerImage: torch?.gflop.get(r.model) ?? null,
    }));
    return {
      example: 'bench-models',
      backend: backend.name,
      backendLabel: backend.label,
      size: size ?? 224,
      threads,
      pytorch: torch ? torch.version : null,
      onnxruntime: ort ? ort.version : null,
      onnxruntimeProblem: ortProblem ?? (ort ? [...ort.errors].map(([m, e]) => `${m}: ${e}`).join('; ') || null : null),
      results: result,
      stats: statsJson(runStats(backend)),
    };
  },
};
