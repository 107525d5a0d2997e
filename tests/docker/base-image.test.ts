/**
 * The reference base image on a real engine: built and loaded for both platforms, recorded with the right
 * platform, Python and its stdlib extension modules start (natively and under arm64 emulation), and the
 * layer holds no shell or package manager.
 */
import type Docker from 'dockerode';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../helpers/model/platform.ts';
import { readTar } from '../../helpers/debian/tar-read.ts';
import { docker } from '../../helpers/engine/docker.ts';
import { harnessLabels } from '../../helpers/engine/labels.ts';
import { baseImageRef } from '../../helpers/images/names.ts';
import { ensureBaseImage, type BaseImage } from '../../fixtures/base/image.ts';

const PLATFORMS: [Platform, string][] = [
  ['linux/amd64', 'x86_64'],
  ['linux/arm64', 'aarch64'],
];
const IMPORTS =
  'import platform,ssl,sqlite3,decimal,ctypes,json,http.server,lzma,bz2,zlib,uuid,hashlib; print(platform.machine())';
const FORBIDDEN = new Set(['sh', 'bash', 'dash', 'busybox', 'apt', 'apt-get', 'dpkg']);

const built = new Map<Platform, BaseImage>();
const log = (l: string) => console.error(l);

/** Runs python in a throw-away container of the image (by id, with the platform asked for). */
async function python(img: BaseImage, code: string, user?: string): Promise<{ code: number; out: string }> {
  let c: Docker.Container | undefined;
  try {
    c = await docker().createContainer({
      Image: img.id,
      platform: img.platform,
      Entrypoint: ['/usr/bin/python3'],
      Cmd: ['-c', code],
      User: user,
      Labels: harnessLabels('base-image-test'),
      HostConfig: { NetworkMode: 'none' },
    } as Docker.ContainerCreateOptions);
    await c.start();
    const { StatusCode } = (await c.wait()) as { StatusCode: number };
    const raw = (await c.logs({ stdout: true, stderr: true })) as unknown as Buffer;
    let out = '';
    for (let i = 0; i + 8 <= raw.length; i += 8 + raw.readUInt32BE(i + 4))
      out += raw.subarray(i + 8, i + 8 + raw.readUInt32BE(i + 4)).toString();
    return { code: StatusCode, out: out.trim() };
  } finally {
    await c?.remove({ force: true }).catch(() => undefined);
  }
}

beforeAll(async () => {
  for (const [p] of PLATFORMS) {
    const t0 = Date.now();
    const img = await ensureBaseImage(p, { log });
    log(
      `base ${p}: ${img.id.slice(0, 19)} ${(img.size / 1e6).toFixed(1)} MB, ${img.loaded ? 'loaded' : 'already present'} in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    built.set(p, img);
  }
});

describe.each(PLATFORMS)('reference base image %s', (platform, machine) => {
  it('is recorded with the platform asked for and the distroless config', async () => {
    const img = built.get(platform)!;
    const info = await docker().getImage(baseImageRef(platform)).inspect();
    expect(info.Id).toBe(img.id);
    expect(info.Os).toBe('linux');
    expect(info.Architecture).toBe(platform === 'linux/arm64' ? 'arm64' : 'amd64');
    expect((info as unknown as { Variant?: string }).Variant).toBe(platform === 'linux/arm64' ? 'v8' : undefined);
    expect(info.RootFS.Layers).toEqual(img.layers.map((l) => l.diffId));
    expect(info.Config.Env).toContain('SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt');
    expect(info.Config.Entrypoint).toEqual(['/usr/bin/python3.11']);
  });

  it(`runs python3 with its stdlib extension modules and prints ${machine}`, async () => {
    const r = await python(built.get(platform)!, IMPORTS);
    expect(r, r.out).toEqual({ code: 0, out: machine });
  });

  it('holds no shell or package manager, no setuid file, and the generated users', async () => {
    const entries = await readTar(readFileSync(built.get(platform)!.layers[0]!.path));
    const names = entries.filter((e) => e.type !== 'directory').map((e) => e.path);
    expect(names.filter((p) => FORBIDDEN.has(p.split('/').pop()!))).toEqual([]);
    expect(entries.filter((e) => e.type === 'file' && e.mode & 0o6000).map((e) => e.path)).toEqual([]);
    expect(entries.filter((e) => e.path.endsWith('.pyc'))).toEqual([]);
    const by = new Map(entries.map((e) => [e.path, e]));
    expect(by.get('etc/passwd')!.data!.toString()).toMatch(/^nonroot:x:65532:65532:/m);
    expect(by.get('home/nonroot')).toMatchObject({ uid: 65532, gid: 65532, mode: 0o700 });
    expect(by.get('tmp')!.mode).toBe(0o1777);
    expect(by.get('usr/bin/python3')).toMatchObject({ type: 'symlink', linkname: 'python3.11' });
  });

  it('rebuilds to the same image id, and a warm build loads nothing', async () => {
    const img = built.get(platform)!;
    const t0 = Date.now();
    const warm = await ensureBaseImage(platform, { log });
    expect(warm).toMatchObject({ id: img.id, loaded: false });
    expect(Date.now() - t0).toBeLessThan(10_000);
    const again = await ensureBaseImage(platform, { force: true, log });
    expect(again.id).toBe(img.id);
    expect(again.layers.map((l) => l.diffId)).toEqual(img.layers.map((l) => l.diffId));
  });
});

describe('the nonroot user', () => {
  it('runs python as 65532 with a private home and a writable /tmp', async () => {
    const code =
      "import os, pathlib, tempfile; pathlib.Path(tempfile.gettempdir(), 'x').write_text('ok'); print(os.getuid(), os.getgid(), oct(os.stat('/home/nonroot').st_mode & 0o777))";
    expect(await python(built.get('linux/amd64')!, code, '65532:65532')).toEqual({ code: 0, out: '65532 65532 0o700' });
  });
});
