// Index simplification: linear normal form, range analysis, and floor div/mod elimination.
// Ranges are inclusive [lo, hi] per axis; an axis with no range is unbounded.
import { floorDiv, floorMod, type IndexCond, type IndexExpr } from './ast.js';
import { formatIndex } from './format.js';

export type Range = readonly [number, number];
export type AxisRanges = readonly (Range | undefined)[];

const UNBOUNDED: Range = [-Infinity, Infinity];

/** Ranges of the axes of an iteration space of the given shape: axis k lies in [0, shape[k]-1]. */
export function rangesOf(shape: readonly number[]): Range[] {
  return shape.map((d) => [0, Math.max(0, d - 1)] as const);
}

interface Term {
  atom: IndexExpr;
  key: string;
  k: number;
}
interface Linear {
  c: number;
  terms: Term[];
}

function mulRange(a: Range, b: Range): Range {
  const p = [a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]].map((x) => (Number.isNaN(x) ? 0 : x));
  return [Math.min(...p), Math.max(...p)];
}

/** Inclusive bounds of an expression given axis ranges. */
export function indexBounds(e: IndexExpr, ranges: AxisRanges = []): Range {
  switch (e.kind) {
    case 'const':
      return [e.value, e.value];
    case 'idx':
      return ranges[e.axis] ?? UNBOUNDED;
    case 'bin': {
      const a = indexBounds(e.a, ranges);
      const b = indexBounds(e.b, ranges);
      switch (e.op) {
        case '+':
          return [a[0] + b[0], a[1] + b[1]];
        case '-':
          return [a[0] - b[1], a[1] - b[0]];
        case '*':
          return mulRange(a, b);
        case 'min':
          return [Math.min(a[0], b[0]), Math.min(a[1], b[1])];
        case 'max':
          return [Math.max(a[0], b[0]), Math.max(a[1], b[1])];
        case '/':
          if (b[0] === b[1] && b[0] > 0) return [Math.floor(a[0] / b[0]), Math.floor(a[1] / b[0])];
          return UNBOUNDED;
        case '%':
          if (b[0] === b[1] && b[0] > 0) {
            if (a[0] >= 0 && a[1] < b[0]) return a;
            return [0, b[0] - 1];
          }
          return UNBOUNDED;
      }
    }
  }
}

function linearBounds(l: Linear, ranges: AxisRanges): Range {
  let lo = l.c;
  let hi = l.c;
  for (const t of l.terms) {
    const r = mulRange(indexBounds(t.atom, ranges), [t.k, t.k]);
    lo += r[0];
    hi += r[1];
  }
  return [lo, hi];
}

function atomTerm(atom: IndexExpr, k = 1): Linear {
  return { c: 0, terms: [{ atom, key: formatIndex(atom), k }] };
}

function addLinear(a: Linear, b: Linear, scaleB: number): Linear {
  const terms = a.terms.map((t) => ({ ...t }));
  for (const t of b.terms) {
    const existing = terms.find((u) => u.key === t.key);
    if (existing) existing.k += t.k * scaleB;
    else terms.push({ ...t, k: t.k * scaleB });
  }
  return { c: a.c + b.c * scaleB, terms: terms.filter((t) => t.k !== 0) };
}

function scaleLinear(a: Linear, s: number): Linear {
  if (s === 0) return { c: 0, terms: [] };
  return { c: a.c * s, terms: a.terms.map((t) => ({ ...t, k: t.k * s })) };
}

function constOf(l: Linear): number | undefined {
  return l.terms.length === 0 ? l.c : undefined;
}

function linearize(e: IndexExpr, ranges: AxisRanges): Linear {
  switch (e.kind) {
    case 'const':
      return { c: e.value, terms: [] };
    case 'idx': {
      const r = ranges[e.axis];
      if (r && r[0] === r[1]) return { c: r[0], terms: [] };
      return atomTerm(e);
    }
    case 'bin': {
      const a = linearize(e.a, ranges);
      const b = linearize(e.b, ranges);
      switch (e.op) {
        case '+':
          return addLinear(a, b, 1);
        case '-':
          return addLinear(a, b, -1);
        case '*': {
          const ca = constOf(a);
          const cb = constOf(b);
          if (cb !== undefined) return scaleLinear(a, cb);
          if (ca !== undefined) return scaleLinear(b, ca);
          return atomTerm({ kind: 'bin', op: '*', a: rebuild(a), b: rebuild(b) });
        }
        case '/':
          return divLinear(a, b, ranges);
        case '%':
          return modLinear(a, b, ranges);
        case 'min':
        case 'max': {
          const ra = linearBounds(a, ranges);
          const rb = linearBounds(b, ranges);
          const pickA = e.op === 'min' ? ra[1] <= rb[0] : ra[0] >= rb[1];
          const pickB = e.op === 'min' ? rb[1] <= ra[0] : rb[0] >= ra[1];
          if (pickA) return a;
          if (pickB) return b;
          const ca = constOf(a);
          const cb = constOf(b);
          if (ca !== undefined && cb !== undefined) return { c: e.op === 'min' ? Math.min(ca, cb) : Math.max(ca, cb), terms: [] };
          return atomTerm({ kind: 'bin', op: e.op, a: rebuild(a), b: rebuild(b) });
        }
      }
    }
  }
}

