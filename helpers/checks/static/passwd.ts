import { resolvePath } from '../../facts/resolve.ts';
import { parsePasswd, textOf, unreadText } from '../../facts/users.ts';
import { NotRun } from '../../model/verdict.ts';
import type { StaticCheck } from './types.ts';

export const PASSWD_NONROOT = 'passwd-nonroot';

/** The image's own /etc/passwd must name the contract uid, so tools and libraries can resolve the user. */
export const checkPasswdNonroot: StaticCheck = (facts, contract) => {
  const { uid } = contract.user;
  const expected = `/etc/passwd has an entry for uid ${uid}`;
  const r = resolvePath(facts.fs, '/etc/passwd');
  const where = `image file /etc/passwd${r.path !== '/etc/passwd' ? ` (-> ${r.path})` : ''}`;
  if (!r.entry) return [{ check: PASSWD_NONROOT, expected, seen: 'the image has no /etc/passwd', where }];
  // A regular file the harness could not read is not a missing entry: its content was not observed.
  if (unreadText(facts.fs, '/etc/passwd'))
    throw new NotRun(`${r.path} is a regular file whose text the harness did not capture (${r.entry.size} bytes)`);
  const text = textOf(facts.fs, '/etc/passwd');
  if (text === undefined)
    return [
      {
        check: PASSWD_NONROOT,
        expected,
        seen: `/etc/passwd is ${r.entry.type === 'dir' ? 'a directory' : 'not readable by the harness (not a small regular file)'}`,
        where,
      },
    ];
  const users = parsePasswd(text);
  if (users.some((u) => u.uid === uid)) return [];
  return [
    {
      check: PASSWD_NONROOT,
      expected,
      seen: `no uid ${uid}; /etc/passwd has ${users.map((u) => `${u.name}=${u.uid}`).join(', ') || 'no entries'}`,
      where,
    },
  ];
};
