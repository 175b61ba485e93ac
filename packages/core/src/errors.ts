// Error classes: one per failure kind, each message names the op, the shapes and the fix.

export class MetaOpError extends Error {
  /** The op that raised the error, when there is one. */
  readonly op: string | undefined;
  constructor(message: string, op?: string) {
    // A chained op's checks (x.add → operand preparation → expectVar …) can fill V8's default 10
    // frames before reaching the user's line; errors are rare, so keep a deeper stack for them.
    const limit = Error.stackTraceLimit;
    if (typeof limit === 'number' && limit < 40) Error.stackTraceLimit = 40;
    super(op === undefined ? message : `${op}: ${message}`);
    Error.stackTraceLimit = limit;
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

/** A graph built before one of its inputs was updated in place (a parameter after an optimizer step). */
export class StaleGraphError extends MetaOpError {}

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

/** What anomaly mode (flags.checkNan) found: the first op that produced NaN or ±Inf. */
export interface AnomalyDetails {
  /** The op as users know it: `log`, `div`, `reduce`, … */
  readonly op: string;
  readonly shape: readonly number[];
  readonly inputShapes: readonly (readonly number[])[];
  /** The first non-finite value (NaN, Infinity or -Infinity) and its flat index in the output. */
  readonly value: number;
  readonly index: number;
  /** The first stack frame outside MetaOp where the op was built ("at /app/train.ts:12:7"). */
  readonly userFrame: string | undefined;
}

/** Anomaly mode (flags.checkNan, METAOP_CHECK_NAN=1) found an op that produced NaN or ±Inf. */
export class AnomalyError extends MetaOpError {
  readonly details: AnomalyDetails;
  constructor(message: string, details: AnomalyDetails) {
    super(message, details.op);
    this.details = details;
  }
}

/**
 * An index outside the dim it indexes (gather, indexSelect, scatterAdd, embedding, loss targets,
 * oneHot), found by the device-side check of the plan that read it; raised by that realize().
 */
export class IndexError extends MetaOpError {
  /** The offending index value. */
  readonly value: number;
  /** The dim it indexes and that dim's size. */
  readonly dim: number;
  readonly size: number;
  constructor(message: string, op: string, value: number, dim: number, size: number) {
    super(message, op);
    this.value = value;
    this.dim = dim;
    this.size = size;
  }
}
