import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadContract } from '../../helpers/contract/load.ts';
import { imageConfigJson } from '../../helpers/image/config.ts';
import { writeLayer } from '../../helpers/image/layer.ts';
import {
  blobPath,
  CONTAINERD_NAME_ANNOTATION,
  REF_NAME_ANNOTATION,
  SERVICE_ANNOTATION,
} from '../../helpers/oci/layout.ts';
import { layerTar, loadedImageId } from '../../helpers/oci/load.ts';
import {
  layoutImages,
  OciLayoutError,
  openLayout,
  readBlob,
  repositoryOfReference,
  serviceOfImage,
} from '../../helpers/oci/read.ts';
import { assignServices, carriedPlatforms, parseLayoutSpec } from '../../helpers/oci/targets.ts';
import { writeOciLayout } from '../../helpers/oci/write.ts';
import { selectPlatforms } from '../../helpers/registry/platforms.ts';
import { shortDigest, type ImageManifest } from '../../helpers/registry/media.ts';
import { withLabels } from '../../fixtures/export-oci.ts';
import { ZSTD_LAYER, ZSTD_LAYER_DIFF_ID } from '../support/zstd-fixture.ts';

const contract = loadContract({ overrides: [] });
const names = contract.services.map((s) => s.name);
const img = (annotations: Record<string, string>) => ({ position: 0, annotations, entries: [] });

describe('which service an image of a layout is', () => {
  test('from buildx names, our annotation, or not at all', () => {
    expect(
      serviceOfImage(
        contract,
        img({ [CONTAINERD_NAME_ANNOTATION]: 'docker.io/pickme/lucid-data-chain:dev', [REF_NAME_ANNOTATION]: 'dev' }),
      ),
    ).toBe('data-chain');
    expect(serviceOfImage(contract, img({ [REF_NAME_ANNOTATION]: 'lucid-api-gateway:dev' }))).toBe('api-gateway');
    expect(serviceOfImage(contract, img({ [REF_NAME_ANNOTATION]: 'registry.example:5000/team/block-manager' }))).toBe(
      'block-manager',
    );
    expect(
      serviceOfImage(contract, img({ [SERVICE_ANNOTATION]: 'session-anchoring', [REF_NAME_ANNOTATION]: 'other:1' })),
    ).toBe('session-anchoring');
    expect(serviceOfImage(contract, img({ [REF_NAME_ANNOTATION]: 'dev' }))).toBeUndefined(); // a bare tag names no repository
    expect(serviceOfImage(contract, img({}))).toBeUndefined();
    expect(repositoryOfReference('localhost:5000/pickme/lucid-data-chain@sha256:abc')).toBe('pickme/lucid-data-chain');
  });

  test('a mapping wins for a one-image layout; unnamed images without one are refused with the fix', () => {
    const unnamed = [img({ [REF_NAME_ANNOTATION]: 'dev' })];
    expect(assignServices(contract, { path: 'out', service: 'data-chain' }, unnamed)).toEqual([
      { service: 'data-chain', image: unnamed[0] },
    ]);
    expect(() => assignServices(contract, { path: 'out' }, unnamed)).toThrow(
      /names no service of the contract: map it with --oci-layout SERVICE=out/,
    );
    const two = [
      img({ [REF_NAME_ANNOTATION]: 'lucid-data-chain:dev' }),
      { ...img({ [REF_NAME_ANNOTATION]: 'lucid-api-gateway:dev' }), position: 1 },
    ];
    expect(assignServices(contract, { path: 'out', service: 'api-gateway' }, two).map((x) => x.image.position)).toEqual(
      [1],
    );
    expect(() => assignServices(contract, { path: 'out', service: 'block-manager' }, two)).toThrow(
      /holds 2 images and 0 of them name block-manager/,
    );
  });

  test('--oci-layout values: SERVICE=PATH only for a contract service', () => {
    expect(parseLayoutSpec('data-chain=out/oci', names)).toEqual({ service: 'data-chain', path: 'out/oci' });
    expect(parseLayoutSpec('out/a=b', names)).toEqual({ path: 'out/a=b' });
    expect(() => parseLayoutSpec('nope=out', names)).toThrow(OciLayoutError);
  });
});

