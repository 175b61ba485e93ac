// Exact identity text for numbers and graph-node attributes. Plan signatures, kernel keys and
// source literals must tell apart every value a backend computes differently, which
// JSON.stringify (±Infinity and NaN become null) and String (-0 becomes "0") do not.
import { formatCond, formatIndex } from './index-expr/format.js';
import type { OpNode } from './graph.js';

/**
 * The exact key of a float64: distinct doubles give distinct texts (String is the shortest
 * round-trip decimal, so subnormals and extremes are exact), -0 is "-0", every NaN is "NaN"
 * (payloads are not observable through arithmetic) and differs from every number.
 */
export function numberKey(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  return String(value);
}

/** Exact keys of a list of numbers. */
export function numbersKey(values: readonly number[]): string {
  return values.map(numberKey).join(',');
}

/** One named attribute of a node, as exact text. */
export type AttrText = readonly [name: string, text: string];

/** Every attribute of a node except its inputs, by name, as exact text. */
export function opAttrs(node: OpNode): AttrText[] {
  switch (node.op) {
    case 'constant':
      return [['value', numberKey(node.value)]];
    case 'index':
      return [['dim', String(node.dim)]];
    case 'random':
      return [['dist', node.dist], ['seed', numberKey(node.seed)], ['offset', numberKey(node.offset)]];
    case 'cast':
    case 'broadcast':
    case 'reshape':
    case 'ternary':
      return [];
    case 'unary':
    case 'binary':
      return [['fn', node.fn]];
    case 'reindex':
      return [
        ['indexes', node.indexes.map(formatIndex).join(',')],
        ['overflowValue', numberKey(node.overflowValue)],
        ['overflowConditions', node.overflowConditions.map(formatCond).join(',')],
      ];
    case 'gather':
      return [['dim', String(node.dim)]];
    case 'permute':
      return [['perm', numbersKey(node.perm)]];
    case 'slice':
      return [['starts', numbersKey(node.starts)], ['steps', numbersKey(node.steps)]];
    case 'pad':
      return [['before', numbersKey(node.before)], ['after', numbersKey(node.after)], ['value', numberKey(node.value)]];
    case 'reduce':
      return [['fn', node.fn], ['dims', numbersKey(node.dims)], ['keepdim', String(node.keepdim)]];
    case 'reindexReduce':
      return [
        ['fn', node.fn],
        ['indexes', node.indexes.map(formatIndex).join(',')],
        ['overflowConditions', node.overflowConditions.map(formatCond).join(',')],
      ];
    case 'scatter':
      return [['fn', node.fn], ['dim', String(node.dim)]];
    case 'argReduce':
      return [['fn', node.fn], ['dim', String(node.dim)], ['keepdim', String(node.keepdim)]];
    default: {
      const never: never = node;
      throw new Error(`opAttrs: unknown op ${(never as OpNode).op}`);
    }
  }
}

/** The exact key of a node's attributes (`name=text` joined). */
export function attrsKey(attrs: readonly AttrText[]): string {
  return attrs.map(([name, text]) => `${name}=${text}`).join(';');
}

/** The exact key of every attribute of a node except its inputs. */
export function opAttrsKey(node: OpNode): string {
  return attrsKey(opAttrs(node));
}
