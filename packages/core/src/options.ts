// Option objects: every public API that takes `{ ... }` options checks the keys, so a misspelt or
// unsupported option raises (as PyTorch does for an unexpected keyword) instead of being ignored.
import { ArgumentError } from './errors.js';

/** Every key of an options type, each `true`: TypeScript checks the list is complete and has no extras. */
export type OptionKeys<T> = { readonly [K in keyof Required<T>]: true };

/**
 * Throws an ArgumentError naming `op`, the unknown key and the accepted ones when `options` has a
 * key outside `accepted`, or is not a plain object. Returns the options; `undefined` is `{}`.
 */
export function checkOptions<T extends object>(options: T | undefined, accepted: OptionKeys<T>, op: string): T {
  if (options === undefined) return {} as T;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    const got = options === null ? 'null' : Array.isArray(options) ? 'an array' : `${typeof options} ${String(options)}`;
    throw new ArgumentError(`options must be an object like { ${Object.keys(accepted).join(', ')} }, got ${got}`, op);
  }
  for (const key in options) {
    if (!Object.prototype.hasOwnProperty.call(accepted, key)) {
      const names = Object.keys(accepted);
      const list = names.length === 0 ? 'it takes no options' : `accepted options: ${names.join(', ')}`;
      throw new ArgumentError(`unknown option '${key}'; ${list}`, op);
    }
  }
  return options;
}
