// @metaop/compiler/testing: helpers a backend's own test suite uses to check itself against the oracle.
export { differential, backendTolerance } from './differential.js';
export { checkIndexSource, grammarIndexPieces, hostileIndexPieces, randomIndexText, type IndexSourceCheck } from './index-source.js';
