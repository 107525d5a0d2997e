import { describe, expect, test } from 'vitest';
import { indexFrom } from '../../helpers/facts/merge.ts';
import { findProgram, resolvePath } from '../../helpers/facts/resolve.ts';
import { dir, exe, file, symlink } from '../support/sample-facts.ts';
import { lookupUser, parsePasswd } from '../../helpers/facts/users.ts';

const ix = indexFrom([
  dir('/usr'),
  dir('/usr/bin'),
  dir('/usr/lib'),
  symlink('/bin', 'usr/bin'), // usrmerge-style directory symlink
  symlink('/lib', '/usr/lib'),
  exe('/usr/bin/python3.11', { elf: 'aarch64' }),
  symlink('/usr/bin/python3', 'python3.11'),
  symlink('/usr/bin/python', '../bin/python3'),
  symlink('/usr/bin/py-abs', '/bin/python3'),
  file('/usr/lib/os-release'),
  dir('/etc'),
  symlink('/etc/os-release', '../usr/lib/os-release'),
  symlink('/loop/a', 'b'),
  symlink('/loop/b', 'a'),
  symlink('/dangling', '/nowhere'),
  file('/etc/hosts'),
  file('/app/notexec.py'),
]);

describe('resolvePath', () => {
  test('follows relative, absolute and directory symlinks', () => {
    expect(resolvePath(ix, '/usr/bin/python3')).toMatchObject({
      path: '/usr/bin/python3.11',
      entry: { elf: 'aarch64' },
    });
    expect(resolvePath(ix, '/bin/python3').path).toBe('/usr/bin/python3.11');
    expect(resolvePath(ix, '/usr/bin/python').path).toBe('/usr/bin/python3.11');
    expect(resolvePath(ix, '/usr/bin/py-abs').hops).toEqual([
      '/usr/bin/py-abs -> /bin/python3',
      '/bin -> usr/bin',
      '/usr/bin/python3 -> python3.11',
    ]);
    expect(resolvePath(ix, '/etc/os-release').path).toBe('/usr/lib/os-release');
    // As in the kernel, ".." climbs from where the symlink led (/usr/lib), not from the link's own directory.
    expect(resolvePath(ix, '/lib/../etc/hosts')).toMatchObject({ path: '/usr/etc/hosts', error: 'not-found' });
    expect(resolvePath(ix, '/usr/lib/../../etc/hosts').path).toBe('/etc/hosts');
    expect(resolvePath(ix, 'bin/python3', '/').path).toBe('/usr/bin/python3.11');
  });

  test('reports loops, dangling links and files used as directories', () => {
    expect(resolvePath(ix, '/loop/a').error).toBe('loop');
    expect(resolvePath(ix, '/dangling')).toMatchObject({ path: '/nowhere', error: 'not-found' });
    expect(resolvePath(ix, '/etc/hosts/x').error).toBe('not-a-directory');
    expect(resolvePath(ix, '/').error).toBeUndefined();
  });
});

describe('findProgram', () => {
  test('searches PATH for bare names and prefers an executable', () => {
    expect(findProgram(ix, 'python3', ['PATH=/usr/local/bin:/bin']).found?.path).toBe('/usr/bin/python3.11');
    expect(findProgram(ix, 'python3').found?.candidate).toBe('/usr/bin/python3');
    expect(findProgram(ix, 'sh').found).toBeUndefined();
    expect(findProgram(ix, 'notexec.py', [], '/app').found).toBeUndefined();
    expect(findProgram(ix, './notexec.py', [], '/app').found?.path).toBe('/app/notexec.py');
  });
});

describe('lookupUser', () => {
  const passwd =
    'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532::/home/nonroot:/sbin/nologin\napp:x:1000:1000::/app:/bin/false\nalias:x:65532:65532::/:/x\n';
  const group = 'root:x:0:\nnonroot:x:65532:\napp:x:1000:\nstaff:x:50:\n';
  const users = indexFrom([file('/etc/passwd'), file('/etc/group')], { '/etc/passwd': passwd, '/etc/group': group });

  test('resolves names and numbers the way Docker does', () => {
    expect(lookupUser(users, 'nonroot')).toMatchObject({
      ok: true,
      uid: 65532,
      gid: 65532,
      user: 'nonroot',
      group: 'nonroot',
    });
    expect(lookupUser(users, '65532')).toMatchObject({ ok: true, uid: 65532, gid: 65532 });
    expect(lookupUser(users, 'nonroot:nonroot')).toMatchObject({ ok: true, uid: 65532, gid: 65532 });
    expect(lookupUser(users, 'alias')).toMatchObject({ ok: true, uid: 65532, gid: 65532 });
    expect(lookupUser(users, 'app')).toMatchObject({ ok: true, uid: 1000, gid: 1000 });
    expect(lookupUser(users, '')).toMatchObject({ ok: true, uid: 0, gid: 0 });
    expect(lookupUser(users, '4242')).toMatchObject({ ok: true, uid: 4242, gid: 0 });
    expect(lookupUser(users, '65532:staff')).toMatchObject({ ok: true, uid: 65532, gid: 50 });
  });

  test('fails on names the image does not know', () => {
    expect(lookupUser(users, 'ghost')).toMatchObject({ ok: false });
    expect(lookupUser(users, 'nonroot:ghosts')).toMatchObject({ ok: false });
    expect(lookupUser(indexFrom([]), 'nonroot')).toEqual({
      ok: false,
      reason: 'user "nonroot" cannot be resolved: the image has no /etc/passwd',
    });
  });

  test('parsePasswd skips comments and malformed lines', () => {
    expect(parsePasswd('# c\nbad\nx:x:1:2::/:/s\n')).toEqual([{ name: 'x', uid: 1, gid: 2, home: '/', shell: '/s' }]);
  });
});
