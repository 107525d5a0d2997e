import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTar } from '../../helpers/debian/tar-read.ts';
import { exposed, healthcheck, imageConfigJson } from '../../helpers/image/config.ts';
import { archiveManifest, dockerArchive } from '../../helpers/image/docker-archive.ts';
import { writeLayer } from '../../helpers/image/layer.ts';
import { baseConfig } from '../../fixtures/base/image.ts';

const layer = async (text: string) =>
  writeLayer([{ path: 'etc/x', type: 'file', mode: 0o644, uid: 0, gid: 0, data: Buffer.from(text) }], {
    createdBy: `layer ${text}`,
    dir: mkdtempSync(join(tmpdir(), 'lucid-arch-')),
  });

describe('image config', () => {
  it('records architecture, variant v8 on arm64 only, os, diff_ids and history, with fixed timestamps', async () => {
    const l = await layer('a');
    const cfg = {
      ...baseConfig(),
      User: '65532:65532',
      ExposedPorts: exposed(8086, 8080),
      Healthcheck: healthcheck({ test: ['CMD', '/usr/bin/python3', '/app/health.py'], intervalMs: 1000, retries: 3 }),
      Labels: { b: '2', a: '1' },
    };
    const arm = JSON.parse(imageConfigJson('linux/arm64', [l], cfg).toString());
    const amd = JSON.parse(imageConfigJson('linux/amd64', [l], cfg).toString());
    expect(arm).toMatchObject({ architecture: 'arm64', variant: 'v8', os: 'linux', created: '1970-01-01T00:00:00Z' });
    expect(amd.architecture).toBe('amd64');
    expect('variant' in amd).toBe(false);
    expect(arm.rootfs).toEqual({ type: 'layers', diff_ids: [l.diffId] });
    expect(arm.history).toEqual([{ created: '1970-01-01T00:00:00Z', created_by: 'layer a' }]);
    expect(arm.config).toMatchObject({
      User: '65532:65532',
      Entrypoint: ['/usr/bin/python3.11'],
      Env: [
        'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        'SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt',
      ],
      Healthcheck: { Test: ['CMD', '/usr/bin/python3', '/app/health.py'], Interval: 1_000_000_000, Retries: 3 },
    });
    expect(Object.keys(arm.config.ExposedPorts)).toEqual(['8080/tcp', '8086/tcp']);
    expect(Object.keys(arm.config.Labels)).toEqual(['a', 'b']);
    // Same inputs → same bytes → same image id.
    expect(
      imageConfigJson('linux/arm64', [l], cfg).equals(
        imageConfigJson('linux/arm64', [l], { ...cfg, Labels: { a: '1', b: '2' } }),
      ),
    ).toBe(true);
  });
});

describe('docker-archive', () => {
  it('holds manifest.json (Config, RepoTags, Layers), the config blob and each layer tar once', async () => {
    const [a, b] = [await layer('a'), await layer('b')];
    const cfg = imageConfigJson('linux/arm64', [a, b, a], baseConfig());
    const id = createHash('sha256').update(cfg).digest('hex');
    const manifest = archiveManifest(cfg, ['lucid-ref/x:arm64'], [a, b, a]);
    expect(manifest).toEqual([
      {
        Config: `${id}.json`,
        RepoTags: ['lucid-ref/x:arm64'],
        Layers: [a, b, a].map((l) => `${l.diffId.slice(7)}/layer.tar`),
      },
    ]);
    const chunks: Buffer[] = [];
    for await (const c of dockerArchive(cfg, ['lucid-ref/x:arm64'], [a, b, a])) chunks.push(c);
    const entries = await readTar(Buffer.concat(chunks));
    const by = new Map(entries.map((e) => [e.path, e]));
    expect(JSON.parse(by.get('manifest.json')!.data!.toString())).toEqual(manifest);
    expect(by.get(`${id}.json`)!.data!.equals(cfg)).toBe(true);
    for (const l of [a, b]) {
      const tarBytes = by.get(`${l.diffId.slice(7)}/layer.tar`)!.data!;
      expect(`sha256:${createHash('sha256').update(tarBytes).digest('hex')}`).toBe(l.diffId);
    }
    expect(entries.filter((e) => e.path.endsWith('layer.tar'))).toHaveLength(2);
  });
});