function divLinear(a: Linear, b: Linear, ranges: AxisRanges): Linear {
  const d = constOf(b);
  if (d === undefined || d <= 0) return atomTerm({ kind: 'bin', op: '/', a: rebuild(a), b: rebuild(b) });
  if (d === 1) return a;
  // floor((q*d + r)/d) = q + floor(r/d)
  const quotient: Linear = { c: floorDiv(a.c, d), terms: [] };
  const rest: Linear = { c: floorMod(a.c, d), terms: [] };
  for (const t of a.terms) {
    if (t.k % d === 0) quotient.terms.push({ ...t, k: t.k / d });
    else rest.terms.push({ ...t });
  }
  const [lo, hi] = linearBounds(rest, ranges);
  const qlo = Math.floor(lo / d);
  if (Number.isFinite(lo) && qlo === Math.floor(hi / d)) return addLinear(quotient, { c: qlo, terms: [] }, 1);
  // (x / a) / d == x / (a*d) for positive a
  if (rest.c === 0 && rest.terms.length === 1 && rest.terms[0].k === 1) {
    const inner = rest.terms[0].atom;
    if (inner.kind === 'bin' && inner.op === '/' && inner.b.kind === 'const' && inner.b.value > 0) {
      return addLinear(quotient, atomTerm({ kind: 'bin', op: '/', a: inner.a, b: { kind: 'const', value: inner.b.value * d } }), 1);
    }
  }
  return addLinear(quotient, atomTerm({ kind: 'bin', op: '/', a: rebuild(rest), b: { kind: 'const', value: d } }), 1);
}

function modLinear(a: Linear, b: Linear, ranges: AxisRanges): Linear {
  const d = constOf(b);
  if (d === undefined || d <= 0) return atomTerm({ kind: 'bin', op: '%', a: rebuild(a), b: rebuild(b) });
  if (d === 1) return { c: 0, terms: [] };
  const rest: Linear = { c: floorMod(a.c, d), terms: [] };
  for (const t of a.terms) {
    const k = floorMod(t.k, d);
    if (k !== 0) rest.terms.push({ ...t, k: t.k >= 0 ? k : t.k });
  }
  const [lo, hi] = linearBounds(rest, ranges);
  const qlo = Math.floor(lo / d);
  if (Number.isFinite(lo) && qlo === Math.floor(hi / d)) return addLinear(rest, { c: -qlo * d, terms: [] }, 1);
  return atomTerm({ kind: 'bin', op: '%', a: rebuild(rest), b: { kind: 'const', value: d } });
}

/** Folds k*B*(x/B) + k*(x%B) into k*x (floor division identity), repeatedly. */
function recombineDivMod(l: Linear, ranges: AxisRanges): Linear {
  let changed = true;
  let cur = l;
  while (changed) {
    changed = false;
    for (const d of cur.terms) {
      const a = d.atom;
      if (a.kind !== 'bin' || a.op !== '/' || a.b.kind !== 'const') continue;
      const B = a.b.value;
      const m = cur.terms.find(
        (t) => t.atom.kind === 'bin' && t.atom.op === '%' && t.atom.b.kind === 'const' && t.atom.b.value === B && formatIndex(t.atom.a) === formatIndex(a.a) && t.k * B === d.k,
      );
      if (!m) continue;
      const rest: Linear = { c: cur.c, terms: cur.terms.filter((t) => t !== d && t !== m) };
      cur = addLinear(rest, scaleLinear(linearize(a.a, ranges), m.k), 1);
      changed = true;
      break;
    }
  }
  return cur;
}

