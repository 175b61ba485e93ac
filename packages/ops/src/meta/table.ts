// The table of the 18 meta-operators: name, class and arity (tensor inputs).
import { opClassOf, type MetaOpClass, type OpName } from '@metaop/core';

export interface MetaOpInfo {
  readonly name: OpName;
  readonly class: MetaOpClass;
  /** Number of tensor inputs. */
  readonly arity: number;
}

const arity: Record<OpName, number> = {
  constant: 0,
  index: 0,
  random: 0,
  cast: 1,
  unary: 1,
  binary: 2,
  ternary: 3,
  reindex: 1,
  gather: 2,
  broadcast: 1,
  reshape: 1,
  permute: 1,
  slice: 1,
  pad: 1,
  reduce: 1,
  reindexReduce: 1,
  scatter: 2,
  argReduce: 1,
};

export const metaOps: readonly MetaOpInfo[] = Object.freeze(
  (Object.keys(opClassOf) as OpName[]).map((name) => Object.freeze({ name, class: opClassOf[name], arity: arity[name] })),
);
