// The absent-Open-MPI path: openMpiStatus() names what is missing (mpirun, mpicc, libmpi) and how to
// install it, from a PATH and library folders that lack them; a process that mpirun seems to have
// started but that cannot find Open MPI stops with that message; without mpirun, a world of size 1.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openMpiStatus } from '../src/open-mpi.js';
import { fixture } from './mpirun.js';

const empty = mkdtempSync(join(tmpdir(), 'metaop-no-mpi-'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));
const install = /Install Open MPI: Debian\/Ubuntu `apt-get install openmpi-bin libopenmpi-dev` \(or `node scripts\/setup-system\.mjs --for test`/;

describe('openMpiStatus', () => {
  it('on this machine: either every part found (and it exists) or a message naming the missing ones', () => {
    const s = openMpiStatus();
    if (s.ok) {
      for (const p of [s.mpirun, s.mpicc, s.libmpi]) expect(p && existsSync(p)).toBe(true);
      expect(s.libmpi).toMatch(/libmpi\.so/);
      expect(s.message).toBe('');
    } else {
      expect(s.missing.length).toBeGreaterThan(0);
      expect(s.message).toMatch(/Install Open MPI/);
    }
  });

  it('names mpirun, mpicc and libmpi and the packages when none is there', () => {
    const s = openMpiStatus({ path: empty, libDirs: [empty] });
    expect(s.ok).toBe(false);
    expect(s.missing).toEqual(['mpirun', 'mpicc', 'libmpi']);
    expect(s.message).toMatch(/missing mpirun \(not on PATH\), mpicc \(not on PATH\), libmpi\.so \(not in .*metaop-no-mpi-/);
    expect(s.message).toMatch(install);
  });

  it('names only what is missing: a PATH with mpirun alone and a folder with libmpi', () => {
    const dir = mkdtempSync(join(tmpdir(), 'metaop-some-mpi-'));
    try {
      writeFileSync(join(dir, 'mpirun'), '#!/bin/sh\n');
      chmodSync(join(dir, 'mpirun'), 0o755);
      writeFileSync(join(dir, 'libmpi.so.40'), '');
      const s = openMpiStatus({ path: dir, libDirs: [dir] });
      expect(s.missing).toEqual(['mpicc']);
      expect([s.mpirun, s.libmpi]).toEqual([join(dir, 'mpirun'), join(dir, 'libmpi.so.40')]);
      expect(s.message).toMatch(/missing mpicc \(not on PATH\)\. Install Open MPI: Debian\/Ubuntu `apt-get install libopenmpi-dev`/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // A child whose PATH is an empty folder (node is started by its full path) and MPICC unset.
  const withoutMpi = (env: Record<string, string>) =>
    spawnSync(process.execPath, [fixture('init.mjs')], {
      env: { ...process.env, PATH: empty, MPICC: undefined, OMPI_COMM_WORLD_SIZE: undefined, OMPI_COMM_WORLD_RANK: undefined, ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('under an mpirun environment without Open MPI, init() stops with what is missing and how to install it', () => {
    const r = withoutMpi({ OMPI_COMM_WORLD_SIZE: '2', OMPI_COMM_WORLD_RANK: '0' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/DistributedError: init: this process was started by mpirun \(rank 0 of 2\) but the MPI shim could not be loaded: Open MPI is not usable here: missing mpirun \(not on PATH\), mpicc \(not on PATH\)/);
    expect(r.stderr).toMatch(/scripts\/setup-system\.mjs --for test/);
  });

  it('without mpirun, init() gives a world of size 1 even when Open MPI is absent', () => {
    const r = withoutMpi({});
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual({ rank: 0, worldSize: 1 });
  });
});
