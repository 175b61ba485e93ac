// @metaop/backend-js: importing it registers backend 'js' (generated JavaScript, no toolchain).
export { createJsBackend } from './js-backend.js';
export { JsRenderer } from './js-renderer.js';
export { kernelHelpers, type KernelHelpers } from './helpers.js';
