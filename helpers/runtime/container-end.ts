// How a stack container stands after its platform's flows: still running, with no restarts? Read from the
// engine by id, with its log tail, for the still-running check and for flow failures while a service is down.
import { docker } from '../engine/docker.ts';
import { collectDiagnostics, describeDiagnostics, engineLogTail, exitStory } from './diagnostics.ts';
import type { ContainerEnd } from '../model/runtime-facts.ts';

export async function containerEndById(id: string, port?: number): Promise<ContainerEnd> {
  const c = docker().getContainer(id);
  const d = await collectDiagnostics(c, await engineLogTail(c, 30));
  return {
    running: d.state === 'running',
    restartCount: d.restartCount,
    story: exitStory(d),
    where: describeDiagnostics(d, port),
    listeningPorts: d.listeningPorts,
  };
}

/** "block-manager: exited with code 137 (killed (SIGKILL)) after 12.3 s" for every container that is not up. */
export async function downServices(ids: Record<string, string>): Promise<string[]> {
  const ends = await Promise.all(
    Object.entries(ids).map(async ([name, id]) => [name, await containerEndById(id)] as const),
  );
  return ends.filter(([, e]) => !e.running).map(([name, e]) => `${name}: ${e.story}`);
}
