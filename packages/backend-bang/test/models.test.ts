// ResNet-18 and VGG-11 forward passes (eval mode, small inputs) on 'bang' (emulated) match the 'c'
// backend within 1e-4 relative. Skips with a message while @metaop/models cannot be imported.
// VGG-11 keeps its 102M-weight classifier at any input size: the slowest test of the package.
import { describe, expect, it } from 'vitest';
import * as M from '@metaop/ops';
import type { Var } from '@metaop/core';
import type * as ModelsModule from '@metaop/models';
import '@metaop/backend-c';
import '@metaop/backend-bang';

type Models = typeof ModelsModule;
type Model = { eval(): unknown; forward(x: Var): Var };

const loaded: Models | Error = await import('@metaop/models').catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
const missing = loaded instanceof Error ? `@metaop/models cannot be imported yet: ${loaded.message.split('\n')[0]}` : null;

/** max |bang - c| / max |c| over the logits. */
function relativeError(build: () => Model, input: number[]): number {
  M.manualSeed(7);
  const model = build();
  model.eval();
  const x = M.randn(input);
  const want = M.withBackend('c', () => M.noGrad(() => model.forward(x)).dataSync());
  const got = M.withBackend('bang', () => M.noGrad(() => model.forward(x)).dataSync());
  let scale = 0;
  let err = 0;
  for (let i = 0; i < want.length; i++) {
    scale = Math.max(scale, Math.abs(want[i]));
    err = Math.max(err, Math.abs(got[i] - want[i]));
  }
  expect(Number.isFinite(scale) && scale > 0).toBe(true);
  return err / scale;
}

describe('models on bang (emulated) against c', () => {
  it.skipIf(missing !== null)(`resnet18 forward, 2x3x32x32${missing ? ` (skipped: ${missing})` : ''}`, () => {
    const { resnet18 } = loaded as Models;
    expect(relativeError(() => resnet18({ numClasses: 10 }), [2, 3, 32, 32])).toBeLessThan(1e-4);
  }, 600_000);

  it.skipIf(missing !== null)(`vgg11 forward, 1x3x32x32${missing ? ` (skipped: ${missing})` : ''}`, () => {
    const { vgg11 } = loaded as Models;
    expect(relativeError(() => vgg11({ numClasses: 10 }), [1, 3, 32, 32])).toBeLessThan(1e-4);
  }, 600_000);
});
