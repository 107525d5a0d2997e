import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../helpers/contract/load.ts';

/**
 * For runs whose subject is not a service's life (merge, registry, regress, OCI layout, remote engine, local
 * images): each own container is kept 1 s / 2 s after healthy instead of the contract's 6 s / 10 s, idle time
 * that cost these files ~2 of npm test's minutes. The defaults run in the smoke matrix (exits-after-healthy),
 * the shared stack, the alt family, isolation and the suites project.
 */
export const BRIEF_SURVIVAL = { LUCID_PROFILE: join(PROJECT_ROOT, 'tests/support/profiles/brief-survival.json') };

interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `lucid-harness <args>` as users do, asynchronously: a test that also serves something the child
 * uses (a proxy, a registry helper) must keep its own event loop running, which spawnSync would block.
 */
/** `env` is laid over this process's environment; a key set to undefined is removed. */
export function runCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  timeoutMs = 600_000,
): Promise<CliResult> {
  const merged: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete merged[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/lucid-harness.mjs', ...args], {
      cwd: PROJECT_ROOT,
      env: merged,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
