// What an example is: a name, its options and help, and a run function that prints for people and
// returns the key figures that --json prints as the last line of stdout.
import type { OptionSpec, ParsedArgs } from './args.js';

/** A JSON value (what --json prints). */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface Example {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /** The example's own options; --backend, --smoke, --json and --help are added to every example. */
  readonly options: readonly OptionSpec[];
  readonly notes?: readonly string[];
  run(args: ParsedArgs, io: ExampleIO): Promise<{ [key: string]: Json }>;
}

/** Where an example writes: results to stdout, progress and notices to stderr. */
export interface ExampleIO {
  /** A line of results for people (stdout). */
  print(line?: string): void;
  /** A notice or progress line (stderr). */
  note(line: string): void;
  readonly stderr: NodeJS.WriteStream;
  /** Processes in the data-parallel job (1 outside `mpirun`); this one prints only on rank 0. */
  readonly worldSize: number;
}

/** A problem the user can fix (missing data, bad file): printed without a stack trace, exit code 2. */
export class ExampleError extends Error {
  override readonly name = 'ExampleError';
}
