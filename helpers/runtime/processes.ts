import { readFile } from 'node:fs/promises';
import type Dockerode from 'dockerode';
import type { ProcessFact } from '../model/runtime-facts.ts';
import { docker } from '../engine/docker.ts';
import { engineEndpoint } from '../engine/endpoint.ts';
import { execIn } from './exec.ts';

/**
 * The container's processes with numeric ids, as the engine's host sees them (`docker top` runs ps there:
 * names would come from the host's passwd, so ask for numbers). Works the same against a remote engine. On an
 * engine with userns-remap the host's ids are shifted (uid 65532 shows as remap base + 65532): they are mapped
 * back through the container's own id maps, read from the host's /proc, else by the image's python.
 */
export async function listProcesses(
  container: Dockerode.Container,
  python = '/usr/bin/python3',
): Promise<ProcessFact[]> {
  type Top = { Titles: string[]; Processes: string[][] };
  let top: Top;
  try {
    top = (await container.top({ ps_args: '-o pid,uid,ruid,suid,gid,rgid,sgid,args' })) as Top;
  } catch {
    // A host ps without real/saved id columns (not procps): the effective ids alone.
    try {
      top = (await container.top({ ps_args: '-o pid,uid,gid,args' })) as Top;
    } catch (e) {
      throw new Error(`docker top failed: ${(e as Error).message}`);
    }
  }
  const procs = parseTop(top);
  if (!(await usernsRemap())) return procs;
  const maps = await idMapsOf(container, python);
  return toContainerIds(procs, maps.uid, maps.gid);
}

/** Pure: maps `docker top` columns by title, so the order ps prints them in does not matter. */
export function parseTop(top: { Titles: string[]; Processes: string[][] }): ProcessFact[] {
  const col = (name: string) => top.Titles.findIndex((t) => t.trim().toUpperCase() === name);
  const [p, u, g, a] = [col('PID'), col('UID'), col('GID'), col('COMMAND') >= 0 ? col('COMMAND') : col('ARGS')];
  const optional = (['RUID', 'SUID', 'RGID', 'SGID'] as const).map((t) => [t.toLowerCase(), col(t)] as const);
  return (top.Processes ?? []).map((row) => {
    const fact: ProcessFact = { pid: Number(row[p]), uid: Number(row[u]), gid: Number(row[g]), args: row[a] ?? '' };
    for (const [key, i] of optional)
      if (i >= 0 && /^\d+$/.test(row[i] ?? '')) fact[key as 'ruid' | 'suid' | 'rgid' | 'sgid'] = Number(row[i]);
    return fact;
  });
}

/** One line of a uid_map/gid_map: ids [inside, inside + count) of the container are [outside, …) on the host. */
export interface IdRange {
  inside: number;
  outside: number;
  count: number;
}

/** Pure: the lines of /proc/<pid>/uid_map (or gid_map): "inside outside count". */
export function parseIdMap(text: string): IdRange[] {
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number))
    .filter((f) => f.length === 3 && f.every(Number.isInteger))
    .map(([inside, outside, count]) => ({ inside: inside!, outside: outside!, count: count! }));
}

/** Pure: a host id back to the container's, or undefined when no range of the map holds it. */
export function insideId(outside: number, map: readonly IdRange[]): number | undefined {
  const r = map.find((m) => outside >= m.outside && outside < m.outside + m.count);
  return r ? r.inside + (outside - r.outside) : undefined;
}

/** Pure: processes with host ids (docker top under userns-remap) told with the container's ids. */
export function toContainerIds(
  procs: readonly ProcessFact[],
  uidMap: readonly IdRange[],
  gidMap: readonly IdRange[],
): ProcessFact[] {
  return procs.map((p) => {
    const uid = insideId(p.uid, uidMap);
    const gid = insideId(p.gid, gidMap);
    // An id the map does not hold cannot be told as the container's: unobserved, not wrong.
    if (uid === undefined || gid === undefined)
      throw new Error(`pid ${p.pid} runs as host ${p.uid}:${p.gid}, outside the container's id maps`);
    const out: ProcessFact = { ...p, uid, gid };
    for (const [key, map] of [
      ['ruid', uidMap],
      ['suid', uidMap],
      ['rgid', gidMap],
      ['sgid', gidMap],
    ] as const) {
      const host = p[key];
      if (host === undefined) continue;
      const inside = insideId(host, map);
      if (inside === undefined)
        delete out[key]; // unobserved, never a wrong verdict
      else out[key] = inside;
    }
    return out;
  });
}

let remap: Promise<boolean> | undefined;

/** Whether the engine runs with userns-remap (docker info), once per process. */
function usernsRemap(): Promise<boolean> {
  remap ??= (docker().info() as Promise<{ SecurityOptions?: string[] | null }>).then((i) =>
    (i.SecurityOptions ?? []).some((o) => /name=userns\b/.test(o)),
  );
  remap.catch(() => (remap = undefined)); // ask again next time (the engine may have been down)
  return remap;
}

/**
 * The container's id maps relative to the engine's host: from /proc here when the engine is local, else read
 * inside the container (a process there sees its namespace's map to the host's, the one docker top's ps uses).
 */
async function idMapsOf(container: Dockerode.Container, python: string): Promise<{ uid: IdRange[]; gid: IdRange[] }> {
  const pid = (await container.inspect()).State.Pid;
  if (engineEndpoint().local && pid > 0) {
    const read = (f: string) => readFile(`/proc/${pid}/${f}`, 'utf8').then(parseIdMap);
    const local = await Promise.all([read('uid_map'), read('gid_map')]).catch(() => undefined);
    if (local) return { uid: local[0], gid: local[1] };
  }
  const r = await execIn(
    container,
    [python, '-S', '-c', "print(open('/proc/1/uid_map').read() + '--\\n' + open('/proc/1/gid_map').read())"],
    { timeoutMs: 30_000 },
  );
  const [uid, gid] = r.output.split('--').map(parseIdMap);
  if (r.exitCode !== 0 || !uid?.length || !gid?.length)
    throw new Error(
      `the engine runs with userns-remap (docker top shows host ids) and the container's id maps could not be read: exec of ${python} exited ${r.exitCode}: ${r.output.slice(0, 200)}`,
    );
  return { uid, gid };
}
