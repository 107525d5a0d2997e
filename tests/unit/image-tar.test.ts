import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tar from 'tar-stream';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readTar } from '../../helpers/debian/tar-read.ts';
import { tarBytes } from '../support/debian-testkit.ts';
import { fileLayer, filesToEntries, writeLayer } from '../../helpers/image/layer.ts';
import { prepareEntries, type LayerEntry } from '../../helpers/image/tar-write.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const longDir = `usr/lib/python3.11/site-packages/${'very-long-directory-name-'.repeat(4)}`;
const entries = (): LayerEntry[] => [
  { path: 'usr/bin/python3', type: 'symlink', mode: 0o777, uid: 0, gid: 0, linkname: 'python3.11' },
  { path: 'usr', type: 'directory', mode: 0o755, uid: 0, gid: 0 },
  { path: 'usr/bin', type: 'directory', mode: 0o755, uid: 0, gid: 0 },
  { path: 'usr/bin/python3.11', type: 'file', mode: 0o755, uid: 0, gid: 0, data: Buffer.from('\x7fELF...') },
  { path: 'tmp', type: 'directory', mode: 0o1777, uid: 0, gid: 0 },
  { path: 'var/local', type: 'directory', mode: 0o2775, uid: 0, gid: 50 },
  { path: 'home/nonroot', type: 'directory', mode: 0o700, uid: 65532, gid: 65532 },
  {
    path: `${longDir}/module_with_a_long_name.py`,
    type: 'file',
    mode: 0o644,
    uid: 0,
    gid: 0,
    data: Buffer.from('x = 1\n'),
  },
  { path: 'usr/share/doc/ünïcode.txt', type: 'file', mode: 0o644, uid: 0, gid: 0, data: Buffer.from('u') },
  {
    path: 'usr/bin/link-to-long',
    type: 'symlink',
    mode: 0o777,
    uid: 0,
    gid: 0,
    linkname: `/${longDir}/module_with_a_long_name.py`,
  },
  { path: 'z/original', type: 'file', mode: 0o644, uid: 0, gid: 0, data: Buffer.from('shared') },
  { path: 'a/hardlink', type: 'hardlink', mode: 0o644, uid: 0, gid: 0, linkname: 'z/original' },
];

describe('deterministic layer tar', () => {
  it('gives identical bytes (diff_id) for the same entries in any order', async () => {
    const a = await tarBytes(entries());
    const b = await tarBytes(entries().reverse());
    expect(sha(a)).toBe(sha(b));
    expect(a.length % 512).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'lucid-layer-'));
    const l1 = await writeLayer(entries(), { createdBy: 'x', dir });
    const l2 = await writeLayer(entries().reverse(), { createdBy: 'x', dir });
    expect(l1.diffId).toBe(`sha256:${sha(a)}`);
    expect(l2).toEqual(l1);
    expect(sha(readFileSync(l1.path))).toBe(sha(a));
  });

  it('round-trips modes, owners, links, long and non-ASCII names (PAX) in sorted order', async () => {
    const back = await readTar(await tarBytes(entries()));
    const paths = back.map((e) => e.path);
    expect(paths).toEqual([...paths].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
    const by = new Map(back.map((e) => [e.path, e]));
    expect(by.get('tmp')).toMatchObject({ type: 'directory', mode: 0o1777 });
    expect(by.get('var/local')).toMatchObject({ type: 'directory', mode: 0o2775, gid: 50 });
    expect(by.get('home/nonroot')).toMatchObject({ mode: 0o700, uid: 65532, gid: 65532 });
    expect(by.get('usr/bin/python3')).toMatchObject({ type: 'symlink', linkname: 'python3.11' });
    expect(by.get(`${longDir}/module_with_a_long_name.py`)!.data!.toString()).toBe('x = 1\n');
    expect(by.get('usr/bin/link-to-long')!.linkname).toBe(`/${longDir}/module_with_a_long_name.py`);
    expect(by.get('usr/share/doc/ünïcode.txt')!.data!.toString()).toBe('u');
    // The hardlink sorted before its target: the first entry now carries the data.
    expect(by.get('a/hardlink')).toMatchObject({ type: 'file' });
    expect(by.get('a/hardlink')!.data!.toString()).toBe('shared');
    expect(by.get('z/original')).toMatchObject({ type: 'hardlink', linkname: 'a/hardlink' });
  });

  it('writes a fixed mtime and no user or group names', async () => {
    const ex = tar.extract();
    Readable.from([await tarBytes(entries())]).pipe(ex);
    for await (const e of ex) {
      expect(e.header.mtime!.getTime()).toBe(0);
      expect(e.header.uname ?? '').toBe('');
      e.resume();
    }
  });

  it('rejects duplicates, escapes and dangling hardlinks', () => {
    const f = (path: string): LayerEntry => ({
      path,
      type: 'file',
      mode: 0o644,
      uid: 0,
      gid: 0,
      data: Buffer.alloc(0),
    });
    expect(() => prepareEntries([f('a'), f('/a')])).toThrow(/duplicate layer path "a"/);
    expect(() => prepareEntries([f('a/../../etc/passwd')])).toThrow(/invalid layer path/);
    expect(() => prepareEntries([{ ...f('b'), type: 'hardlink', linkname: 'nope' }])).toThrow(
      /hardlink b points at nope/,
    );
  });
});

describe('file layers', () => {
  it('adds missing parents as root 0755 and keeps explicit directories', () => {
    const e = filesToEntries([
      { path: '/app/server.py', content: 'print(1)\n' },
      { path: '/app/logs/', uid: 65532, gid: 65532, mode: 0o755 },
      { path: '/usr/local/bin/run', type: 'symlink', target: '/usr/bin/python3' },
    ]);
    const by = new Map(e.map((x) => [x.path, x]));
    expect(by.get('app')).toMatchObject({ type: 'directory', mode: 0o755, uid: 0 });
    expect(by.get('app/logs')).toMatchObject({ type: 'directory', uid: 65532, gid: 65532 });
    expect(by.get('app/server.py')).toMatchObject({ type: 'file', mode: 0o644 });
    expect(by.get('usr/local/bin/run')).toMatchObject({ type: 'symlink', linkname: '/usr/bin/python3' });
    expect(by.has('usr/local')).toBe(true);
    expect(() => filesToEntries([{ path: 'relative.py', content: '' }])).toThrow(/must be absolute/);
  });

  it('reads host files at write time and gives the same diff_id as inline content', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lucid-files-'));
    const saved = process.env.LUCID_CACHE_DIR;
    process.env.LUCID_CACHE_DIR = dir;
    try {
      const src = join(dir, 'server.py');
      writeFileSync(src, 'print("hi")\n');
      const a = await fileLayer([{ path: '/app/server.py', source: src, mode: 0o755 }], 'COPY server.py /app/');
      const b = await fileLayer(
        [{ path: '/app/server.py', content: 'print("hi")\n', mode: 0o755 }],
        'COPY server.py /app/',
      );
      expect(a.diffId).toBe(b.diffId);
      expect(a.path.startsWith(join(dir, 'layers'))).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.LUCID_CACHE_DIR;
      else process.env.LUCID_CACHE_DIR = saved;
    }
  });
});
