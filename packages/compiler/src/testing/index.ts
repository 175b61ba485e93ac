// @metaop/compiler/testing: helpers a backend's own test suite uses to check itself against the oracle.
export { differential, backendTolerance } from './differential.js';
export { constantSites, specialConstants, checkConstantSite, sameStoredValue, type ConstantSite } from './exact-constants.js';
export { windowLoops, runWindowLoop, checkWindowLoop, checkRecompileWarning, recompileWarnings, recompilingLoops, STEPS, type RecompilingLoop, type WindowLoop, type WindowReport } from './moving-window.js';
export { keyChecks, type NamedCheck } from './key-checks.js';
export { compileAhead } from './compile-ahead.js';
export { checkIndexSource, grammarIndexPieces, hostileIndexPieces, randomIndexText, type IndexSourceCheck } from './index-source.js';
export { checkNonFiniteFlag } from './non-finite-flag.js';
export { packOnceChecks, packedLayers } from './pack-once.js';
