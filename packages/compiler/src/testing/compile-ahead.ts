// Test support: plan every battery case once on a planning-only twin of a compiled backend (its
// kernels are recorded, never run), then compile all recorded kernels in one batch, about 32 per
// library, one compiler per core. The battery then finds every kernel in the disk cache instead
// of starting two small compiles per case. Purely a speed-up: a kernel it misses compiles when its
// case runs.
import { backendByName, hostMemory, registerBackend } from '@metaop/core';
import { createCompiledBackend, type CompiledBackend, type CompileJob } from '../compiled-backend.js';
import { runOnBackend, type OpCase } from '@metaop/ops/testing';

/** Compiles the kernels of `cases` on `backend` in one batch; returns how many there were. */
export function compileAhead(cases: readonly OpCase[], backend: string): number {
  const real = backendByName(backend) as CompiledBackend;
  const DRY = `${backend}-planning-only`;
  const jobs = new Map<string, CompileJob>();
  const dry: CompiledBackend = createCompiledBackend({
    ...real.device,
    ...hostMemory(() => dry),
    name: DRY,
    label: `${real.label} (planning only)`,
    compile(list) {
      for (const j of list) jobs.set(j.key, j);
      return list.map(() => ({ run() {} }));
    },
  });
  registerBackend({ name: DRY, priority: -1, available: () => true, create: () => dry });
  for (const c of cases) {
    try {
      runOnBackend(DRY, c, 1);
    } catch {
      // a case whose graph depends on computed values: its kernels compile when it runs
    }
  }
  real.device.compile([...jobs.values()]);
  return jobs.size;
}
