import { describe, expect, it } from 'vitest';
import { PackageIndex, type IndexPackage } from '../../helpers/debian/archive.ts';
import { compareVersions, parseRelations, parseStanzas, satisfies } from '../../helpers/debian/control.ts';
import { parseRelease } from '../../helpers/debian/release.ts';
import { resolveClosure } from '../../helpers/debian/resolve.ts';

describe('deb822 and relations', () => {
  it('parses stanzas with continuation lines', () => {
    const s = parseStanzas('Package: a\nDescription: short\n long line\n .\n\n\nPackage: b\nVersion: 1\n');
    expect(s).toEqual([
      { Package: 'a', Description: 'short\nlong line\n.' },
      { Package: 'b', Version: '1' },
    ]);
  });

  it('parses alternatives, versions and arch qualifiers', () => {
    expect(parseRelations('libc6 (>= 2.34), debconf (>= 0.5) | debconf-2.0, python3:any (<< 3.12)')).toEqual([
      [{ name: 'libc6', op: '>=', version: '2.34' }],
      [{ name: 'debconf', op: '>=', version: '0.5' }, { name: 'debconf-2.0' }],
      [{ name: 'python3', op: '<<', version: '3.12' }],
    ]);
  });

  it.each([
    ['1.0', '1.0', 0],
    ['1.0~rc1', '1.0', -1],
    ['1.0', '1.0+deb12u1', -1],
    ['3.11.2-6+deb12u9', '3.11.2-6+deb12u10', -1],
    ['1:1.2.13.dfsg-1', '1.2.14-1', 1],
    ['3.0.17-1~deb12u2', '3.0.17-1', -1],
    ['2.36-9+deb12u10', '2.36-9+deb12u9', 1],
    ['1.0a', '1.0+', -1],
    ['10.0.0', '9.99', 1],
    ['0:1.0', '1.0', 0],
  ])('compareVersions(%s, %s) = %d, as dpkg', (a, b, want) => {
    expect(compareVersions(a, b)).toBe(want);
    expect(compareVersions(b, a)).toBe(-want || 0);
  });

  it('checks version constraints', () => {
    expect(satisfies('3.11.2-3', { name: 'x', op: '=', version: '3.11.2-3' })).toBe(true);
    expect(satisfies('3.12.1', { name: 'x', op: '<<', version: '3.12' })).toBe(false);
  });
});

describe('Release files', () => {
  it('strips the clearsign armor and reads the SHA256 list', () => {
    const text = [
      '-----BEGIN PGP SIGNED MESSAGE-----',
      'Hash: SHA256',
      '',
      'Codename: bookworm',
      'Date: Sat, 11 Jul 2026 10:16:37 UTC',
      'Acquire-By-Hash: yes',
      'MD5Sum:',
      ' 0ed6d4c8891eb86358b94bb35d9e4da4  1484322 main/binary-amd64/Packages.xz',
      'SHA256:',
      ` ${'a'.repeat(64)}  1484322 main/binary-amd64/Packages.xz`,
      ` ${'b'.repeat(64)}       20 main/binary-amd64/Packages.gz`,
      '- -----not a signature',
      '-----BEGIN PGP SIGNATURE-----',
      'xyz',
      '-----END PGP SIGNATURE-----',
    ].join('\n');
    const r = parseRelease(text);
    expect(r.codename).toBe('bookworm');
    expect(r.acquireByHash).toBe(true);
    expect(r.sha256.get('main/binary-amd64/Packages.xz')).toEqual({ sha256: 'a'.repeat(64), size: 1484322 });
    expect(r.sha256.size).toBe(2);
  });

  it('refuses a Release without hashes', () => {
    expect(() => parseRelease('Codename: x\n')).toThrow(/no SHA256/);
  });
});

describe('closure resolution', () => {
  const pkg = (name: string, version: string, depends?: string, extra: Partial<IndexPackage> = {}): IndexPackage => ({
    name,
    version,
    architecture: 'amd64',
    filename: `pool/main/${name[0]}/${name}/${name}_${version}_amd64.deb`,
    size: 1,
    sha256: '0'.repeat(64),
    depends,
    source: 'test',
    ...extra,
  });
  const index = new PackageIndex([
    pkg('app', '1', 'libfoo (>= 2), debconf (>= 0.5) | debconf-2.0, awk'),
    pkg('libfoo', '2', 'libc6'),
    pkg('libfoo', '3', 'libc6', { source: 'test-security' }),
    pkg('libc6', '2.36', 'libgcc-s1'),
    pkg('libgcc-s1', '12'),
    pkg('debconf', '1'),
    pkg('cdebconf', '1', undefined, { provides: 'debconf-2.0' }),
    pkg('mawk', '1', undefined, { provides: 'awk' }),
  ]);

  it('takes the closure, the newest candidate across sources, and records what the deny list skipped', () => {
    const r = resolveClosure(index, ['app'], ['debconf', 'debconf-2.0', 'cdebconf', 'mawk']);
    expect(r.packages.map((p) => `${p.name}=${p.version}`)).toEqual([
      'app=1',
      'libc6=2.36',
      'libfoo=3',
      'libgcc-s1=12',
    ]);
    expect(r.skipped).toEqual([
      { dependency: 'awk', neededBy: ['app'] },
      { dependency: 'debconf (>= 0.5) | debconf-2.0', neededBy: ['app'] },
    ]);
  });

  it('fails loudly on a dependency the index lacks', () => {
    const broken = new PackageIndex([pkg('x', '1', 'nothere')]);
    expect(() => resolveClosure(broken, ['x'], [])).toThrow(/x depends on nothere, which the index does not have/);
  });
});
