// One warning when a call site keeps compiling, as PyTorch's recompile limit gives: graphs of one
// wiring (a "site": ops, inputs and dtypes, with attribute values and shapes left out) that miss
// the plan cache and compile new kernels several runs in a row. The warning names the op and the
// attribute whose value changed, so the user knows what to keep fixed.
import { notice } from '@metaop/core';
import type { GraphSignature, SignatureNode } from './graph-signature.js';

/** Runs in a row that compile new kernels before the warning. */
export const RECOMPILE_LIMIT = 8;
/** Sites remembered at once (least recently planned forgotten first). */
const SITE_LIMIT = 256;

interface Site {
  last: readonly SignatureNode[];
  streak: number;
  warned: boolean;
}

/** What changed between two plans of one site: the first attribute, preferring attributes over shapes. */
export interface Change {
  readonly node: number;
  readonly op: SignatureNode['op'];
  readonly attr: string;
  readonly before: string;
  readonly after: string;
}

export function firstChange(a: readonly SignatureNode[], b: readonly SignatureNode[]): Change | undefined {
  let shape: Change | undefined;
  for (let k = 0; k < Math.min(a.length, b.length); k++) {
    for (const [name, text] of b[k].attrs) {
      const old = a[k].attrs.find(([n]) => n === name)?.[1];
      if (old === undefined || old === text) continue;
      const change = { node: k, op: b[k].op, attr: name, before: old, after: text };
      if (name !== 'shape') return change;
      shape ??= change;
    }
  }
  return shape;
}

/** The first stack frame outside MetaOp's own packages: the user's line that ran the graph. */
function callSite(): string | undefined {
  // realize() sits under many frames of our own: look deeper than V8's default 10.
  const E = Error as { stackTraceLimit?: number };
  const limit = E.stackTraceLimit;
  E.stackTraceLimit = 64;
  const frames = (new Error().stack ?? '').split('\n').slice(1);
  E.stackTraceLimit = limit;
  const own = /[\\/](?:packages[\\/][a-z-]+[\\/](?:src|dist)|node_modules)[\\/]|node:internal|\(node:|<anonymous>/;
  return frames.find((f) => !own.test(f))?.trim().replace(/^at\s+/, '');
}

function describe(c: Change, runs: number): string {
  const site = callSite();
  const what = c.attr === 'shape' ? `the shape of ${c.op === 'leaf' ? 'an input' : `a ${c.op} result`}` : `${c.op} attribute '${c.attr}'`;
  return (
    `one graph${site ? ` (realized at ${site})` : ''} compiled new kernels on ${runs} runs in a row: ${what} changes between runs (last [${c.before}], now [${c.after}]) ` +
    'and every new value compiles new kernels. ' +
    (c.op === 'slice' && c.attr === 'starts'
      ? 'Realize the tensor being sliced first: slices of realized tensors (x.at(step), narrow) take their start at run time.'
      : 'Keep it fixed between runs (values that change belong in tensors; most constants and the starts of slices of realized tensors are runtime parameters already).')
  );
}

export class RecompileWatch {
  private readonly sites = new Map<string, Site>();

  constructor(
    private readonly limit = RECOMPILE_LIMIT,
    private readonly warn: (message: string) => void = notice,
  ) {}

  /** A plan came from the cache: its site is not recompiling. */
  hit(sig: Pick<GraphSignature, 'site'>): void {
    const site = this.sites.get(sig.site);
    if (site) site.streak = 0;
  }

  /** A new plan was made that compiled `compiled` kernels. */
  miss(sig: GraphSignature, compiled: number): void {
    let site = this.sites.get(sig.site);
    if (!site) {
      site = { last: sig.nodes, streak: compiled > 0 ? 1 : 0, warned: false };
      this.sites.set(sig.site, site);
      if (this.sites.size > SITE_LIMIT) this.sites.delete(this.sites.keys().next().value as string);
      return;
    }
    this.sites.delete(sig.site);
    this.sites.set(sig.site, site);
    const change = compiled > 0 ? firstChange(site.last, sig.nodes) : undefined;
    site.last = sig.nodes;
    site.streak = change ? site.streak + 1 : 0;
    if (change && site.streak >= this.limit && !site.warned) {
      site.warned = true;
      this.warn(describe(change, site.streak));
    }
  }
}
