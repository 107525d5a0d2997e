import { spawn } from 'node:child_process';
import { PROJECT_ROOT } from '../../helpers/contract/load.ts';

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
