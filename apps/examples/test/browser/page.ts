// The browser page's script (bundled by esbuild in the browser test): runs the MLP on the js
// backend and exposes the result to the test.
import * as M from '@metaop/ops';
import '@metaop/backend-js';
import { mlpStep, type MlpResult } from './mlp.js';

interface PageApi {
  runMlp(): MlpResult & { backend: string; launches: number; kernelsCompiled: number };
  metaopReady: boolean;
}

const api = globalThis as unknown as PageApi;
api.runMlp = () => {
  M.setBackend('js');
  const result = mlpStep(M);
  const backend = M.getBackend() as unknown as { name: string; stats(): { launches: number; kernelsCompiled: number } };
  const s = backend.stats();
  return { ...result, backend: backend.name, launches: s.launches, kernelsCompiled: s.kernelsCompiled };
};
api.metaopReady = true;
