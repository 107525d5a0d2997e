import type Dockerode from 'dockerode';
import type { ProcessFact } from '../model/runtime-facts.ts';

/**
 * The container's processes with numeric ids, as the engine's host sees them (`docker top` runs ps there:
 * names would come from the host's passwd, so ask for numbers). Works the same against a remote engine.
 */
export async function listProcesses(container: Dockerode.Container): Promise<ProcessFact[]> {
  const top = (await container.top({ ps_args: '-o pid,uid,gid,args' })) as { Titles: string[]; Processes: string[][] };
  return parseTop(top);
}

/** Pure: maps `docker top` columns by title, so the order ps prints them in does not matter. */
export function parseTop(top: { Titles: string[]; Processes: string[][] }): ProcessFact[] {
  const col = (name: string) => top.Titles.findIndex((t) => t.trim().toUpperCase() === name);
  const [p, u, g, a] = [col('PID'), col('UID'), col('GID'), col('COMMAND') >= 0 ? col('COMMAND') : col('ARGS')];
  return (top.Processes ?? []).map((row) => ({
    pid: Number(row[p]),
    uid: Number(row[u]),
    gid: Number(row[g]),
    args: row[a] ?? '',
  }));
}
