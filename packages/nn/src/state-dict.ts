// State dicts: the flat name -> Var map of a module, and the checked, all-or-nothing load into one.
import { checkOptions, type OptionKeys, formatShape, MetaOpError, shapesEqual, type Var } from '@metaop/core';
import { cast, noGrad } from '@metaop/ops';

/** Parameters and persistent buffers by dotted PyTorch name (`layer1.0.bn1.running_mean`). */
export type StateDict = Record<string, Var>;

export interface LoadStateDictOptions {
  /** Missing and unexpected keys are errors (default true). Shape mismatches are errors either way. */
  strict?: boolean;
}
const loadStateDictKeys: OptionKeys<LoadStateDictOptions> = { strict: true };

export interface LoadStateDictResult {
  /** Keys the module has but the dict lacks (left unchanged). */
  missingKeys: string[];
  /** Keys in the dict the module does not have (ignored). */
  unexpectedKeys: string[];
}

export interface ShapeMismatch {
  key: string;
  /** Shape in the dict being loaded. */
  got: readonly number[];
  /** Shape of the module's parameter or buffer. */
  expected: readonly number[];
}

/** A state dict that does not fit a module: lists every missing, unexpected and mis-shaped key. */
export class StateDictError extends MetaOpError {
  readonly missingKeys: readonly string[];
  readonly unexpectedKeys: readonly string[];
  readonly shapeMismatches: readonly ShapeMismatch[];
  constructor(moduleName: string, missing: string[], unexpected: string[], mismatched: ShapeMismatch[]) {
    const parts: string[] = [];
    const list = (keys: string[]) => {
      const shown = keys.slice(0, 30).map((k) => `"${k}"`).join(', ');
      return keys.length > 30 ? `${shown}, ... (${keys.length} in all)` : shown;
    };
    if (missing.length > 0) parts.push(`Missing key(s) in state_dict: ${list(missing)}.`);
    if (unexpected.length > 0) parts.push(`Unexpected key(s) in state_dict: ${list(unexpected)}.`);
    for (const m of mismatched.slice(0, 30)) {
      parts.push(`size mismatch for ${m.key}: copying a value of shape ${formatShape(m.got)}, the shape in the current model is ${formatShape(m.expected)}.`);
    }
    if (mismatched.length > 30) parts.push(`... ${mismatched.length} size mismatches in all.`);
    super(
      `Error(s) in loading state dict for ${moduleName} (nothing was loaded):\n  ${parts.join('\n  ')}\n` +
        '  Check that the checkpoint matches this model, or pass {strict: false} to ignore missing and unexpected keys.',
      'loadStateDict',
    );
    this.missingKeys = missing;
    this.unexpectedKeys = unexpected;
    this.shapeMismatches = mismatched;
  }
}

/** Checks `dict` against the module's own state `own`, then copies every matching entry in place. */
export function applyStateDict(
  moduleName: string,
  own: StateDict,
  dict: StateDict,
  options: LoadStateDictOptions,
): LoadStateDictResult {
  checkOptions(options, loadStateDictKeys, 'loadStateDict');
  const strict = options.strict ?? true;
  const missingKeys = Object.keys(own).filter((k) => !Object.hasOwn(dict, k));
  const unexpectedKeys = Object.keys(dict).filter((k) => !Object.hasOwn(own, k));
  const mismatched: ShapeMismatch[] = [];
  for (const [key, target] of Object.entries(own)) {
    const value = dict[key];
    if (value === undefined) continue;
    value.assertUsable('loadStateDict');
    if (!shapesEqual(value.shape, target.shape)) mismatched.push({ key, got: value.shape, expected: target.shape });
  }
  if (mismatched.length > 0 || (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0))) {
    throw new StateDictError(moduleName, strict ? missingKeys : [], strict ? unexpectedKeys : [], mismatched);
  }
  noGrad(() => {
    for (const [key, target] of Object.entries(own)) {
      const value = dict[key];
      if (value === undefined || value === target) continue;
      target.assign(value.dtype === target.dtype ? value : cast(value, target.dtype));
    }
  });
  return { missingKeys, unexpectedKeys };
}
