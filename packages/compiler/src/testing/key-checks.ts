// The checks of exact keys and moving windows a backend's test suite runs, by name: each returns
// null when the backend behaves, else what went wrong (see exact-constants.ts, moving-window.ts).
import { checkConstantSite, constantSites, specialConstants } from './exact-constants.js';
import { checkRecompileWarning, checkWindowLoop, recompilingLoops, windowLoops } from './moving-window.js';

export interface NamedCheck {
  readonly name: string;
  run(): string | null;
}

export function keyChecks(backend: string): NamedCheck[] {
  return [
    ...constantSites.map((site) => ({ name: `${site.name}: every special constant, in a row`, run: () => checkConstantSite(backend, site, specialConstants) })),
    ...windowLoops.map((loop) => ({ name: `${loop.name}: compiles once, equals the oracle`, run: () => checkWindowLoop(backend, loop) })),
    ...recompilingLoops.map((loop) => ({ name: `${loop.name} warns once`, run: () => checkRecompileWarning(backend, loop) })),
  ];
}
