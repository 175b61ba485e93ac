// Command-line options of the examples: a typed declaration per option, parsed with node:util's
// parseArgs, turned into numbers and lists, and rendered as --help text.
import { parseArgs } from 'node:util';

export type OptionType = 'string' | 'number' | 'boolean' | 'list';

export interface OptionSpec {
  readonly name: string;
  readonly type: OptionType;
  readonly description: string;
  /** Shown in --help; applied when the option is absent. */
  readonly default?: string | number | boolean | readonly string[];
  /** Placeholder in --help (`--epochs <n>`). */
  readonly value?: string;
}

export type OptionValue = string | number | boolean | string[] | undefined;

/** Parsed options by name, plus positional arguments. */
export interface ParsedArgs {
  readonly options: Readonly<Record<string, OptionValue>>;
  readonly positionals: readonly string[];
  string(name: string): string | undefined;
  number(name: string): number | undefined;
  flag(name: string): boolean;
  list(name: string): string[] | undefined;
}

/** A command-line mistake: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Options every example accepts. */
export const commonOptions: readonly OptionSpec[] = [
  { name: 'backend', type: 'string', value: 'name', description: 'backend to run on: c, js, bang, reference, ... (default: METAOP_BACKEND, else the best available)' },
  { name: 'smoke', type: 'boolean', description: 'a tiny, fast run for CI' },
  { name: 'json', type: 'boolean', description: 'print one JSON object with the key figures as the last line of stdout' },
  { name: 'help', type: 'boolean', description: 'show this help' },
];

export function parseOptions(argv: readonly string[], specs: readonly OptionSpec[], command: string): ParsedArgs {
  const config: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const s of specs) config[s.name] = { type: s.type === 'boolean' ? 'boolean' : 'string' };
  config.help.short = 'h';
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options: config, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`${command}: ${(e as Error).message.split('\n')[0]}`);
  }
  const options: Record<string, OptionValue> = {};
  for (const s of specs) {
    const raw = parsed.values[s.name] as string | boolean | undefined;
    options[s.name] = raw === undefined ? defaultOf(s) : convert(s, raw, command);
  }
  const get = (name: string): OptionValue => {
    if (!(name in options)) throw new Error(`option --${name} is not declared by ${command}`);
    return options[name];
  };
  return {
    options,
    positionals: parsed.positionals,
    string: (name) => get(name) as string | undefined,
    number: (name) => get(name) as number | undefined,
    flag: (name) => get(name) === true,
    list: (name) => get(name) as string[] | undefined,
  };
}

function defaultOf(s: OptionSpec): OptionValue {
  if (s.default === undefined) return s.type === 'boolean' ? false : undefined;
  return Array.isArray(s.default) ? [...(s.default as string[])] : (s.default as OptionValue);
}

function convert(s: OptionSpec, raw: string | boolean, command: string): OptionValue {
  switch (s.type) {
    case 'boolean':
    case 'string':
      return raw;
    case 'number': {
      const n = Number(raw);
      if (raw === '' || !Number.isFinite(n)) throw new UsageError(`${command}: --${s.name} expects a number, got '${String(raw)}'`);
      return n;
    }
    case 'list':
      return String(raw)
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== '');
    default: {
      const never: never = s.type;
      throw new Error(`unknown option type ${String(never)}`);
    }
  }
}

/** The --help text of one command. */
export function helpText(command: string, summary: string, usage: string, specs: readonly OptionSpec[], notes: readonly string[] = []): string {
  const rows = specs.map((s) => {
    const left = `  --${s.name}${s.type === 'boolean' ? '' : ` <${s.value ?? (s.type === 'list' ? 'a,b' : s.type === 'number' ? 'n' : 'value')}>`}`;
    const def = s.default === undefined || s.default === false ? '' : ` (default ${Array.isArray(s.default) ? s.default.join(',') : String(s.default)})`;
    return [left, `${s.description}${def}`] as const;
  });
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return [
    `${command}: ${summary}`,
    '',
    `usage: ${usage}`,
    '',
    'options:',
    ...rows.map(([l, r]) => `${l.padEnd(width)}${r}`),
    ...(notes.length > 0 ? ['', ...notes] : []),
  ].join('\n');
}
