import { posix } from 'node:path';

/** Tar names come as "usr/bin", "./usr/bin/" or "/usr/bin"; the index keys them all as "/usr/bin". */
export function absPath(name: string): string {
  const p = posix.normalize(`/${name}`);
  // normalize keeps a trailing slash and lets ".." climb to "/", which is what an unpacker does too.
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}

export const parentOf = (p: string): string => posix.dirname(p);
export const baseName = (p: string): string => posix.basename(p);

/** True when `p` lies strictly below directory `dir`. */
export function isBelow(p: string, dir: string): boolean {
  return dir === '/' ? p !== '/' : p.startsWith(`${dir}/`);
}
