import { resolvePath } from './resolve.ts';
import type { FsIndex } from '../model/image-facts.ts';

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}
interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
const num = (s: string | undefined) => (s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined);

export function parsePasswd(text: string): PasswdEntry[] {
  return lines(text).flatMap((l) => {
    const [name = '', , uid, gid, , home = '', shell = ''] = l.split(':');
    const u = num(uid);
    const g = num(gid);
    return name && u !== undefined && g !== undefined ? [{ name, uid: u, gid: g, home, shell }] : [];
  });
}

function parseGroup(text: string): GroupEntry[] {
  return lines(text).flatMap((l) => {
    const [name = '', , gid, members = ''] = l.split(':');
    const g = num(gid);
    return name && g !== undefined ? [{ name, gid: g, members: members.split(',').filter(Boolean) }] : [];
  });
}

/** The captured content of a text file, following symlinks (e.g. /etc/os-release -> ../usr/lib/os-release). */
export function textOf(ix: FsIndex, path: string): string | undefined {
  return ix.texts.get(resolvePath(ix, path).path) ?? ix.texts.get(path);
}

/**
 * A file the image has as a regular file whose text the harness did not capture (bigger than the capture limit,
 * or a hardlink to a name the indexer does not capture): its content cannot be judged.
 */
export function unreadText(ix: FsIndex, path: string): boolean {
  const r = resolvePath(ix, path);
  return !r.error && (r.entry?.type === 'file' || r.entry?.type === 'hardlink') && textOf(ix, path) === undefined;
}

type UserLookup =
  | { ok: true; uid: number; gid: number; extraGids?: number[]; user?: string; group?: string; note?: string }
  | { ok: false; reason: string };

/**
 * Resolves an image `User` the way Docker (runc) does: "" is root; a name must be in /etc/passwd; a number
 * need not be, and then its group is 0; without ":group" the group is the passwd entry's primary gid; a group
 * name must be in /etc/group.
 */
export function lookupUser(ix: FsIndex, spec: string): UserLookup {
  if (spec === '') return { ok: true, uid: 0, gid: 0, note: 'empty User means root' };
  const [userPart = '', groupPart] = spec.split(':', 2);
  const passwdText = textOf(ix, '/etc/passwd');
  const passwd = passwdText === undefined ? [] : parsePasswd(passwdText);
  const groupText = textOf(ix, '/etc/group');
  const groups = groupText === undefined ? [] : parseGroup(groupText);

  const uidNum = num(userPart);
  const pw = uidNum === undefined ? passwd.find((p) => p.name === userPart) : passwd.find((p) => p.uid === uidNum);
  if (uidNum === undefined && !pw) {
    const why = passwdText === undefined ? 'the image has no /etc/passwd' : '/etc/passwd has no such user';
    return { ok: false, reason: `user "${userPart}" cannot be resolved: ${why}` };
  }
  const uid = uidNum ?? pw!.uid;

  let gid: number;
  let group: string | undefined;
  let note: string | undefined;
  if (groupPart === undefined || groupPart === '') {
    gid = pw?.gid ?? 0;
    if (!pw) note = `uid ${uid} is not in /etc/passwd, so Docker runs it with gid 0`;
    group = groups.find((g) => g.gid === gid)?.name;
  } else {
    const gidNum = num(groupPart);
    const gr = gidNum === undefined ? groups.find((g) => g.name === groupPart) : groups.find((g) => g.gid === gidNum);
    if (gidNum === undefined && !gr) {
      const why = groupText === undefined ? 'the image has no /etc/group' : '/etc/group has no such group';
      return { ok: false, reason: `group "${groupPart}" cannot be resolved: ${why}` };
    }
    gid = gidNum ?? gr!.gid;
    group = gr?.name;
  }
  // runc adds the groups /etc/group lists the user's name in (its supplementary groups), but only when User names no
  // group: with "user:group" the process has that group alone.
  const implicit = groupPart === undefined || groupPart === '';
  const extraGids =
    pw && implicit ? groups.filter((g) => g.members.includes(pw.name) && g.gid !== gid).map((g) => g.gid) : [];
  return {
    ok: true,
    uid,
    gid,
    ...(extraGids.length && { extraGids }),
    ...(pw && { user: pw.name }),
    ...(group && { group }),
    ...(note && { note }),
  };
}
