import type { ExecOutcome } from '../model/runtime-facts.ts';

export interface ShellTries {
  shellExecs: ExecOutcome[];
  shellsIn: 'service' | 'fresh';
}

/**
 * Tries the shells in the running service container. A service can exit between the harness's inspect and an
 * exec (a crash a few seconds after healthy, on a busy box): the engine then refuses the exec (409), which says
 * nothing about the shell, so every shell is tried again in fresh containers, as for a service that is not running.
 * An exec without a result while the container still runs (it hung) is kept: that shell is not proven absent.
 */
export async function tryShellsInService(
  cmds: string[][],
  exec: (cmd: string[]) => Promise<ExecOutcome>,
  stillRunning: () => Promise<boolean>,
  inFreshContainers: (cmds: string[][]) => Promise<ExecOutcome[]>,
): Promise<ShellTries> {
  const shellExecs: ExecOutcome[] = [];
  for (const cmd of cmds) shellExecs.push(await exec(cmd));
  if (shellExecs.some((o) => o.exitCode === null) && !(await stillRunning()))
    return { shellExecs: await inFreshContainers(cmds), shellsIn: 'fresh' };
  return { shellExecs, shellsIn: 'service' };
}
