// Anomaly mode (flags.checkNan, METAOP_CHECK_NAN=1): every step's float outputs are scanned after it
// runs; a step that produced NaN or ±Inf is re-run op by op (each member of the fused kernel as its
// own one-node plan on the same backend) to find the first op whose output is non-finite, and an
// AnomalyError names that op, its shapes and the user's line that built it. Off, none of this runs:
// no stacks are captured, no outputs are read, no extra kernels are compiled.
import type { Backend, Step, Storage } from './backend.js';
import { isFloat } from './dtype.js';
import { AnomalyError } from './errors.js';
import type { OpNode } from './graph.js';
import { allocStorage, attachStorage, releaseStorage } from './memory.js';
import type { Var } from './var.js';

const origins = new WeakMap<Var, string>();

/** Records where `v` is being built (called by the Var constructor only while flags.checkNan is on). */
export function recordOrigin(v: Var): void {
  const limit = Error.stackTraceLimit;
  // Derived ops nest deeply (crossEntropy -> logSoftmax -> ... -> Var): keep enough frames to reach the caller.
  Error.stackTraceLimit = 64;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  origins.set(v, stack);
}

// Frames of MetaOp's own packages (sources in the monorepo, or installed builds) and of the runtime.
const frameworkFrame = /[\\/](?:packages[\\/](?:core|ops|compiler|nn|models|distributed|backend-[\w-]+)|node_modules[\\/]@metaop[\\/][\w-]+)[\\/](?:src|dist)[\\/]|\(node:|^\s*at node:|[\\/]node_modules[\\/](?!@metaop)/;

/** The first stack frame outside MetaOp where `v` was built, e.g. "at file:///app/train.ts:12:7"; undefined unless recorded. */
export function userFrame(v: Var): string | undefined {
  const stack = origins.get(v);
  if (stack === undefined) return undefined;
  const frames = stack.split('\n').slice(1).map((l) => l.trim());
  return frames.find((f) => f.startsWith('at ') && !frameworkFrame.test(f)) ?? frames[frames.length - 1];
}

/** The op's name as users know it: the function of unary/binary/reduce ops (`log`, `div`), else the meta-op. */
export function opLabel(node: OpNode): string {
  return 'fn' in node ? node.fn : node.op;
}

interface Scan {
  readonly nan: number;
  readonly inf: number;
  /** First non-finite element. */
  readonly index: number;
  readonly value: number;
}

function scan(s: Storage): Scan {
  if (!isFloat(s.dtype)) return { nan: 0, inf: 0, index: -1, value: 0 };
  const values = s.backend.readSync(s);
  let nan = 0;
  let inf = 0;
  let index = -1;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (Number.isFinite(x)) continue;
    if (Number.isNaN(x)) nan++;
    else inf++;
    if (index < 0) index = i;
  }
  return { nan, inf, index, value: index < 0 ? 0 : values[index] };
}

/** Ops that write a non-finite value because the user asked for it (a ±Infinity constant, -Infinity padding). */
function asksForNonFinite(node: OpNode): boolean {
  switch (node.op) {
    case 'constant':
      return !Number.isFinite(node.value);
    case 'pad':
      return !Number.isFinite(node.value);
    case 'reindex':
      return !Number.isFinite(node.overflowValue);
    default:
      return false;
  }
}

/**
 * Whether `v` turned finite values into NaN, or values without NaN/Inf into ±Inf (as opposed to
 * passing on what its inputs held).
 */
function produced(v: Var, out: Scan): boolean {
  const node = v.node as OpNode;
  if (asksForNonFinite(node)) return false;
  const ins = node.inputs.map((u) => scan(u.storage as Storage));
  const inNaN = ins.some((s) => s.nan > 0);
  const inInf = ins.some((s) => s.inf > 0);
  return (out.nan > 0 && !inNaN) || (out.inf > 0 && !inNaN && !inInf);
}

/** The unrealized Vars reachable from `root` before realized Vars (one kernel's members), inputs first. */
function membersOf(root: Var): Var[] {
  const order: Var[] = [];
  const seen = new Set<Var>();
  const visit = (v: Var): void => {
    if (seen.has(v) || v.storage !== null || v.node === null) return;
    seen.add(v);
    for (const u of v.node.inputs) visit(u);
    order.push(v);
  };
  visit(root);
  return order;
}

/** Realizes one Var whose inputs are all realized, as its own plan. */
function realizeAlone(backend: Backend, v: Var): void {
  const inputs = [...new Set((v.node as OpNode).inputs)];
  const program = backend.plan({ nodes: [v], leaves: inputs, outputs: [v] });
  for (const step of program.steps) {
    const outs = step.outputs.map((o) => {
      if (o.storage === null) attachStorage(o, allocStorage(backend, o.dtype, o.numel));
      return o.storage as Storage;
    });
    step.run(
      step.inputs.map((i) => i.storage as Storage),
      outs,
    );
  }
}

/**
 * Called by realize() after each step while flags.checkNan is on, before the step's inputs are
 * freed. When an output holds NaN or ±Inf, re-runs the step's ops one by one (the fused kernel
 * computed them without storing them) and throws an AnomalyError naming the first that produced it.
 */
export function checkStep(backend: Backend, step: Step): void {
  for (const out of step.outputs) {
    const saved = out.storage;
    if (saved === null) continue;
    const total = scan(saved);
    if (total.nan === 0 && total.inf === 0) continue;
    out.storage = null;
    const computed: Var[] = [];
    try {
      for (const m of membersOf(out)) {
        realizeAlone(backend, m);
        computed.push(m);
        const found = scan(m.storage as Storage);
        if ((found.nan > 0 || found.inf > 0) && produced(m, found)) throw anomaly(m, found, step.label);
      }
    } finally {
      for (const m of computed) releaseStorage(m);
      out.storage = saved;
    }
  }
}

function describeValue(x: number): string {
  return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
}

function anomaly(v: Var, found: Scan, kernel: string): AnomalyError {
  const node = v.node as OpNode;
  const name = opLabel(node);
  const where = userFrame(v);
  const inputs = node.inputs.map((u) => u.describe()).join(', ');
  return new AnomalyError(
    `${name === node.op ? '' : `(${node.op}) `}produced ${describeValue(found.value)} at element ${found.index} of its ` +
      `${v.describe()} output (${found.nan + found.inf} of ${v.numel} values not finite) from finite inputs ${inputs || '(none)'}, ` +
      `in kernel '${kernel}'; ${where ? `the op was built ${where}` : 'where it was built is unknown (built before flags.checkNan was on)'}`,
    { op: name, shape: v.shape, inputShapes: node.inputs.map((u) => u.shape), value: found.value, index: found.index, userFrame: where },
  );
}
