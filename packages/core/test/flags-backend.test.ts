// Flags seeded from METAOP_* environment variables, flagScope, and the backend registry.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackendError, flags, flagScope, withBackend, getBackend } from '../src/index.js';

import type * as FlagsModuleNs from '../src/flags.js';
import type * as BackendModuleNs from '../src/backend.js';

type FlagsModule = typeof FlagsModuleNs;
type BackendModule = typeof BackendModuleNs;

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
  vi.restoreAllMocks();
});

/** A fresh copy of flags.ts, reading the environment as it is now. */
async function freshFlags(env: Record<string, string>): Promise<FlagsModule> {
  Object.assign(process.env, env);
  vi.resetModules();
  return import('../src/flags.js');
}

describe('flags from the environment', () => {
  it('parses METAOP_SEED, METAOP_EAGER, METAOP_PROGRESS, METAOP_QUIET, METAOP_BACKEND and METAOP_CACHE_DIR', async () => {
    const m = await freshFlags({
      METAOP_SEED: '42',
      METAOP_EAGER: '1',
      METAOP_PROGRESS: '0',
      METAOP_QUIET: 'yes',
      METAOP_BACKEND: 'js',
      METAOP_CACHE_DIR: '/tmp/metaop-cache',
    });
    expect(m.flags).toMatchObject({ seed: 42, eager: true, progress: false, notices: false, backend: 'js', cacheDir: '/tmp/metaop-cache' });
  });

  it('uses defaults when variables are unset or empty', async () => {
    for (const k of Object.keys(process.env)) if (k.startsWith('METAOP_')) delete process.env[k];
    const m = await freshFlags({ METAOP_SEED: '' });
    expect(m.flags).toMatchObject({ seed: 0, eager: false, progress: true, notices: true, backend: undefined, cacheDir: undefined });
  });

  it('reads false, off and no as off', async () => {
    const m = await freshFlags({ METAOP_EAGER: 'off', METAOP_PROGRESS: 'False', METAOP_QUIET: 'no' });
    expect(m.flags).toMatchObject({ eager: false, progress: false, notices: true });
  });

  it('rejects a seed that is not an integer, naming the variable', async () => {
    await expect(freshFlags({ METAOP_SEED: 'abc' })).rejects.toThrow(/^flags: METAOP_SEED=abc is not an integer; set a whole number/);
    await expect(freshFlags({ METAOP_SEED: '1.5' })).rejects.toMatchObject({ name: 'ArgumentError', op: 'flags' });
  });

  it('flagScope overrides and restores, also when fn throws', () => {
    const seed = flags.seed;
    expect(flagScope({ seed: 7 }, () => flags.seed)).toBe(7);
    expect(flags.seed).toBe(seed);
    expect(() =>
      flagScope({ seed: 9, eager: true }, () => {
        throw new Error('inside');
      }),
    ).toThrow('inside');
    expect(flags.seed).toBe(seed);
    expect(flags.eager).toBe(false);
  });

  it('notice prints to stderr unless notices are off', async () => {
    const m = await freshFlags({});
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    m.notice('hello');
    expect(warn).toHaveBeenCalledWith('[metaop] hello');
    m.flagScope({ notices: false }, () => m.notice('quiet'));
    expect(warn).toHaveBeenCalledTimes(1);
  });
});

/** A fresh backend registry (a new module instance), with METAOP_BACKEND unset. */
async function freshRegistry(): Promise<BackendModule> {
  delete process.env.METAOP_BACKEND;
  vi.resetModules();
  return import('../src/backend.js');
}

const stub = (name: string) => ({ name }) as unknown as ReturnType<BackendModule['getBackend']>;

describe('backend registry', () => {
  it('an unknown backend name lists the registered ones', async () => {
    const r = await freshRegistry();
    r.registerBackend({ name: 'alpha', priority: 1, available: () => true, create: () => stub('alpha') });
    r.registerBackend({ name: 'beta', priority: 2, available: () => true, create: () => stub('beta') });
    const err = (() => {
      try {
        r.setBackend('gamma');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.name).toBe('BackendError');
    expect(err?.message).toMatch(/^setBackend: unknown backend 'gamma'; registered: alpha, beta\. Import its package first/);
  });

  it('with nothing registered, getBackend says what to import', async () => {
    const r = await freshRegistry();
    expect(() => r.getBackend()).toThrow(/no backend is registered; import @metaop\/ops/);
  });

  it('picks the highest-priority available backend and says why others were skipped', async () => {
    const r = await freshRegistry();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    r.registerBackend({ name: 'slow', priority: 1, available: () => true, create: () => stub('slow') });
    r.registerBackend({ name: 'fast', priority: 9, available: () => 'no C compiler found', create: () => stub('fast') });
    expect(r.getBackend().name).toBe('slow');
    expect(warn.mock.calls.join('\n')).toContain("backend 'fast' unavailable (no C compiler found); using backend 'slow'");
    expect(() => r.setBackend('fast')).toThrow(/setBackend: backend 'fast' cannot run here: no C compiler found/);
  });

  it('METAOP_BACKEND chooses the backend when none was set', async () => {
    process.env.METAOP_BACKEND = 'two';
    vi.resetModules();
    const fresh = await import('../src/backend.js');
    fresh.registerBackend({ name: 'one', priority: 5, available: () => true, create: () => stub('one') });
    fresh.registerBackend({ name: 'two', priority: 1, available: () => true, create: () => stub('two') });
    expect(fresh.getBackend().name).toBe('two');
  });

  it('withBackend restores the previous choice, also when fn throws', async () => {
    const r = await freshRegistry();
    r.registerBackend({ name: 'a', priority: 1, available: () => true, create: () => stub('a') });
    r.registerBackend({ name: 'b', priority: 0, available: () => true, create: () => stub('b') });
    r.setBackend('a');
    expect(r.withBackend('b', () => r.getBackend().name)).toBe('b');
    expect(r.getBackend().name).toBe('a');
    expect(() => r.withBackend('b', () => {
      throw new Error('x');
    })).toThrow('x');
    expect(r.getBackend().name).toBe('a');
    expect(r.backendNames()).toEqual(['a', 'b']);
  });

  it('the shared registry refuses unknown names with a BackendError', () => {
    expect(() => withBackend('no-such-backend', () => getBackend())).toThrow(BackendError);
  });
});