describe('a layout written by the image writer', () => {
  let dir: string;
  let cache: string;
  const saved = process.env.LUCID_CACHE_DIR;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lucid-oci-unit-'));
    cache = mkdtempSync(join(tmpdir(), 'lucid-oci-cache-'));
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.LUCID_CACHE_DIR;
    else process.env.LUCID_CACHE_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  });

  async function write(dest: string) {
    const layer = await writeLayer(
      [{ path: 'app/hello.txt', type: 'file', mode: 0o644, uid: 0, gid: 0, data: Buffer.from('hello\n') }],
      { createdBy: 'test', dir: join(dir, 'layers') },
    );
    const platforms = (['linux/amd64', 'linux/arm64'] as const).map((platform) => ({
      platform,
      configBytes: imageConfigJson(platform, [layer], { User: '65532:65532' }),
      layers: [layer],
    }));
    return {
      layer,
      written: await writeOciLayout(dest, [{ reference: 'docker.io/pickme/lucid-data-chain:dev', platforms }]),
    };
  }

  for (const form of ['directory', 'tar'] as const) {
    test(`reads back as ${form}: one image, both platforms, each blob checked`, async () => {
      const dest = join(dir, form === 'tar' ? 'layout.tar' : 'layout');
      const { written } = await write(dest);
      const layout = await openLayout(dest);
      try {
        const images = layoutImages(layout);
        expect(images).toHaveLength(1);
        expect(serviceOfImage(contract, images[0]!)).toBe('data-chain');
        expect(images[0]!.indexDigest).toBe(written.images[0]!.indexDigest);
        const sel = selectPlatforms(images[0]!.entries, ['linux/amd64', 'linux/arm64']);
        expect(sel.missing).toEqual([]);
        const manifest = JSON.parse(readBlob(layout, sel.selected['linux/arm64']!.digest).toString()) as ImageManifest;
        expect(JSON.parse(readBlob(layout, manifest.config.digest).toString()).architecture).toBe('arm64');
      } finally {
        layout.close();
      }
    });
  }

  test('a layer blob becomes the tar of its diff_id in the cache; damage is named', async () => {
    const dest = join(dir, 'layout-layers');
    const { layer, written } = await write(dest);
    process.env.LUCID_CACHE_DIR = cache;
    const layout = await openLayout(dest);
    const manifest = JSON.parse(
      readBlob(layout, written.images[0]!.platforms[0]!.manifestDigest).toString(),
    ) as ImageManifest;
    const ref = await layerTar(layout, manifest.layers[0]!, layer.diffId, 'test');
    expect(ref.path.startsWith(cache)).toBe(true);
    expect(`sha256:${createHash('sha256').update(readFileSync(ref.path)).digest('hex')}`).toBe(layer.diffId);
    rmSync(ref.path);
    writeFileSync(join(dest, blobPath(manifest.layers[0]!.digest)), Buffer.from('not gzip'));
    await expect(layerTar(layout, manifest.layers[0]!, layer.diffId, 'test')).rejects.toThrow(
      /could not be decompressed|is damaged/,
    );
    await expect(
      layerTar(
        layout,
        { ...manifest.layers[0]!, mediaType: 'application/vnd.oci.image.layer.v1.tar+bzip2' },
        layer.diffId,
        'test',
      ),
    ).rejects.toThrow(/only tar, tar\+gzip and tar\+zstd layers/);
  });

  // buildx --output type=oci,compression=zstd: the layer blob is tar+zstd.
  test('a tar+zstd layer blob becomes the tar of its diff_id; a corrupt one is one line naming the layer', async () => {
    const dest = join(dir, 'layout-zstd');
    const { written } = await write(dest);
    process.env.LUCID_CACHE_DIR = cache;
    const layout = await openLayout(dest);
    const manifest = JSON.parse(
      readBlob(layout, written.images[0]!.platforms[0]!.manifestDigest).toString(),
    ) as ImageManifest;
    const zstd = (blob: Buffer) => {
      const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
      writeFileSync(join(dest, blobPath(digest)), blob);
      return { mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd', digest, size: blob.length };
    };
    const desc = zstd(ZSTD_LAYER);
    const ref = await layerTar(layout, desc, ZSTD_LAYER_DIFF_ID, 'test');
    expect(ref.path.startsWith(cache)).toBe(true);
    expect(ref.size).toBe(5120);
    expect(`sha256:${createHash('sha256').update(readFileSync(ref.path)).digest('hex')}`).toBe(ZSTD_LAYER_DIFF_ID);
    // The blob's own digest is still checked, and the config's diff_id against what it unpacks to.
    rmSync(ref.path);
    await expect(layerTar(layout, desc, manifest.layers[0]!.digest, 'test')).rejects.toThrow(
      /unpacks to sha256:e16ff298.*but the config lists/,
    );
    // Same tar out (an empty skippable frame added), other bytes in: the blob digest catches it.
    const skippable = Buffer.from([0x50, 0x2a, 0x4d, 0x18, 0, 0, 0, 0]);
    writeFileSync(join(dest, blobPath(desc.digest)), Buffer.concat([ZSTD_LAYER, skippable]));
    await expect(layerTar(layout, desc, ZSTD_LAYER_DIFF_ID, 'test')).rejects.toThrow(/is damaged/);

    const corrupt = Buffer.from(ZSTD_LAYER);
    corrupt.fill(0xff, 20, 60);
    const bad = zstd(corrupt);
    const err = await layerTar(layout, bad, ZSTD_LAYER_DIFF_ID, 'lucid-data-chain linux/amd64').then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(OciLayoutError);
    expect(err!.message).toMatch(
      new RegExp(
        `^lucid-data-chain linux/amd64: layer ${shortDigest(bad.digest)} could not be decompressed: zstd data is corrupt`,
      ),
    );
    expect(err!.message).not.toContain('\n');
    expect(readdirSync(join(cache, 'layers')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  // containerd-store `docker save` of a multi-platform image keeps the index but only the local platform's blobs (moby/moby#44833, kubernetes-sigs/kind#3795).
  test('an index entry whose manifest blob the layout lacks is a platform it does not carry, not damage', async () => {
    const dest = join(dir, 'layout-partial');
    const { written } = await write(dest);
    const arm = written.images[0]!.platforms.find((p) => p.platform === 'linux/arm64')!;
    rmSync(join(dest, blobPath(arm.manifestDigest)));
    const layout = await openLayout(dest);
    const sel = selectPlatforms(layoutImages(layout)[0]!.entries, ['linux/amd64', 'linux/arm64']);
    expect(carriedPlatforms(layout, sel.selected, ['linux/amd64', 'linux/arm64'])).toEqual({
      chosen: ['linux/amd64'],
      absent: ['linux/arm64'],
    });
  });

  test('not a layout: one line', async () => {
    await expect(openLayout(join(dir, 'nothing'))).rejects.toThrow(/no OCI layout at .*: it does not exist/);
    await expect(openLayout(dir)).rejects.toThrow(/is not an OCI image layout/);
  });
});

test('export-oci labels change the config (and so the image id), nothing else', () => {
  const cfg = imageConfigJson('linux/amd64', [], { User: '65532:65532', Labels: { a: '1' } });
  const labelled = JSON.parse(withLabels(cfg, { b: '2' }).toString());
  expect(labelled.config.Labels).toEqual({ a: '1', b: '2' });
  expect(labelled.config.User).toBe('65532:65532');
  expect(withLabels(cfg, {})).toBe(cfg);
});

describe('the id docker load reports', () => {
  // moby's load of an untagged archive prints one "Loaded image ID:" line; with the containerd image store that id
  // is a manifest digest the engine made, so the harness takes it from here instead of the config digest.
  const id = `sha256:${'ab'.repeat(32)}`;
  test('read from its line, whatever else the engine said', () =>
    expect(loadedImageId(['Loading layer 1/2', `Loaded image ID: ${id}`])).toBe(id));
  test('none when the engine named a tag only', () =>
    expect(loadedImageId(['Loaded image: lucid-data-chain:dev'])).toBeUndefined());
});
