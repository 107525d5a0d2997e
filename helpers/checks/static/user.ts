import { lookupUser, unreadText } from '../../facts/users.ts';
import { NotRun } from '../../model/verdict.ts';
import type { StaticCheck } from './types.ts';

export const USER = 'user';

/** `User` must resolve, through the image's own /etc/passwd and /etc/group, to the contract's uid and gid. */
export const checkUser: StaticCheck = (facts, contract) => {
  const { uid, gid } = contract.user;
  const spec = facts.config.User;
  const expected = `User resolving to uid ${uid} and gid ${gid} (e.g. "${uid}:${gid}" or "nonroot")`;
  const where = 'image config: config.User; image files /etc/passwd, /etc/group';
  if (spec.trim() === '')
    return [{ check: USER, expected, seen: 'User is empty: the container runs as root (uid 0)', where }];
  // A name, or a uid without a group (its gid is the passwd entry's), needs /etc/passwd; a group name, /etc/group.
  const [userPart = '', groupPart = ''] = spec.split(':', 2);
  const num = (s: string) => /^\d+$/.test(s);
  const needs = [
    ...(num(userPart) && num(groupPart) ? [] : ['/etc/passwd']),
    ...(groupPart && !num(groupPart) ? ['/etc/group'] : []),
  ];
  const unread = needs.filter((p) => unreadText(facts.fs, p));
  if (unread.length)
    throw new NotRun(
      `User "${spec}" needs ${unread.join(' and ')}, a regular file whose text the harness did not capture`,
    );
  const r = lookupUser(facts.fs, spec);
  if (!r.ok)
    return [{ check: USER, expected, seen: `User "${spec}": ${r.reason}, so the container cannot start`, where }];
  if (r.uid === uid && r.gid === gid) return [];
  const problems: string[] = [];
  const name = r.user ? ` (${r.user})` : '';
  if (r.uid === 0) problems.push(`User "${spec}" is root (uid 0)`);
  else if (r.uid !== uid) problems.push(`User "${spec}" resolves to uid ${r.uid}${name}, not ${uid}`);
  if (r.gid !== gid)
    problems.push(
      `${problems.length ? 'and ' : `User "${spec}" resolves to `}gid ${r.gid}${r.group ? ` (${r.group})` : ''}, not ${gid}${r.note ? `: ${r.note}` : ''}`,
    );
  return [{ check: USER, expected, seen: problems.join(' '), where }];
};
