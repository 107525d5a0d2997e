import { posix } from 'node:path';
import type { FsEntry, FsIndex } from '../model/image-facts.ts';

/** Linux gives up after 40 symlinks (ELOOP); so does the harness. */
const MAX_HOPS = 40;

interface Resolved {
  /** The path reached after following symlinks (the last one tried when resolution failed). */
  path: string;
  entry?: FsEntry;
  /** Every symlink followed, as "link -> target". */
  hops: string[];
  error?: 'not-found' | 'loop' | 'not-a-directory';
}

/**
 * Resolves a path inside the image the way the kernel would: every component may be a symlink (absolute
 * targets restart at the image root, relative ones at the link's directory), ".." climbs, loops are bounded.
 * A missing intermediate directory entry is tolerated: layer tars need not list parents.
 */
export function resolvePath(ix: FsIndex, path: string, cwd = '/'): Resolved {
  const hops: string[] = [];
  let pending = posix.isAbsolute(path) ? path : posix.join(cwd || '/', path);
  for (;;) {
    let cur = '/';
    let restarted = false;
    const parts = pending.split('/').filter((p) => p && p !== '.');
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (part === '..') {
        cur = posix.dirname(cur);
        continue;
      }
      const next = posix.join(cur, part);
      const e = ix.entries.get(next);
      if (e?.type === 'symlink' && e.link !== undefined) {
        if (hops.length >= MAX_HOPS) return { path: next, hops, error: 'loop' };
        hops.push(`${next} -> ${e.link}`);
        const target = posix.isAbsolute(e.link) ? e.link : posix.join(cur, e.link);
        pending = [target, ...parts.slice(i + 1)].join('/');
        restarted = true;
        break;
      }
      if (e && e.type !== 'dir' && i < parts.length - 1)
        return { path: next, entry: e, hops, error: 'not-a-directory' };
      cur = next;
    }
    if (restarted) continue;
    const entry = ix.entries.get(cur);
    return entry || cur === '/'
      ? { path: cur, ...(entry && { entry }), hops }
      : { path: cur, hops, error: 'not-found' };
  }
}

/** A hardlink is a regular file under another name. */
export const isRegularFile = (e: FsEntry | undefined): boolean => e?.type === 'file' || e?.type === 'hardlink';
export const isExecutable = (e: FsEntry | undefined): boolean => isRegularFile(e) && ((e?.mode ?? 0) & 0o111) !== 0;

/** Docker's default PATH when the image sets none. */
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function envValue(env: readonly string[], name: string): string | undefined {
  const hit = env.find((e) => e.startsWith(`${name}=`));
  return hit === undefined ? undefined : hit.slice(name.length + 1);
}

interface ProgramLookup {
  /** The candidate paths tried, in order. */
  tried: string[];
  /** The first candidate that resolves to an executable regular file, else the first that exists at all. */
  found?: Resolved & { candidate: string };
  /** When none exists: the first candidate that is a symlink whose target is missing (a venv's bin/python). */
  dangling?: Resolved & { candidate: string };
}

/** Finds a program the way exec does: a name with "/" is a path (relative to WorkingDir), others go through PATH. */
export function findProgram(
  ix: FsIndex,
  program: string,
  env: readonly string[] = [],
  workingDir = '/',
): ProgramLookup {
  const candidates = program.includes('/')
    ? [posix.isAbsolute(program) ? program : posix.join(workingDir || '/', program)]
    : (envValue(env, 'PATH') ?? DEFAULT_PATH)
        .split(':')
        .filter(Boolean)
        .map((d) => posix.join(d, program));
  let existing: ProgramLookup['found'];
  let dangling: ProgramLookup['dangling'];
  for (const candidate of candidates) {
    const r = resolvePath(ix, candidate);
    if (isExecutable(r.entry) && !r.error) return { tried: candidates, found: { ...r, candidate } };
    if (r.entry && !r.error && !existing) existing = { ...r, candidate };
    if (r.error === 'not-found' && r.hops.length && !dangling) dangling = { ...r, candidate };
  }
  if (existing) return { tried: candidates, found: existing };
  return { tried: candidates, ...(dangling && { dangling }) };
}
