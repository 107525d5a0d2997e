/** The base rootfs generator on crafted packages: what distroless generates, and what the checks refuse. */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FetchedDeb } from '../../helpers/debian/fetch.ts';
import { craftElf, makeDeb } from '../support/debian-testkit.ts';
import type { LayerEntry } from '../../helpers/image/tar-write.ts';
import { buildRootfs } from '../../fixtures/base/rootfs.ts';

const dir = mkdtempSync(join(tmpdir(), 'lucid-rootfs-'));
const d = (path: string, mode = 0o755): LayerEntry => ({ path, type: 'directory', mode, uid: 0, gid: 0 });
const f = (path: string, data: string | Buffer, mode = 0o644): LayerEntry => ({
  path,
  type: 'file',
  mode,
  uid: 0,
  gid: 0,
  data: Buffer.from(data),
});

async function deb(name: string, files: LayerEntry[]): Promise<FetchedDeb> {
  const bytes = await makeDeb({ name, version: '1', files });
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const file = join(dir, `${sha256}.deb`);
  writeFileSync(file, bytes);
  return {
    file,
    entry: {
      name,
      version: '1',
      architecture: 'all',
      filename: `pool/main/x/${name}_1_all.deb`,
      size: bytes.length,
      sha256,
      source: 't',
    },
  };
}

const libc = () =>
  deb('libc6', [
    d('lib'),
    d('lib/x86_64-linux-gnu'),
    f('lib/x86_64-linux-gnu/libc.so.6', 'libc'),
    f('lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', 'ld'),
    d('lib64'),
    {
      path: 'lib64/ld-linux-x86-64.so.2',
      type: 'symlink',
      mode: 0o777,
      uid: 0,
      gid: 0,
      linkname: '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2',
    },
  ]);
const python = (needed: string[]) =>
  deb('python3.11-minimal', [
    d('usr'),
    d('usr/bin'),
    f('usr/bin/python3.11', craftElf('/lib64/ld-linux-x86-64.so.2', needed), 0o4755),
  ]);
const baseFiles = () =>
  deb('base-files', [
    d('etc'),
    { path: 'etc/os-release', type: 'symlink', mode: 0o777, uid: 0, gid: 0, linkname: '../usr/lib/os-release' },
    d('tmp', 0o1777),
    { ...d('var/local', 0o2775), gid: 50 },
    d('var'),
  ]);
const caCerts = () =>
  deb('ca-certificates', [
    d('usr'),
    d('usr/sbin'),
    f('usr/sbin/update-ca-certificates', '#!/bin/sh\n', 0o755),
    d('usr/share/ca-certificates/mozilla'),
    f('usr/share/ca-certificates/mozilla/B.crt', '-----BEGIN CERTIFICATE-----\nB\n-----END CERTIFICATE-----'),
    f('usr/share/ca-certificates/mozilla/A.crt', '-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n'),
    d('usr/share/doc/ca-certificates'),
    f('usr/share/doc/ca-certificates/copyright', 'MPL'),
  ]);

describe('base rootfs', () => {
  it('generates users, groups, home, tmp, os-release, the CA bundle and the python3 link', async () => {
    const log: string[] = [];
    const entries = await buildRootfs(
      'amd64',
      [await libc(), await python(['libc.so.6']), await baseFiles(), await caCerts()],
      (l) => log.push(l),
    );
    const by = new Map(entries.map((e) => [e.path, e]));
    const text = (p: string) => (by.get(p)!.data as Buffer).toString();
    expect(text('etc/passwd')).toMatch(/^nonroot:x:65532:65532:nonroot:\/home\/nonroot:\/sbin\/nologin$/m);
    expect(text('etc/passwd')).toMatch(/^root:x:0:0:/m);
    expect(text('etc/group')).toMatch(/^nonroot:x:65532:$/m);
    expect(text('etc/group')).toMatch(/^staff:x:50:$/m);
    expect(by.get('home/nonroot')).toMatchObject({ type: 'directory', mode: 0o700, uid: 65532, gid: 65532 });
    expect(by.get('tmp')).toMatchObject({ mode: 0o1777 });
    expect(by.get('var/local')).toMatchObject({ mode: 0o2775, gid: 50 }); // setgid directory kept
    expect(by.get('etc/os-release')!.type).toBe('file');
    expect(text('etc/os-release')).toMatch(/^PRETTY_NAME="Distroless"$/m);
    expect(text('etc/ssl/certs/ca-certificates.crt')).toBe(
      '-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nB\n-----END CERTIFICATE-----\n',
    );
    expect(by.has('usr/sbin/update-ca-certificates')).toBe(false);
    expect(by.has('usr/share/ca-certificates/mozilla/A.crt')).toBe(false);
    expect(by.has('usr/share/doc/ca-certificates/copyright')).toBe(true);
    expect(by.get('usr/bin/python3')).toMatchObject({ type: 'symlink', linkname: 'python3.11' });
    expect(by.get('usr/bin/python3.11')!.mode).toBe(0o755); // setuid bit dropped
    expect(log.join('\n')).toMatch(/dropping setuid\/setgid bits from \/usr\/bin\/python3.11/);
    expect(text('var/lib/dpkg/status.d/libc6')).toMatch(/^Package: libc6$/m);
  });

  it('refuses a binary whose libraries are not in the image', async () => {
    await expect(buildRootfs('amd64', [await libc(), await python(['libc.so.6', 'libmissing.so.1'])])).rejects.toThrow(
      /\/usr\/bin\/python3.11: needs libmissing.so.1, not in the image/,
    );
  });

  it('refuses a shell or package manager anywhere', async () => {
    const sh = await deb('dash', [
      d('usr'),
      d('usr/bin'),
      f('usr/bin/dash', 'x', 0o755),
      d('app/usr/bin'),
      { path: 'app/usr/bin/sh', type: 'symlink', mode: 0o777, uid: 0, gid: 0, linkname: 'dash' },
    ]);
    const p = buildRootfs('amd64', [await libc(), sh]);
    await expect(p).rejects.toThrow(/forbidden program \/usr\/bin\/dash/);
    await expect(p).rejects.toThrow(/forbidden program \/app\/usr\/bin\/sh/);
  });

  it('refuses versioned package managers and the pip module, but not a directory named dpkg', async () => {
    const pip = await deb('pip', [
      d('usr/bin'),
      f('usr/bin/pip3.11', 'x', 0o755),
      d('usr/lib/python3/dist-packages/pip'),
      f('usr/lib/python3/dist-packages/pip/__main__.py', ''),
    ]);
    const p = buildRootfs('amd64', [await libc(), pip]);
    await expect(p).rejects.toThrow(/forbidden program \/usr\/bin\/pip3.11/);
    await expect(p).rejects.toThrow(/pip module \/usr\/lib\/python3\/dist-packages\/pip\/__main__.py/);
    await expect(buildRootfs('amd64', [await libc(), await deb('x', [d('var/lib/dpkg/info')])])).resolves.toBeDefined();
  });

  it('refuses two packages shipping different bytes at one path', async () => {
    const a = await deb('a', [d('etc'), f('etc/x', '1')]);
    const b = await deb('b', [d('etc'), f('etc/x', '2')]);
    await expect(buildRootfs('amd64', [a, b])).rejects.toThrow(
      /etc\/x is shipped by both a and b with different contents/,
    );
  });
});
