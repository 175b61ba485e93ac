// Error classes: one per failure kind, each message names the op, the shapes and the fix.

export class MetaOpError extends Error {
  /** The op that raised the error, when there is one. */
  readonly op: string | undefined;
  constructor(message: string, op?: string) {
    super(op === undefined ? message : `${op}: ${message}`);
    this.name = new.target.name;
    this.op = op;
  }
}

/** Shapes that do not fit together (broadcasting, matmul, reshape sizes, out-of-range dims). */
export class ShapeError extends MetaOpError {}

/** A dtype an op cannot take. */
export class DTypeError extends MetaOpError {}

/** An argument with a bad value (not a shape or dtype problem). */
export class ArgumentError extends MetaOpError {}

/** An index expression string that is malformed or uses anything beyond the index grammar. */
export class IndexExprError extends MetaOpError {}

/** A Var used after `dispose()` (directly or through `tidy`). */
export class DisposedError extends MetaOpError {}

/**
 * A tensor whose byte size is not exactly representable or would exceed `flags.memoryLimit`
 * (PyTorch's OutOfMemoryError); raised before anything is allocated.
 */
export class OutOfMemoryError extends MetaOpError {}

/** A backend that is missing, unknown, or cannot run what it was given. */
export class BackendError extends MetaOpError {}

/** A generated kernel the toolchain rejected; `sourcePath` holds the source, `output` the compiler's words. */
export class CompileError extends MetaOpError {
  readonly sourcePath: string;
  readonly output: string;
  constructor(message: string, sourcePath: string, output: string) {
    super(`${message}\n  source: ${sourcePath}\n${output.trimEnd()}`);
    this.sourcePath = sourcePath;
    this.output = output;
  }
}
