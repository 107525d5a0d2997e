import { describe, expect, test } from 'vitest';
import { readDockerArchive } from '../../helpers/facts/docker-archive.ts';
import { archiveItemOf } from '../../helpers/facts/gather.ts';
import { indexLayer } from '../../helpers/facts/layer-index.ts';
import { mergeLayers } from '../../helpers/facts/merge.ts';
import { fixtureArchive, elfHeader, packTar, sha256 } from '../support/tar-fixture.ts';
import { ZSTD_LAYER, ZSTD_LAYER_DIFF_ID } from '../support/zstd-fixture.ts';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { checkNoSetuid } from '../../helpers/checks/static/permissions.ts';
import { loadContract } from '../../helpers/contract/load.ts';
import type { ImageFacts } from '../../helpers/model/image-facts.ts';

/** Feeds a buffer in small pieces, the way a socket might, to exercise every chunk-boundary path. */
function* chunked(buf: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

const busyboxBody = (pad: number) =>
  Buffer.concat([
    elfHeader(183),
    Buffer.alloc(pad, 0x41),
    Buffer.from('BusyBox v1.36.1 (2024-01-01) multi-call binary.'),
    Buffer.alloc(300, 0x42),
  ]);

describe('indexLayer', () => {
  test('records entries with normalised paths, types, modes, owners, link targets and the digest', async () => {
    const tarBytes = await packTar([
      { name: './', type: 'directory' },
      { name: './usr/', type: 'directory' },
      { name: 'usr/bin/', type: 'directory' },
      { name: '/tmp', type: 'directory', mode: 0o1777 },
      { name: './usr/bin/python3', type: 'symlink', linkname: 'python3.11' },
      { name: './usr/bin/python3.11', mode: 0o755, data: Buffer.concat([elfHeader(183), Buffer.alloc(1000)]) },
      { name: './usr/bin/su', mode: 0o4755, uid: 0, gid: 0, data: 'x' },
      { name: './usr/bin/su2', type: 'link', linkname: './usr/bin/su' },
      { name: './home/nonroot/', type: 'directory', mode: 0o700, uid: 65532, gid: 65532 },
    ]);
    const ix = await indexLayer(chunked(tarBytes, 1000));
    expect(ix.digest).toBe(sha256(tarBytes));
    expect(ix.bytes).toBe(tarBytes.length);
    const by = new Map(ix.entries.map((e) => [e.path, e]));
    expect([...by.keys()]).toEqual([
      '/',
      '/usr',
      '/usr/bin',
      '/tmp',
      '/usr/bin/python3',
      '/usr/bin/python3.11',
      '/usr/bin/su',
      '/usr/bin/su2',
      '/home/nonroot',
    ]);
    expect(by.get('/tmp')).toMatchObject({ type: 'dir', mode: 0o1777 });
    expect(by.get('/usr/bin/python3')).toMatchObject({ type: 'symlink', link: 'python3.11' });
    expect(by.get('/usr/bin/python3.11')).toMatchObject({ type: 'file', mode: 0o755, elf: 'aarch64', size: 1064 });
    expect(by.get('/usr/bin/su')).toMatchObject({ mode: 0o4755 });
    // The hardlink header says 0644 (tar-stream's default); the inode it names is setuid.
    expect(by.get('/usr/bin/su2')).toMatchObject({ type: 'hardlink', link: '/usr/bin/su', size: 1, mode: 0o4755 });
    expect(by.get('/home/nonroot')).toMatchObject({ uid: 65532, gid: 65532, mode: 0o700 });
  });

  test('finds a BusyBox marker split across chunk boundaries, only in executables', async () => {
    const body = busyboxBody(997);
    const tarBytes = await packTar([
      { name: 'usr/local/bin/tool', mode: 0o755, data: body },
      { name: 'usr/share/doc/busybox.txt', mode: 0o644, data: body }, // not executable: not scanned
      {
        name: 'usr/bin/toy',
        mode: 0o755,
        data: Buffer.concat([Buffer.alloc(10), Buffer.from('usage: toybox [--long | --help]')]),
      },
    ]);
    for (const size of [1, 7, 512, 1024, 65536]) {
      const ix = await indexLayer(chunked(tarBytes, size));
      const by = new Map(ix.entries.map((e) => [e.path, e]));
      expect(by.get('/usr/local/bin/tool'), `chunk ${size}`).toMatchObject({ multiCall: 'busybox', elf: 'aarch64' });
      expect(by.get('/usr/share/doc/busybox.txt')?.multiCall).toBeUndefined();
      expect(by.get('/usr/bin/toy')?.multiCall).toBe('toybox');
    }
  });

  test('keeps whiteouts and opaque markers apart from entries, and captures small texts', async () => {
    const ix = await indexLayer([
      await packTar([
        { name: './usr/bin/.wh.victim', data: '' },
        { name: 'opt/old/.wh..wh..opq', data: '' },
        { name: 'opt/old/new.txt', data: 'n' },
        { name: 'etc/passwd', data: 'root:x:0:0::/root:/sbin/nologin\n' },
        { name: 'etc/motd', data: 'not captured' },
        { name: 'opt/venv/pyvenv.cfg', data: 'home = /usr/bin\ninclude-system-site-packages = true\n' },
      ]),
    ]);
    expect(ix.whiteouts).toEqual(['/usr/bin/victim']);
    expect(ix.opaqueDirs).toEqual(['/opt/old']);
    expect(ix.entries.map((e) => e.path)).toEqual([
      '/opt/old/new.txt',
      '/etc/passwd',
      '/etc/motd',
      '/opt/venv/pyvenv.cfg',
    ]);
    expect(ix.texts).toEqual({
      '/etc/passwd': 'root:x:0:0::/root:/sbin/nologin\n',
      '/opt/venv/pyvenv.cfg': 'home = /usr/bin\ninclude-system-site-packages = true\n',
    });
  });

  test('keeps the text of small scripts a HEALTHCHECK may run when they name a URL or open a socket', async () => {
    const probe = 'import urllib.request\nurllib.request.urlopen("http://127.0.0.1:8087/health")\n';
    const tcp = "import socket\nsocket.create_connection(('127.0.0.1', 8087))\n";
    const ix = await indexLayer([
      await packTar([
        { name: 'app/health.py', data: probe },
        { name: 'app/tcp_probe.py', data: tcp },
        { name: 'usr/local/bin/healthcheck', mode: 0o755, data: `#!/usr/bin/python3\n${probe}` },
        { name: 'app/main.py', data: 'print("no url here")\n' },
        { name: 'app/big.py', data: `# http://x\n${'#'.repeat(40 * 1024)}\n` },
        { name: 'usr/lib/python3.11/urllib/request.py', data: probe },
        { name: 'app/.venv/lib/python3.11/site-packages/requests/api.py', data: probe },
        { name: 'usr/bin/tool', mode: 0o755, data: Buffer.concat([elfHeader(183), Buffer.from('http://x')]) },
      ]),
    ]);
    expect(Object.keys(ix.texts).sort()).toEqual(['/app/health.py', '/app/tcp_probe.py', '/usr/local/bin/healthcheck']);
    expect(ix.texts['/app/health.py']).toBe(probe);
  });
});

describe('indexLayer on bad input', () => {
  test('rejects bytes that are not a tar instead of hanging', async () => {
    await expect(indexLayer([Buffer.alloc(2048, 0x41)])).rejects.toThrow();
  });

  test('an empty layer (end-of-archive blocks only) indexes to nothing', async () => {
    const empty = Buffer.alloc(1024);
    expect(await indexLayer([empty])).toMatchObject({ entries: [], whiteouts: [], digest: sha256(empty) });
  });
});

describe('mergeLayers', () => {
  test('applies whiteouts, opaque directories and upper-layer overrides in order', async () => {
    const l1 = await indexLayer([
      await packTar([
        { name: 'usr/bin/victim', mode: 0o755, data: 'v' },
        { name: 'usr/bin/keep', data: 'k' },
        { name: 'opt/old/', type: 'directory' },
        { name: 'opt/old/a.txt', data: 'a' },
        { name: 'opt/old/sub/b.txt', data: 'b' },
        { name: 'gone/', type: 'directory' },
        { name: 'gone/child', data: 'c' },
        { name: 'etc/passwd', data: 'old\n' },
        { name: 'swap/', type: 'directory' },
        { name: 'swap/inner', data: 'i' },
      ]),
    ]);
    const l2 = await indexLayer([
      await packTar([
        { name: 'usr/bin/.wh.victim', data: '' },
        { name: 'opt/old/.wh..wh..opq', data: '' },
        { name: 'opt/old/c.txt', data: 'c' },
        { name: '.wh.gone', data: '' },
        { name: 'etc/passwd', data: 'new\n' },
        { name: 'swap', type: 'symlink', linkname: '/elsewhere' },
      ]),
    ]);
    const ix = mergeLayers([l1, l2]);
    const paths = [...ix.entries.keys()].sort();
    expect(paths).toEqual(['/etc/passwd', '/opt/old', '/opt/old/c.txt', '/swap', '/usr/bin/keep']);
    expect(ix.entries.get('/opt/old')?.layer).toBe(0); // the opaque dir itself stays
    expect(ix.entries.get('/opt/old/c.txt')?.layer).toBe(1);
    expect(ix.entries.get('/swap')).toMatchObject({ type: 'symlink', link: '/elsewhere' });
    expect(ix.texts.get('/etc/passwd')).toBe('new\n');
  });

  test('a hardlink to a lower layer file shares that inode', async () => {
    const l1 = await indexLayer([await packTar([{ name: 'bin/busybox', mode: 0o4755, data: 'BusyBox v1.36' }])]);
    const l2 = await indexLayer([await packTar([{ name: 'usr/bin/ls', type: 'link', linkname: 'bin/busybox' }])]);
    expect(mergeLayers([l1, l2]).entries.get('/usr/bin/ls')).toMatchObject({
      type: 'hardlink',
      mode: 0o4755,
      multiCall: 'busybox',
      layer: 1,
    });
  });

  test('a hardlink keeps its own inode when a higher layer replaces its target (chmod u-s on one name only)', async () => {
    const l1 = await indexLayer([
      await packTar([
        { name: 'opt/tool', mode: 0o4755, data: 'BusyBox v1.36' },
        { name: 'usr/local/bin/run', type: 'link', linkname: 'opt/tool' },
      ]),
    ]);
    const l2 = await indexLayer([await packTar([{ name: 'opt/tool', mode: 0o755, data: 'harmless' }])]);
    const ix = mergeLayers([l1, l2]);
    expect(ix.entries.get('/opt/tool')).toMatchObject({ type: 'file', mode: 0o755, layer: 1 });
    expect(ix.entries.get('/opt/tool')?.multiCall).toBeUndefined();
    expect(ix.entries.get('/usr/local/bin/run')).toMatchObject({
      type: 'hardlink',
      mode: 0o4755,
      multiCall: 'busybox',
      layer: 0,
    });
    // The judge sees it: before, /usr/local/bin/run took the replacement's 0755 and no-setuid passed.
    const facts = { fs: ix } as ImageFacts;
    expect(checkNoSetuid(facts, loadContract({}), undefined as never, 'linux/amd64').map((f) => f.seen)).toEqual([
      '/usr/local/bin/run is setuid (mode 4755, owner 0:0)',
    ]);
  });

  test('a whiteout deletes captured text too', async () => {
    const l1 = await indexLayer([await packTar([{ name: 'etc/group', data: 'g:x:1:\n' }])]);
    const l2 = await indexLayer([await packTar([{ name: 'etc/.wh.group', data: '' }])]);
    const ix = mergeLayers([l1, l2]);
    expect(ix.entries.has('/etc/group')).toBe(false);
    expect(ix.texts.has('/etc/group')).toBe(false);
  });
});

describe('readDockerArchive', () => {
  test('indexes layers by folder, keeps config and manifest, matches layers to diff_ids by position', async () => {
    const layers = [await packTar([{ name: 'a', data: '1' }]), await packTar([{ name: './b', data: '2' }])];
    for (const dotSlash of [false, true]) {
      const { archive, imageId, diffIds } = await fixtureArchive({
        config: { architecture: 'arm64', os: 'linux', variant: 'v8', config: {} },
        layers,
        dotSlash,
      });
      const read = await readDockerArchive(Readable.from(chunked(archive, 4096)));
      expect(read.manifest).toHaveLength(1);
      const item = read.manifest[0]!;
      expect(item.Config).toBe(`${imageId.slice(7)}.json`);
      expect(item.Layers.map((p) => read.layers.get(p)?.digest)).toEqual(diffIds);
      expect(read.files.has(item.Config)).toBe(true);
    }
  });

  // Docker 29's default containerd image store: `docker save` writes an OCI layout whose layers are the gzip blobs as
  // pulled, and manifest.json names them by blob path (moby/moby#47065; elastic/elastic-agent#12676).
  test('a containerd-store docker save: gzip layer blobs under blobs/sha256 are indexed by their diff_id', async () => {
    const layers = [
      await packTar([{ name: 'etc/os-release', data: 'ID=debian\n' }]),
      await packTar([{ name: 'app/x', data: '2' }]),
    ];
    const diffIds = layers.map((l) => sha256(l));
    const gz = layers.map((l) => gzipSync(l));
    const config = Buffer.from(
      JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: diffIds } }),
    );
    const hex = (b: Buffer) => sha256(b).slice(7);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
        layers: gz.map((b) => ({
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          digest: sha256(b),
          size: b.length,
        })),
      }),
    );
    const archive = await packTar([
      { name: 'blobs/', type: 'directory' },
      { name: 'blobs/sha256/', type: 'directory' },
      { name: `blobs/sha256/${hex(config)}`, data: config },
      ...gz.map((b) => ({ name: `blobs/sha256/${hex(b)}`, data: b })),
      { name: `blobs/sha256/${hex(manifest)}`, data: manifest },
      {
        name: 'index.json',
        data: JSON.stringify({
          schemaVersion: 2,
          manifests: [
            {
              mediaType: 'application/vnd.oci.image.manifest.v1+json',
              digest: sha256(manifest),
              size: manifest.length,
            },
          ],
        }),
      },
      {
        name: 'manifest.json',
        data: JSON.stringify([
          {
            Config: `blobs/sha256/${hex(config)}`,
            RepoTags: ['pickme/lucid-data-chain:dev'],
            Layers: gz.map((b) => `blobs/sha256/${hex(b)}`),
          },
        ]),
      },
      { name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
    ]);
    const read = await readDockerArchive(Readable.from(chunked(archive, 4096)));
    const item = read.manifest[0]!;
    expect(item.Layers.map((p) => read.layers.get(p)?.digest)).toEqual(diffIds);
    expect(read.layers.get(item.Layers[0]!)?.texts['/etc/os-release']).toBe('ID=debian\n');
  });

  // containerd image store: the image id is the index digest, and docker save lists every platform held locally (moby/moby#44833).
  test('a containerd-store export of a two-platform image: the item whose config has the engine diff_ids', async () => {
    const cfg = (architecture: string, diffIds: string[]) =>
      Buffer.from(JSON.stringify({ architecture, os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds } }));
    const amd = cfg('amd64', [sha256('a')]);
    const arm = cfg('arm64', [sha256('b')]);
    const path = (b: Buffer) => `blobs/sha256/${sha256(b).slice(7)}`;
    const archive = {
      manifest: [
        { Config: path(amd), Layers: ['blobs/sha256/1'] },
        { Config: path(arm), Layers: ['blobs/sha256/2'] },
      ],
      files: new Map([
        [path(amd), amd],
        [path(arm), arm],
      ]),
    };
    const indexDigest = sha256('the index');
    expect(archiveItemOf(archive, indexDigest, [sha256('b')])?.Config).toBe(path(arm));
    expect(archiveItemOf(archive, indexDigest, [sha256('c')])).toBeUndefined();
    expect(archiveItemOf(archive, sha256(amd), [])?.Config).toBe(path(amd));
  });

  // buildx compression=zstd, loaded into the containerd store: `docker save` keeps the zstd blob as it came.
  test('a containerd-store docker save: a zstd layer blob under blobs/sha256 is indexed by its diff_id', async () => {
    const gzLayer = await packTar([{ name: 'app/x', data: '2' }]);
    const gz = gzipSync(gzLayer);
    const config = Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: [ZSTD_LAYER_DIFF_ID, sha256(gzLayer)] },
      }),
    );
    const path = (b: Buffer) => `blobs/sha256/${sha256(b).slice(7)}`;
    const archive = await packTar([
      { name: path(config), data: config },
      { name: path(ZSTD_LAYER), data: ZSTD_LAYER },
      { name: path(gz), data: gz },
      { name: 'manifest.json', data: JSON.stringify([{ Config: path(config), Layers: [path(ZSTD_LAYER), path(gz)] }]) },
    ]);
    for (const size of [7, 4096]) {
      const read = await readDockerArchive(Readable.from(chunked(archive, size)));
      const item = read.manifest[0]!;
      expect(item.Layers.map((p) => read.layers.get(p)?.digest)).toEqual([ZSTD_LAYER_DIFF_ID, sha256(gzLayer)]);
      expect(read.layers.get(path(ZSTD_LAYER))?.texts['/etc/os-release']).toBe('ID=debian\nVERSION_ID="12"\n');
    }
  });

  test('a corrupt zstd layer blob: one line naming the layer', async () => {
    const corrupt = Buffer.from(ZSTD_LAYER);
    corrupt.fill(0xff, 20, 60);
    const name = `blobs/sha256/${'a'.repeat(64)}`;
    const archive = await packTar([{ name, data: corrupt }]);
    const err = await readDockerArchive(Readable.from([archive])).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(
      new RegExp(`^docker-archive layer ${name} \\(zstd\\) could not be read: zstd data is corrupt`),
    );
    expect(err?.message).not.toContain('\n');
  });
});
