// `explain`: what the compiler makes of an expression or a model — the fused kernel groups, their
// loop IR and the generated source for any registered backend — and graph.html to look at.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Var } from '@metaop/core';
import { elideCHelpers, explain } from '@metaop/compiler';
import { grad, noGrad, sum, tensor } from '@metaop/ops';
import { createModel, modelNames } from '@metaop/models';
import type { Example } from '../../cli/example.js';
import { ExampleError } from '../../cli/example.js';
import { buildExpr, ExprError, functionList, parseShapes } from '../../expr/evaluate.js';
import { ExprSyntaxError, parseExpr, variablesOf } from '../../expr/parse.js';
import { renderGraphPage } from '../../report/graph-html.js';
import { useBackend } from '../../runtime/backend.js';
import { graphNodes } from './graph.js';

const defaultExpr = 'softmax(relu(x @ w + b), 1)';
const defaultVars = ['x=8x64', 'w=64x32', 'b=32'];

/** A realized leaf of zeros: explain() only plans, so the values never matter. */
function leaf(shape: readonly number[]): Var {
  return tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), [...shape]);
}

interface Target {
  readonly title: string;
  readonly outputs: Var[];
  readonly names: Map<Var, string>;
}

function expressionTarget(text: string, varSpecs: readonly string[], withGrad: boolean): Target {
  let ast;
  let shapes;
  try {
    ast = parseExpr(text);
    shapes = parseShapes(varSpecs);
  } catch (e) {
    if (e instanceof ExprSyntaxError || e instanceof ExprError) throw new ExampleError(e.message);
    throw e;
  }
  const names = new Map<Var, string>();
  const vars = new Map<string, Var>();
  for (const name of variablesOf(ast)) {
    const shape = shapes.get(name);
    if (!shape) throw new ExampleError(`variable '${name}' has no shape: add it to --vars, e.g. --vars ${[...shapes.keys()].map((k) => `${k}=...`).concat(`${name}=4x8`).join(',')}`);
    const v = leaf(shape);
    vars.set(name, v);
    names.set(v, name);
  }
  let y;
  try {
    y = buildExpr(ast, vars);
  } catch (e) {
    // Shape errors from the ops name the op and the shapes already.
    throw new ExampleError((e as Error).message);
  }
  if (typeof y === 'number') throw new ExampleError(`'${text}' is the constant ${y}: use at least one variable`);
  const outputs = [y];
  if (withGrad) outputs.push(...grad(sum(y), [...vars.values()]));
  return { title: withGrad ? `${text} and its gradients` : text, outputs, names };
}

function modelTarget(name: string, size: number, batch: number): Target {
  let model;
  try {
    model = createModel(name);
  } catch {
    throw new ExampleError(`unknown model '${name}'; known: ${modelNames.join(', ')}`);
  }
  model.eval();
  const names = new Map<Var, string>();
  for (const [n, v] of [...model.namedParameters(), ...model.namedBuffers()]) names.set(v, n);
  const x = leaf([batch, 3, size, size]);
  names.set(x, 'image');
  const y = noGrad(() => (model.forward as (x: Var) => Var)(x));
  return { title: `${name} forward, input [${batch}, 3, ${size}, ${size}]`, outputs: [y], names };
}

export const explainExample: Example = {
  name: 'explain',
  summary: 'show the fused kernels, loop IR and generated source of an expression or a model; write graph.html',
  usage: `pnpm example explain ["<expression>"] [--vars x=8x64,w=64x32,b=32] [--model resnet18] [--backend c|js|bang] [--grad]`,
  options: [
    { name: 'vars', type: 'list', value: 'x=8x64,...', default: defaultVars, description: 'shapes of the variables of the expression' },
    { name: 'model', type: 'string', value: 'name', description: 'explain the forward pass of a model from @metaop/models instead of an expression' },
    { name: 'size', type: 'number', default: 224, description: 'input height and width for --model' },
    { name: 'batch', type: 'number', default: 1, description: 'batch size for --model' },
    { name: 'grad', type: 'boolean', description: 'also compile the gradients of sum(expression) with respect to every variable' },
    { name: 'ir', type: 'boolean', description: 'print the loop IR of each kernel as well' },
    { name: 'sources', type: 'number', value: 'n', description: 'print the source of the first n kernels (default: all for an expression, 2 for a model)' },
    { name: 'out', type: 'string', value: 'folder', default: 'metaop-runs/explain', description: 'where graph.html goes' },
  ],
  notes: [
    `The expression language: numbers, variables, + - * / ^ @ (matrix product), unary minus, parentheses, and`,
    ...functionList(),
    `Example: pnpm example explain "sum(relu(conv2d(img, k, 1, 1)) * 2, 1)" --vars img=1x3x16x16,k=8x3x3x3 --backend js`,
  ],
  async run(args, io) {
    const backend = await useBackend(args.string('backend'), 'c');
    const smoke = args.flag('smoke');
    const modelName = args.string('model');
    const text = args.positionals.join(' ').trim() || defaultExpr;
    const target = modelName
      ? modelTarget(modelName, smoke ? 32 : (args.number('size') as number), args.number('batch') as number)
      : expressionTarget(text, args.list('vars') ?? [], args.flag('grad'));

    const ex = explain(target.outputs, { backend: backend.name });
    const strip = (s: string) => elideCHelpers(s).trimEnd();
    io.print(`${target.title}`);
    if (ex.kernels.length === 0) {
      io.print(ex.text);
    } else {
      const totalOps = ex.kernels.reduce((a, k) => a + k.ops.length, 0);
      io.print(`backend ${ex.backend}: ${totalOps} meta-ops fused into ${ex.kernels.length} kernel${ex.kernels.length === 1 ? '' : 's'}`);
      const sources = args.number('sources') ?? (modelName ? 2 : ex.kernels.length);
      ex.kernels.forEach((k, i) => {
        io.print(`\n== kernel ${i + 1}/${ex.kernels.length}: ${k.name} writes ${k.output.dtype}[${k.output.shape.join(', ')}], reads ${k.inputs.length} buffer${k.inputs.length === 1 ? '' : 's'}`);
        io.print(`   fuses ${k.ops.length} op${k.ops.length === 1 ? '' : 's'}: ${k.ops.join('; ')}`);
        if (k.notes.length > 0) io.print(`   notes: ${k.notes.join('; ')}`);
        if (args.flag('ir')) io.print(`-- loop IR\n${k.loopIR}`);
        if (i < sources) io.print(`-- ${backend.name} source\n${strip(k.source)}`);
      });
      if (sources < ex.kernels.length) io.print(`\n(sources of ${ex.kernels.length - sources} more kernels: --sources ${ex.kernels.length}, or click the boxes in graph.html)`);
    }

    const out = resolve(args.string('out') as string);
    mkdirSync(out, { recursive: true });
    const graphPath = join(out, 'graph.html');
    const nodes = graphNodes(ex.kernels, target.names, strip);
    writeFileSync(graphPath, renderGraphPage({ title: `MetaOp explain: ${target.title}`, subtitle: `backend ${ex.backend}`, nodes }));
    io.print(`\ngraph: ${graphPath}  (open it in a browser)`);
    return {
      example: 'explain',
      backend: backend.name,
      backendLabel: ex.backend,
      target: modelName ?? text,
      kernels: ex.kernels.length,
      metaOps: ex.kernels.reduce((a, k) => a + k.ops.length, 0),
      opsPerKernel: ex.kernels.map((k) => k.ops.length),
      graph: graphPath,
    };
  },
};
