import { describe, expect, it } from 'vitest';
import { parseAr, writeAr, ArError } from '../../helpers/debian/ar.ts';
import { readDeb } from '../../helpers/debian/deb.ts';
import { makeDeb } from '../support/debian-testkit.ts';

describe('ar reader', () => {
  it('round-trips members, including odd sizes that need a padding byte', () => {
    const members = [
      { name: 'debian-binary', data: Buffer.from('2.0\n') },
      { name: 'odd.bin', data: Buffer.from('abc') },
      { name: 'empty', data: Buffer.alloc(0) },
      { name: 'data.tar.xz', data: Buffer.from([1, 2, 3, 4, 5, 6, 7]) },
    ];
    const parsed = parseAr(writeAr(members));
    expect(parsed.map((m) => m.name)).toEqual(['debian-binary', 'odd.bin', 'empty', 'data.tar.xz']);
    parsed.forEach((m, i) => expect(Buffer.compare(m.data, members[i]!.data)).toBe(0));
  });

  it('accepts GNU-style names ending in "/"', () => {
    const raw = writeAr([{ name: 'x', data: Buffer.from('hi') }]);
    raw.write('x/', 8, 'latin1');
    expect(parseAr(raw)[0]!.name).toBe('x');
  });

  it('refuses non-ar data and truncated members with a clear error', () => {
    expect(() => parseAr(Buffer.from('PK\x03\x04 not ar'))).toThrow(/not an ar archive/);
    const full = writeAr([{ name: 'big', data: Buffer.alloc(100) }]);
    expect(() => parseAr(full.subarray(0, full.length - 10))).toThrow(ArError);
    expect(() => parseAr(full.subarray(0, full.length - 10))).toThrow(/runs past the end/);
  });

  it('opens a crafted .deb (xz and gzip members) without running its maintainer scripts', async () => {
    for (const compression of ['xz', 'gzip'] as const) {
      const deb = await makeDeb({
        name: 'demo',
        version: '1.0-1',
        compression,
        files: [
          { path: 'usr', type: 'directory', mode: 0o755, uid: 0, gid: 0 },
          { path: 'usr/bin', type: 'directory', mode: 0o755, uid: 0, gid: 0 },
          { path: 'usr/bin/demo', type: 'file', mode: 0o755, uid: 0, gid: 0, data: Buffer.from('#demo\n') },
          { path: 'usr/bin/demo-link', type: 'symlink', mode: 0o777, uid: 0, gid: 0, linkname: 'demo' },
        ],
      });
      const { control, entries } = await readDeb(deb, 'demo.deb');
      expect(control).toMatch(/^Package: demo$/m);
      expect(entries.map((e) => `${e.type}:${e.path}`)).toEqual([
        'directory:usr',
        'directory:usr/bin',
        'file:usr/bin/demo',
        'symlink:usr/bin/demo-link',
      ]);
      expect(entries[2]!.mode).toBe(0o755);
      expect(entries[2]!.data!.toString()).toBe('#demo\n');
      expect(entries[3]!.linkname).toBe('demo');
    }
  });

  it('rejects an ar archive that is not a .deb', async () => {
    await expect(readDeb(writeAr([{ name: 'foo', data: Buffer.from('x') }]), 'foo.deb')).rejects.toThrow(
      /first ar member is not debian-binary/,
    );
  });
});
