import { isRegularFile } from '../../facts/resolve.ts';
import type { FsEntry } from '../../model/image-facts.ts';
import type { StaticCheck } from './types.ts';

export const NO_SETUID = 'no-setuid';
export const NO_WORLD_WRITABLE = 'no-world-writable';

const octal = (m: number) => m.toString(8).padStart(4, '0');
const owner = (e: FsEntry) => `${e.uid}:${e.gid}`;
const sortedEntries = (m: Map<string, FsEntry>) => [...m.values()].sort((a, b) => a.path.localeCompare(b.path));

/** setuid/setgid regular files escalate privileges; base-files' setgid /var/local directory does not and passes. */
export const checkNoSetuid: StaticCheck = (facts) =>
  sortedEntries(facts.fs.entries)
    .filter((e) => isRegularFile(e) && e.mode & 0o6000)
    .map((e) => {
      const bits = [e.mode & 0o4000 && 'setuid', e.mode & 0o2000 && 'setgid'].filter(Boolean).join('+');
      return {
        check: NO_SETUID,
        expected: 'no setuid or setgid file',
        seen: `${e.path} is ${bits} (mode ${octal(e.mode)}, owner ${owner(e)})`,
        where: `image file ${e.path} (layer ${e.layer ?? '?'})`,
      };
    });

/** Anyone can plant or swap files in a world-writable directory unless the sticky bit protects them (/tmp 1777 passes). */
export const checkNoWorldWritable: StaticCheck = (facts) =>
  sortedEntries(facts.fs.entries)
    .filter((e) => e.type === 'dir' && e.mode & 0o002 && !(e.mode & 0o1000))
    .map((e) => ({
      check: NO_WORLD_WRITABLE,
      expected: 'no world-writable directory without the sticky bit',
      seen: `${e.path} is world-writable without the sticky bit (mode ${octal(e.mode)}, owner ${owner(e)})`,
      where: `image directory ${e.path} (layer ${e.layer ?? '?'})`,
    }));