function rebuild(l: Linear): IndexExpr {
  const terms = [...l.terms].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  let out: IndexExpr | undefined;
  for (const t of terms) {
    const mag = Math.abs(t.k);
    const term: IndexExpr = mag === 1 ? t.atom : { kind: 'bin', op: '*', a: t.atom, b: { kind: 'const', value: mag } };
    if (out === undefined) out = t.k < 0 ? { kind: 'bin', op: '-', a: { kind: 'const', value: 0 }, b: term } : term;
    else out = { kind: 'bin', op: t.k < 0 ? '-' : '+', a: out, b: term };
  }
  if (out === undefined) return { kind: 'const', value: l.c };
  if (l.c > 0) return { kind: 'bin', op: '+', a: out, b: { kind: 'const', value: l.c } };
  if (l.c < 0) return { kind: 'bin', op: '-', a: out, b: { kind: 'const', value: -l.c } };
  return out;
}

/** Simplifies an index expression to a canonical linear form, using axis ranges to remove div/mod/min/max. */
export function simplifyIndex(e: IndexExpr, ranges: AxisRanges = []): IndexExpr {
  return rebuild(recombineDivMod(linearize(e, ranges), ranges));
}

/** Simplifies a condition; comparisons decided by the ranges fold to constants. */
export function simplifyCond(c: IndexCond, ranges: AxisRanges = []): IndexCond {
  switch (c.kind) {
    case 'bool':
      return c;
    case 'cmp': {
      const diff = linearize({ kind: 'bin', op: '-', a: c.a, b: c.b }, ranges);
      const [lo, hi] = linearBounds(diff, ranges);
      const decided = decide(c.op, lo, hi);
      if (decided !== undefined) return { kind: 'bool', value: decided };
      return { kind: 'cmp', op: c.op, a: simplifyIndex(c.a, ranges), b: simplifyIndex(c.b, ranges) };
    }
    case 'and':
    case 'or': {
      const a = simplifyCond(c.a, ranges);
      const b = simplifyCond(c.b, ranges);
      const absorbing = c.kind === 'or';
      if (a.kind === 'bool') return a.value === absorbing ? a : b;
      if (b.kind === 'bool') return b.value === absorbing ? b : a;
      return { kind: c.kind, a, b };
    }
    case 'not': {
      const a = simplifyCond(c.a, ranges);
      return a.kind === 'bool' ? { kind: 'bool', value: !a.value } : { kind: 'not', a };
    }
  }
}

function decide(op: string, lo: number, hi: number): boolean | undefined {
  switch (op) {
    case '<':
      return hi < 0 ? true : lo >= 0 ? false : undefined;
    case '<=':
      return hi <= 0 ? true : lo > 0 ? false : undefined;
    case '>':
      return lo > 0 ? true : hi <= 0 ? false : undefined;
    case '>=':
      return lo >= 0 ? true : hi < 0 ? false : undefined;
    case '==':
      return lo === 0 && hi === 0 ? true : lo > 0 || hi < 0 ? false : undefined;
    case '!=':
      return lo === 0 && hi === 0 ? false : lo > 0 || hi < 0 ? true : undefined;
  }
  return undefined;
}

/** Replaces every `i<k>` with `map(k)`: composes index maps. */
export function substituteIndex(e: IndexExpr, map: (axis: number) => IndexExpr): IndexExpr {
  switch (e.kind) {
    case 'const':
      return e;
    case 'idx':
      return map(e.axis);
    case 'bin':
      return { kind: 'bin', op: e.op, a: substituteIndex(e.a, map), b: substituteIndex(e.b, map) };
  }
}

export function substituteCond(c: IndexCond, map: (axis: number) => IndexExpr): IndexCond {
  switch (c.kind) {
    case 'bool':
      return c;
    case 'cmp':
      return { kind: 'cmp', op: c.op, a: substituteIndex(c.a, map), b: substituteIndex(c.b, map) };
    case 'and':
    case 'or':
      return { kind: c.kind, a: substituteCond(c.a, map), b: substituteCond(c.b, map) };
    case 'not':
      return { kind: 'not', a: substituteCond(c.a, map) };
  }
}

/** The axes an expression reads. */
export function indexAxes(e: IndexExpr, into: Set<number> = new Set()): Set<number> {
  if (e.kind === 'idx') into.add(e.axis);
  else if (e.kind === 'bin') {
    indexAxes(e.a, into);
    indexAxes(e.b, into);
  }
  return into;
}

export function condAxes(c: IndexCond, into: Set<number> = new Set()): Set<number> {
  switch (c.kind) {
    case 'bool':
      break;
    case 'cmp':
      indexAxes(c.a, into);
      indexAxes(c.b, into);
      break;
    case 'and':
    case 'or':
      condAxes(c.a, into);
      condAxes(c.b, into);
      break;
    case 'not':
      condAxes(c.a, into);
  }
  return into;
}
