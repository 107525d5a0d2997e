/**
 * A child's descendants (vitest's workers) and waiting for them to exit. Workers orphaned by an interrupted
 * vitest can still create a container after the CLI's final sweep; the CLI signals them with vitest and
 * waits for them before sweeping. Linux /proc only; elsewhere there is nothing to wait for (empty list).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Pure: ppid from the text of /proc/<pid>/stat (the command name may hold spaces and parentheses). */
export function ppidOfStat(stat: string): number | undefined {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(rest[1]);
  return Number.isInteger(ppid) ? ppid : undefined;
}

/** Pure: every pid below `root` in a pid → ppid map. */
export function descendantsIn(parents: Map<number, number>, root: number): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(root);
  return out;
}

export function descendants(root: number, procDir = '/proc'): number[] {
  // (Zombies are listed too; alive() tells them apart.)
  const parents = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync(procDir).filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
  for (const d of entries) {
    try {
      const ppid = ppidOfStat(readFileSync(`${procDir}/${d}/stat`, 'utf8'));
      if (ppid !== undefined) parents.set(Number(d), ppid);
    } catch {
      /* exited meanwhile */
    }
  }
  return descendantsIn(parents, root);
}

/** Pure: the state letter of /proc/<pid>/stat (Z = zombie: exited, not yet reaped by its parent). */
export const stateOfStat = (stat: string): string => stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '';

/** A zombie counts as gone: it runs nothing, and an orphan's zombie waits on whoever adopts it. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return stateOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8')) !== 'Z';
  } catch {
    return true; // no /proc: the signal check is all there is
  }
}

/** Waits until none of `pids` is alive; SIGKILLs the rest after `graceMs`. */
export async function reap(pids: number[], graceMs = 5000): Promise<void> {
  const deadline = Date.now() + graceMs;
  let killed = false;
  for (;;) {
    const left = pids.filter((p) => alive(p));
    if (!left.length) return;
    if (Date.now() > deadline + (killed ? 2000 : 0)) {
      if (killed) return; // unkillable (another user's?): give up rather than hang
      for (const p of left) process.kill(p, 'SIGKILL');
      killed = true;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
