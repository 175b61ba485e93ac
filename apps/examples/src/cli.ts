// The examples' command line: `metaop-example <name> [options]` (`pnpm example <name>` at the repo
// root). Results go to stdout, progress to stderr; with --json the last stdout line is one JSON
// object with the example's key figures.
import { commonOptions, helpText, parseOptions, UsageError } from './cli/args.js';
import { ExampleError, type Example, type ExampleIO } from './cli/example.js';
import { benchModels } from './examples/bench-models/index.js';
import { benchTrain } from './examples/bench-train/index.js';
import { charGpt } from './examples/char-gpt/index.js';
import { classify } from './examples/classify/index.js';
import { customOp } from './examples/custom-op/index.js';
import { explainExample } from './examples/explain/index.js';
import { fashionMnist } from './examples/fashion-mnist/index.js';
import { Writable } from 'node:stream';
import { init as initDistributed } from '@metaop/distributed';

const examples: readonly Example[] = [fashionMnist, charGpt, classify, benchModels, benchTrain, customOp, explainExample];

function overview(): string {
  const width = Math.max(...examples.map((e) => e.name.length)) + 2;
  return [
    'MetaOp examples',
    '',
    'usage: pnpm example <name> [options]      (or: node apps/examples/dist/cli.js <name> [options])',
    '',
    'examples:',
    ...examples.map((e) => `  ${e.name.padEnd(width)}${e.summary}`),
    '',
    'Every example takes --help, --json (key figures as one JSON object on the last stdout line),',
    '--smoke (a tiny run for CI) and --backend <name>.',
  ].join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(overview());
    return name === undefined ? 2 : 0;
  }
  const example = examples.find((e) => e.name === name);
  if (!example) {
    console.error(`unknown example '${name}'\n\n${overview()}`);
    return 2;
  }
  const specs = [...example.options, ...commonOptions];
  const help = () => helpText(example.name, example.summary, example.usage, specs, example.notes);
  let args;
  try {
    args = parseOptions(rest, specs, example.name);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`${e.message}\n\n${help()}`);
      return 2;
    }
    throw e;
  }
  if (args.flag('help')) {
    console.log(help());
    return 0;
  }
  // Under `mpirun -np N` every example trains data-parallel; ranks other than 0 stay quiet (no
  // results, progress bars or JSON), errors excepted. Outside mpirun this is a world of size 1.
  const world = initDistributed();
  const primary = world.rank === 0;
  const quiet = new Writable({ write: (_chunk, _encoding, done) => done() }) as unknown as NodeJS.WriteStream;
  const io: ExampleIO = {
    print: (line = '') => primary && process.stdout.write(`${line}\n`),
    note: (line) => primary && process.stderr.write(`${line}\n`),
    stderr: primary ? process.stderr : quiet,
    worldSize: world.worldSize,
  };
  try {
    const figures = await example.run(args, io);
    if (args.flag('json') && primary) process.stdout.write(`${JSON.stringify(figures)}\n`);
    // An example may set a non-zero exit code and still report (a failed check, an interrupted run).
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`${e.message}\n\n${help()}`);
      return 2;
    }
    if (e instanceof ExampleError) {
      console.error(`${example.name}: ${e.message}`);
      return 2;
    }
    const err = e as Error;
    console.error(`${example.name} failed: ${err.name}: ${err.message}`);
    if (process.env.METAOP_DEBUG) console.error(err.stack);
    else console.error('(set METAOP_DEBUG=1 for the stack trace)');
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  },
);
