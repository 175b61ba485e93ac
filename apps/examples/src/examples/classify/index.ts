// `classify`: runs a torchvision-compatible backbone on one image (PNG or JPEG), preprocessed as
// torchvision does, and prints the top-5 ImageNet classes and the time per forward.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Var } from '@metaop/core';
import { manualSeed, noGrad, softmax, tensor } from '@metaop/ops';
import { loadSafetensorsSync, StateDictError } from '@metaop/nn';
import { createModel, modelNames } from '@metaop/models';
import type { Example } from '../../cli/example.js';
import { ExampleError } from '../../cli/example.js';
import { ImageDecodeError, readImage } from '../../image/decode.js';
import { preprocessImagenet } from '../../image/preprocess.js';
import { runStats, statsJson, useBackend } from '../../runtime/backend.js';
import labels from '../../data/imagenet-labels.json' with { type: 'json' };

/** The picture used when no image is given (drawn by scripts/draw-sample.mjs). */
export const sampleImage = fileURLToPath(new URL('../assets/sample.png', import.meta.url));

/** Input sizes torchvision uses for a model: [resize, crop]. */
function sizesFor(model: string): [number, number] {
  return model === 'inception_v3' ? [342, 299] : [256, 224];
}

export const classify: Example = {
  name: 'classify',
  summary: 'classify an image (PNG/JPEG) with a backbone from @metaop/models: top-5 ImageNet classes and time per forward',
  usage: 'pnpm example classify [image.jpg] [--model resnet18] [--weights resnet18.safetensors] [--backend c]',
  options: [
    { name: 'model', type: 'string', value: 'name', default: 'resnet18', description: `backbone: ${modelNames.join(', ')}` },
    { name: 'weights', type: 'string', value: 'file', description: 'safetensors file with the model state dict (torchvision names; see packages/models/scripts/convert_torchvision.py)' },
    { name: 'top', type: 'number', default: 5, description: 'classes to print' },
    { name: 'repeat', type: 'number', default: 3, description: 'timed forwards after the first (which compiles)' },
    { name: 'resize', type: 'number', value: 'px', description: 'shorter side after resizing (default 256; 342 for inception_v3; --smoke: 73)' },
    { name: 'crop', type: 'number', value: 'px', description: 'center crop (default 224; 299 for inception_v3; --smoke: 64)' },
    { name: 'seed', type: 'number', default: 0, description: 'seed of the random weights used without --weights' },
  ],
  notes: [`Without an image it classifies ${sampleImage}, a fish drawn by scripts/draw-sample.mjs.`],
  async run(args, io) {
    const smoke = args.flag('smoke');
    const modelName = args.string('model') as string;
    const imagePath = args.positionals[0] ?? sampleImage;
    const weightsPath = args.string('weights');
    const [defResize, defCrop] = smoke ? [73, 64] : sizesFor(modelName);
    const resize = args.number('resize') ?? defResize;
    const crop = args.number('crop') ?? defCrop;
    if (!existsSync(imagePath)) throw new ExampleError(`no such image: ${imagePath}`);
    if (weightsPath !== undefined && !existsSync(weightsPath)) throw new ExampleError(`no such weights file: ${weightsPath}`);
    const backend = await useBackend(args.string('backend'), 'c');

    let pixels: Float32Array;
    let size: string;
    try {
      const img = readImage(imagePath);
      size = `${img.width}x${img.height}`;
      pixels = preprocessImagenet(img, { resize, crop });
    } catch (e) {
      if (e instanceof ImageDecodeError || e instanceof RangeError) throw new ExampleError(e.message);
      throw e;
    }

    manualSeed(args.number('seed') as number);
    let model;
    try {
      model = createModel(modelName);
    } catch {
      throw new ExampleError(`unknown model '${modelName}'; known: ${modelNames.join(', ')}`);
    }
    if (weightsPath) {
      try {
        model.loadStateDict(loadSafetensorsSync(weightsPath), { strict: true });
      } catch (e) {
        if (e instanceof StateDictError) throw new ExampleError(`${weightsPath} does not fit ${modelName}: ${e.message}`);
        throw e;
      }
    }
    model.eval();
    io.print(`image: ${imagePath} (${size}) -> resized to shorter side ${resize}, center crop ${crop}x${crop}, ImageNet normalisation`);
    io.print(`model: ${modelName}, ${weightsPath ? `weights from ${weightsPath}` : 'RANDOM weights'}; backend ${backend.label}`);
    if (!weightsPath) {
      io.print('NOTE: no --weights given, so the model has random weights and the classes below are meaningless.');
      io.print('      Convert torchvision weights with packages/models/scripts/convert_torchvision.py and pass --weights <file>.');
    }

    const x = tensor(pixels, [1, 3, crop, crop]);
    const forward = () => noGrad(() => (model.forward as (x: Var) => Var)(x));
    let t = performance.now();
    const probs = noGrad(() => softmax(forward(), 1));
    const p = Float32Array.from(probs.dataSync());
    const firstMs = performance.now() - t;
    const times: number[] = [];
    const repeat = smoke ? 1 : (args.number('repeat') as number);
    for (let i = 0; i < repeat; i++) {
      t = performance.now();
      const y = forward();
      y.realize();
      times.push(performance.now() - t);
      y.dispose();
    }
    const steadyMs = times.length > 0 ? times.reduce((a, b) => a + b, 0) / times.length : firstMs;

    const top = [...p.keys()].sort((a, b) => p[b] - p[a]).slice(0, args.number('top') as number);
    io.print(`\ntop-${top.length}${weightsPath ? '' : ' (random weights!)'}:`);
    top.forEach((k, i) => io.print(`  ${i + 1}. ${(p[k] * 100).toFixed(2).padStart(6)}%  ${labels[k]} (class ${k})`));
    io.print(`\nfirst forward (compiles or loads kernels): ${firstMs.toFixed(0)} ms; then ${steadyMs.toFixed(1)} ms per forward (mean of ${times.length})`);
    return {
      example: 'classify',
      backend: backend.name,
      backendLabel: backend.label,
      model: modelName,
      image: imagePath,
      randomWeights: !weightsPath,
      inputShape: [1, 3, crop, crop],
      top: top.map((k) => ({ class: k, label: labels[k], probability: p[k] })),
      probabilitySum: p.reduce((a, b) => a + b, 0),
      firstForwardMs: Number(firstMs.toFixed(2)),
      forwardMs: Number(steadyMs.toFixed(2)),
      stats: statsJson(runStats(backend)),
    };
  },
};
