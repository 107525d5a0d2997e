import { spawnSync } from 'node:child_process';
import {
  constants,
  chmodSync,
  chownSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { indexLayer } from '../../helpers/facts/layer-index.ts';
import {
  chainIds,
  diskKind,
  indexDiffDir,
  overlayLayerDirs,
  OverlayUnavailable,
  parseTarSplit,
  type TarListing,
} from '../../helpers/facts/overlay-layers.ts';
import { craftElf } from '../../helpers/facts/elf-craft.ts';
import { elfHeader, packTar, type TarItem } from '../support/tar-fixture.ts';
import type { LayerIndex } from '../../helpers/model/image-facts.ts';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const C = `sha256:${'c'.repeat(64)}`;

describe('overlayLayerDirs: GraphDriver dirs to diff_id order', () => {
  const ov = (Data: Record<string, string>) => ({ Name: 'overlay2', Data });

  test('LowerDir lists top-most first, UpperDir is the top layer: reversed to bottom→top', () => {
    expect(
      overlayLayerDirs(
        ov({ UpperDir: '/d/top/diff', LowerDir: '/d/mid/diff:/d/bottom/diff', MergedDir: '/d/top/merged' }),
        [A, B, C],
      ),
    ).toEqual(['/d/bottom/diff', '/d/mid/diff', '/d/top/diff']);
  });

  test('a one-layer image has no LowerDir', () => {
    expect(overlayLayerDirs(ov({ UpperDir: '/d/only/diff' }), [A])).toEqual(['/d/only/diff']);
  });

  test('count mismatch, another driver or missing dirs: nothing', () => {
    expect(overlayLayerDirs(ov({ UpperDir: '/d/top/diff', LowerDir: '/d/bottom/diff' }), [A, B, C])).toBeUndefined();
    expect(overlayLayerDirs(ov({ UpperDir: '/d/top/diff' }), [A, B])).toBeUndefined();
    expect(overlayLayerDirs({ Name: 'btrfs', Data: { UpperDir: '/d/x' } }, [A])).toBeUndefined();
    expect(overlayLayerDirs(ov({ LowerDir: '/d/x' }), [A])).toBeUndefined();
    expect(overlayLayerDirs(null, [A])).toBeUndefined();
  });
});

describe('chainIds', () => {
  test("match the engine's layer store (values read from a Docker 20.10 layerdb)", () => {
    const base = 'sha256:db43a2cd510c9c531c363379e017bebd60f33ab4691692d46cc880b936cd88a6';
    const app = 'sha256:c1b40197dc5ee4798a6c9857db681a97058f41d7bf0eb65582eedae91f6dcdb7';
    expect(chainIds([base, app])).toEqual([
      base,
      'sha256:057c19c754fad5341f2d7ddd7e3de75489970dea6554ea9f289a8dc96d0dca76',
    ]);
    expect(chainIds([])).toEqual([]);
  });
});

describe('parseTarSplit', () => {
  test('names in order; tar length = raw segments + entry sizes', () => {
    const seg = (bytes: number) =>
      JSON.stringify({ type: 2, payload: Buffer.alloc(bytes, 7).toString('base64'), position: 0 });
    const lines = [
      seg(512),
      JSON.stringify({ type: 1, name: 'bin/', payload: null, position: 1 }),
      seg(512),
      JSON.stringify({ type: 1, name: 'bin/x', size: 5, payload: 'AAAAAAAAAAA=', position: 3 }),
      seg(507 + 1024),
      seg(1),
      seg(2),
    ];
    expect(parseTarSplit(lines.join('\n') + '\n')).toEqual({
      names: ['bin/', 'bin/x'],
      bytes: 512 + 512 + 5 + 507 + 1024 + 1 + 2,
    });
  });

  test('a name that is not UTF-8 (name_raw) or an unknown line type is refused', () => {
    expect(() => parseTarSplit(JSON.stringify({ type: 1, name_raw: 'gA==', position: 0 }))).toThrow(OverlayUnavailable);
    expect(() => parseTarSplit(JSON.stringify({ type: 3, position: 0 }))).toThrow(OverlayUnavailable);
  });
});

describe('diskKind', () => {
  const { S_IFREG, S_IFDIR, S_IFLNK, S_IFCHR, S_IFBLK, S_IFIFO } = constants;
  test('overlay2 whiteouts are char devices 0:0; other devices and fifos are "other"', () => {
    expect(diskKind({ mode: S_IFCHR | 0o000, rdev: 0 })).toBe('whiteout');
    expect(diskKind({ mode: S_IFCHR | 0o666, rdev: (1 << 8) | 3 })).toBe('other'); // /dev/null
    expect(diskKind({ mode: S_IFBLK | 0o660, rdev: 0 })).toBe('other');
    expect(diskKind({ mode: S_IFIFO | 0o644, rdev: 0 })).toBe('other');
    expect(diskKind({ mode: S_IFREG | 0o4755, rdev: 0 })).toBe('file');
    expect(diskKind({ mode: S_IFDIR | 0o1777, rdev: 0 })).toBe('dir');
    expect(diskKind({ mode: S_IFLNK | 0o777, rdev: 0 })).toBe('symlink');
  });
});

// ---- A layer unpacked into a temp dir the way overlay2 unpacks it, indexed both ways ----

const isRoot = process.getuid?.() === 0;
const root = mkdtempSync(join(tmpdir(), 'lucid-overlay-unit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirNo = 0;

/** Unpacks tar items into a fresh dir as overlay2 does: parents made as needed, whiteouts as char devices 0:0. */
function unpack(items: readonly TarItem[]): string {
  const dir = join(root, `layer-${dirNo++}`);
  mkdirSync(dir);
  const at = (name: string) => join(dir, name.replace(/^\.?\/+/, '').replace(/\/+$/, ''));
  for (const it of items) {
    const p = at(it.name);
    const base = p.slice(p.lastIndexOf('/') + 1);
    mkdirSync(dirname(p), { recursive: true });
    if (base === '.wh..wh..opq') continue; // the xattr the engine would set is not read
    if (base.startsWith('.wh.')) {
      const r = spawnSync('mknod', [join(dirname(p), base.slice(4)), 'c', '0', '0']);
      if (r.status !== 0) throw new Error(`mknod: ${r.stderr}`);
      continue;
    }
    const type = it.type ?? 'file';
    if (type === 'directory') mkdirSync(p, { recursive: true });
    else if (type === 'symlink') symlinkSync(it.linkname!, p);
    else if (type === 'link') linkSync(at(it.linkname!), p);
    else writeFileSync(p, it.data ?? '');
    if (type === 'symlink' || type === 'link') continue;
    chownSync(p, it.uid ?? 0, it.gid ?? 0); // before chmod: chown clears setuid
    chmodSync(p, it.mode ?? (type === 'directory' ? 0o755 : 0o644));
  }
  return dir;
}

const listingOf = (items: readonly TarItem[], tar: Buffer): TarListing => ({
  names: items.map((i) => i.name),
  bytes: tar.length,
});
const byPath = (l: LayerIndex) => [...l.entries].sort((a, b) => (a.path < b.path ? -1 : 1));

/** A BusyBox marker straddling the reader's 1 MiB chunk seam. */
function bigBusybox(): Buffer {
  const b = Buffer.alloc(1_300_000, 0x90);
  elfHeader(62).copy(b, 0);
  Buffer.from('BusyBox v1.36.1 multi-call binary').copy(b, 1024 * 1024 - 4);
  return b;
}

/** A dash by its content (its two markers), the second one straddling the 1 MiB chunk seam. */
function renamedDash(): Buffer {
  const b = craftElf({
    machine: 'x86-64',
    interp: '/lib64/ld-linux-x86-64.so.2',
    needed: ['libc.so.6'],
    padding: 1_200_000,
  });
  Buffer.from('Use "exit" to leave shell.').copy(b, 600_000);
  Buffer.from('sh: turning off NDELAY mode').copy(b, 1024 * 1024 - 6);
  return b;
}

/**
 * dash with 5 MiB appended past its LOAD segment (`cat dash junk > helper` still runs): bigger than the shell scan's
 * limit as a file, not as what the loader maps.
 */
function paddedDash(): Buffer {
  const b = craftElf({
    machine: 'x86-64',
    interp: '/lib64/ld-linux-x86-64.so.2',
    needed: ['libc.so.6'],
    padding: 4096,
  });
  Buffer.from('sh: turning off NDELAY mode\0Use "exit" to leave shell.').copy(b, b.length - 4000);
  return Buffer.concat([b, Buffer.alloc(5 * 1024 * 1024, 0x20)]);
}

/** dash given a DT_SONAME (patchelf --set-soname): still an executable with its PT_INTERP, still a shell. */
function sonamedDash(): Buffer {
  const b = craftElf({
    machine: 'x86-64',
    type: 'dyn',
    interp: '/lib64/ld-linux-x86-64.so.2',
    soname: 'libhelper.so.1',
    needed: ['libc.so.6'],
    padding: 4096,
  });
  Buffer.from('sh: turning off NDELAY mode\0Use "exit" to leave shell.').copy(b, b.length - 4000);
  return b;
}

/** python:3.11-slim's interpreter as the loader sees it, with its dynamic section 4.5 MiB in (past a stream's prefix). */
const slimPython = craftElf({
  machine: 'x86-64',
  interp: '/lib64/ld-linux-x86-64.so.2',
  needed: ['libpython3.11.so.1.0', 'libc.so.6'],
  runpath: '$ORIGIN/../lib',
  gap: 4_500_000,
  align: 0x1000,
});

const ITEMS: TarItem[] = [
  { name: 'etc/', type: 'directory' },
  { name: 'etc/passwd', data: 'root:x:0:0::/root:/sbin/nologin\n' },
  { name: 'etc/group', data: '' }, // empty captured text is still captured
  { name: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
  // usr/ and usr/bin/ are not listed: the unpacking makes them, the index must not invent them.
  { name: 'usr/bin/zz', mode: 0o4755, uid: 0, gid: 0, data: Buffer.concat([elfHeader(183), Buffer.alloc(64)]) },
  { name: 'usr/bin/aa', type: 'link', linkname: 'usr/bin/zz' }, // tar order, not name order, decides the file
  { name: 'usr/bin/ab', type: 'link', linkname: 'usr/bin/zz' },
  { name: 'usr/bin/tiny', mode: 0o755, data: 'BusyBox v' }, // shorter than an ELF header, still scanned
  { name: 'usr/local/bin/', type: 'directory', mode: 0o2775, gid: 50 },
  { name: 'usr/local/bin/tool', mode: 0o750, uid: 1000, gid: 1000, data: bigBusybox() },
  { name: 'usr/local/bin/.wh.old', data: '' },
  { name: 'usr/share/doc/busybox.txt', data: 'BusyBox v1 (not executable: not scanned)' },
  { name: 'tmp/', type: 'directory', mode: 0o1777 },
  { name: 'opt/old/', type: 'directory' },
  { name: 'opt/old/.wh..wh..opq', data: '' },
  { name: 'opt/old/c.txt', data: 'c' },
  { name: 'srv/cache/.wh..wh..opq', data: '' }, // opaque dir the tar does not list itself
  { name: '.wh.gone', data: '' },
  { name: 'usr/local/bin/python3.11', mode: 0o755, data: slimPython },
  { name: 'usr/local/bin/helper', mode: 0o755, data: renamedDash() },
  { name: 'usr/local/bin/padded', mode: 0o755, data: paddedDash() },
  { name: 'usr/local/bin/sonamed', mode: 0o755, data: sonamedDash() },
  {
    name: 'usr/local/bin/run.sh',
    mode: 0o755,
    data: '#!/usr/bin/env  python3 -u \nprint("GNU bash, version BASH_VERSION")\n',
  },
  {
    name: 'usr/local/lib/libx.so.1',
    data: craftElf({
      machine: 'aarch64',
      type: 'dyn',
      soname: 'libx.so.1',
      needed: ['liby.so.2'],
      rpath: '$ORIGIN',
      align: 0x4000,
    }),
  },
  { name: 'etc/ld.so.conf', data: 'include /etc/ld.so.conf.d/*.conf\n' },
  { name: 'etc/ld.so.conf.d/local.conf', data: '/usr/local/lib\n' },
];

describe.skipIf(!isRoot)('indexDiffDir on an unpacked layer (needs root for mknod and chown)', () => {
  test('equals indexLayer on the same tar: entries and order, hardlinks, whiteouts, opaque dirs, texts', async () => {
    const tar = await packTar(ITEMS);
    const fromTar = await indexLayer([tar]);
    const dir = unpack(ITEMS);
    const fromDir = await indexDiffDir(dir, listingOf(ITEMS, tar), fromTar.digest);
    expect(fromDir).toEqual(fromTar);
    expect(fromDir.entries.map((e) => e.path)).toEqual(fromTar.entries.map((e) => e.path));
    const e = new Map(fromDir.entries.map((x) => [x.path, x]));
    expect(e.has('/usr') || e.has('/usr/bin') || e.has('/srv/cache')).toBe(false);
    expect(e.get('/usr/bin/zz')).toMatchObject({ type: 'file', mode: 0o4755, elf: 'aarch64' });
    expect(e.get('/usr/bin/aa')).toMatchObject({
      type: 'hardlink',
      link: '/usr/bin/zz',
      mode: 0o4755,
      size: 128,
      elf: 'aarch64',
    });
    expect(e.get('/usr/bin/ab')).toMatchObject({ type: 'hardlink', link: '/usr/bin/zz' });
    expect(e.get('/usr/bin/tiny')).toMatchObject({ multiCall: 'busybox' });
    expect(e.get('/usr/local/bin/tool')).toMatchObject({
      uid: 1000,
      gid: 1000,
      mode: 0o750,
      elf: 'x86-64',
      multiCall: 'busybox',
    });
    expect(e.get('/usr/share/doc/busybox.txt')?.multiCall).toBeUndefined();
    expect(e.get('/usr/local/bin')).toMatchObject({ type: 'dir', mode: 0o2775, gid: 50 });
    expect(fromDir.whiteouts).toEqual(['/usr/local/bin/old', '/gone']);
    expect(fromDir.opaqueDirs).toEqual(['/opt/old', '/srv/cache']);
    expect(fromDir.texts).toEqual({
      '/etc/passwd': 'root:x:0:0::/root:/sbin/nologin\n',
      '/etc/group': '',
      '/etc/ld.so.conf': 'include /etc/ld.so.conf.d/*.conf\n',
      '/etc/ld.so.conf.d/local.conf': '/usr/local/lib\n',
    });
    // The loader's facts, shells by content and the "#!" line, read alike from the stream and from the dir.
    expect(e.get('/usr/local/bin/python3.11')).toMatchObject({
      elf: 'x86-64',
      interp: '/lib64/ld-linux-x86-64.so.2',
      needed: ['libpython3.11.so.1.0', 'libc.so.6'],
      runpath: '$ORIGIN/../lib',
      loadAlign: 0x1000,
    });
    expect(e.get('/usr/local/bin/python3.11')?.dynamicUnread).toBeUndefined();
    expect(e.get('/usr/local/bin/helper')).toMatchObject({ elf: 'x86-64', shell: 'dash', needed: ['libc.so.6'] });
    // Before: the padded dash was above the 4 MiB scan limit (no shell), the sonamed one was spared by the dir reader.
    expect(e.get('/usr/local/bin/padded')).toMatchObject({ elf: 'x86-64', shell: 'dash' });
    expect(e.get('/usr/local/bin/sonamed')).toMatchObject({ elf: 'x86-64', shell: 'dash', soname: 'libhelper.so.1' });
    expect(e.get('/usr/local/bin/run.sh')).toMatchObject({ shebang: '/usr/bin/env  python3 -u' });
    expect(e.get('/usr/local/bin/run.sh')?.shell).toBeUndefined(); // a script naming bash's strings is no bash
    expect(e.get('/usr/local/lib/libx.so.1')).toMatchObject({
      elf: 'aarch64',
      soname: 'libx.so.1',
      needed: ['liby.so.2'],
      rpath: '$ORIGIN',
      loadAlign: 0x4000,
    });
    expect(byPath(fromDir)).toEqual(byPath(fromTar));
  });

  test('an empty layer (no entries) indexes to nothing', async () => {
    const tar = await packTar([]);
    const dir = unpack([]);
    expect(await indexDiffDir(dir, { names: [], bytes: tar.length }, 'sha256:x')).toEqual({
      digest: 'sha256:x',
      bytes: tar.length,
      entries: [],
      whiteouts: [],
      opaqueDirs: [],
      texts: {},
    });
  });

  test('a dir that does not hold what the tar listing says is refused', async () => {
    const items: TarItem[] = [
      { name: 'a/', type: 'directory' },
      { name: 'a/f', data: 'f' },
      { name: 'a/.wh.w', data: '' },
    ];
    const tar = await packTar(items);
    const listing = listingOf(items, tar);
    const refused = (dir: string, l: TarListing = listing) =>
      expect(indexDiffDir(dir, l, 'sha256:x')).rejects.toThrow(OverlayUnavailable);

    const extra = unpack(items);
    writeFileSync(join(extra, 'a', 'stray'), 'not in the tar');
    await refused(extra);

    const emptyDir = unpack(items);
    mkdirSync(join(emptyDir, 'lonely'));
    await refused(emptyDir);

    const missing = unpack(items);
    rmSync(join(missing, 'a', 'f'));
    await refused(missing);

    const plainFile = unpack(items.slice(0, 2));
    writeFileSync(join(plainFile, 'a', 'w'), 'a file where a whiteout should be');
    await refused(plainFile);

    const ok = unpack(items);
    await refused(ok, { ...listing, names: [...listing.names, 'a/f'] }); // the same name twice
    await refused(ok, { ...listing, names: ['./', ...listing.names] }); // a root entry: its mode is not on disk
    await expect(indexDiffDir(ok, listing, 'sha256:x')).resolves.toMatchObject({ whiteouts: ['/a/w'] });
  });
});
