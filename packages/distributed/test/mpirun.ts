// Runs a fixture (built packages) under `mpirun -np N` on localhost, bounded in time, with the flags
// CI needs: --oversubscribe (more ranks than cores) and, as root, --allow-run-as-root.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openMpiStatus } from '../src/open-mpi.js';

/** Why the MPI tests cannot run here (what is missing and how to install it), or undefined when they can. */
const status = openMpiStatus();
export const mpiMissing: string | undefined = !status.ok
  ? status.message
  : !existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)))
    ? '@metaop/distributed is not built (run `pnpm run build`)'
    : undefined;

export const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

export interface MpiRun {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** The JSON lines printed on stdout. */
  lines: Record<string, unknown>[];
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
export const mpirunFlags = ['--oversubscribe', ...(isRoot ? ['--allow-run-as-root'] : [])];

function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout.split('\n').flatMap((l) => {
    if (!l.startsWith('{')) return [];
    try {
      return [JSON.parse(l) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

/** Runs `node <script> [args]` in `np` ranks (np = 0: plainly, without mpirun); `script` may be [script, ...args]. */
export function mpirun(np: number, script: string | readonly string[], env: Record<string, string> = {}, timeoutMs = 90_000): MpiRun {
  const node = [process.execPath, ...(typeof script === 'string' ? [script] : script)];
  const childEnv = { ...process.env, METAOP_BACKEND: undefined, METAOP_PROGRESS: '0', OMP_NUM_THREADS: '1', ...env };
  const rootEnv = isRoot ? { OMPI_ALLOW_RUN_AS_ROOT: '1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1' } : {};
  const [cmd, args] = np === 0 ? [node[0], node.slice(1)] : ['mpirun', [...mpirunFlags, '-np', String(np), ...node]];
  const t = performance.now();
  const r = spawnSync(cmd, args, { env: { ...childEnv, ...rootEnv }, encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t, lines: jsonLines(r.stdout) };
}
