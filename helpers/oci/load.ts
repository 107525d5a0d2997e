/**
 * Engine 20.10 cannot load an OCI layout, so each platform's manifest becomes a docker-archive (the format the
 * harness already writes for its own images) and goes through POST /images/load. Layers (tar, gzip, or zstd as
 * buildx writes with compression=zstd) are decompressed into
 * the layer cache by diff_id (as the image writer and the export path keep them), each checked twice: the blob
 * against its digest, the tar against the config's diff_id.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { zstdDecompress } from '../compress/zstd.ts';
import type { Platform } from '../model/platform.ts';
import { cacheSubdir } from '../image/cache.ts';
import { dockerArchive } from '../image/docker-archive.ts';
import type { LayerRef } from '../image/layer.ts';
import { docker } from '../engine/docker.ts';
import { imageIdOf, loadArchive } from '../image/load.ts';
import { shortDigest, type ImageManifest } from '../registry/media.ts';
import { platformMismatch } from '../registry/targets.ts';
import { blobFile, OciLayoutError, readBlob, type OpenLayout } from './read.ts';

const GZIP_TYPES = [
  'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.docker.image.rootfs.diff.tar.gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
];
const ZSTD_TYPES = [
  'application/vnd.oci.image.layer.v1.tar+zstd',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
];
const TAR_TYPES = ['application/vnd.oci.image.layer.v1.tar', 'application/vnd.oci.image.layer.nondistributable.v1.tar'];

interface LoadedPlatform {
  /** sha256 of the config bytes: the id the engine gives the image. */
  id: string;
  /** Config + layer blobs as stored in the layout. */
  compressedSize: number;
  /** False when the engine already had that image. */
  loaded: boolean;
}

interface ConfigDoc {
  os?: string;
  architecture?: string;
  variant?: string;
  rootfs?: { diff_ids?: string[] };
}

const unique = () => `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;

/** One layer blob → the uncompressed tar in the cache, named by its diff_id. */
export async function layerTar(
  layout: OpenLayout,
  desc: { mediaType: string; digest: string },
  diffId: string,
  what: string,
): Promise<LayerRef> {
  const path = join(cacheSubdir('layers'), `${diffId.replace(/^sha256:/, '')}.tar`);
  if (existsSync(path)) return { diffId, path, size: statSync(path).size, createdBy: '' };
  const gzip = GZIP_TYPES.includes(desc.mediaType);
  const zstd = ZSTD_TYPES.includes(desc.mediaType);
  if (!gzip && !zstd && !TAR_TYPES.includes(desc.mediaType)) {
    throw new OciLayoutError(
      `${what}: layer ${shortDigest(desc.digest)} is ${desc.mediaType}; only tar, tar+gzip and tar+zstd layers can be loaded into this engine`,
    );
  }
  const src = blobFile(layout, desc.digest);
  if (!existsSync(src)) throw new OciLayoutError(`${layout.path} lacks layer blob ${desc.digest} (${what})`);
  const blobHash = createHash('sha256');
  const tarHash = createHash('sha256');
  const tmp = `${path}.${unique()}.tmp`;
  try {
    await pipeline(
      createReadStream(src, { highWaterMark: 1 << 20 }),
      async function* (s: AsyncIterable<Buffer>) {
        for await (const c of s) {
          blobHash.update(c);
          yield c;
        }
      },
      gzip ? createGunzip() : zstd ? zstdDecompress : new PassThrough(),
      async function* (s: AsyncIterable<Buffer>) {
        for await (const c of s) {
          tarHash.update(c);
          yield c;
        }
      },
      createWriteStream(tmp),
    );
  } catch (e) {
    if (existsSync(tmp)) unlinkSync(tmp);
    throw new OciLayoutError(
      `${what}: layer ${shortDigest(desc.digest)} could not be decompressed: ${(e as Error).message}`,
    );
  }
  const blob = `sha256:${blobHash.digest('hex')}`;
  const diff = `sha256:${tarHash.digest('hex')}`;
  if (blob !== desc.digest || diff !== diffId) {
    unlinkSync(tmp);
    throw new OciLayoutError(
      blob !== desc.digest
        ? `${layout.path}: layer blob ${desc.digest} is damaged (hashes to ${blob})`
        : `${what}: layer ${shortDigest(desc.digest)} unpacks to ${diff}, but the config lists ${diffId}`,
    );
  }
  renameSync(tmp, path);
  return { diffId, path, size: statSync(path).size, createdBy: '' };
}

/** Loads one platform's image of the layout (unless the engine has it already) and returns its id. */
export async function loadLayoutPlatform(
  layout: OpenLayout,
  manifestDigest: string,
  platform: Platform,
  what: string,
  log: (l: string) => void = () => {},
): Promise<LoadedPlatform> {
  const manifest = JSON.parse(readBlob(layout, manifestDigest).toString('utf8')) as ImageManifest;
  if (!manifest.config?.digest || !Array.isArray(manifest.layers))
    throw new OciLayoutError(`${what}: manifest ${manifestDigest} has no config or layers`);
  const configBytes = readBlob(layout, manifest.config.digest);
  const config = JSON.parse(configBytes.toString('utf8')) as ConfigDoc;
  const mismatch = platformMismatch(platform, {
    Id: manifest.config.digest,
    Os: config.os,
    Architecture: config.architecture,
    Variant: config.variant,
  });
  if (mismatch) throw new OciLayoutError(`${what}: ${mismatch}`);
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== manifest.layers.length)
    throw new OciLayoutError(
      `${what}: the manifest has ${manifest.layers.length} layer(s), the config ${diffIds.length} diff_id(s)`,
    );
  const id = manifest.config.digest;
  const compressedSize = manifest.config.size + manifest.layers.reduce((n, l) => n + l.size, 0);
  if ((await imageIdOf(id)) === id) {
    log(`oci    ${what}: the engine has image ${shortDigest(id)} already`);
    return { id, compressedSize, loaded: false };
  }
  const t0 = Date.now();
  const layers: LayerRef[] = [];
  for (const [i, l] of manifest.layers.entries()) layers.push(await layerTar(layout, l, diffIds[i]!, what));
  const said = await loadArchive(dockerArchive(configBytes, [], layers));
  const loadedId = (await imageIdOf(id)) === id ? id : await loadedWithLayers(said, diffIds);
  if (!loadedId) throw new OciLayoutError(`${what}: after docker load the engine has no image ${id}`);
  log(
    `oci    ${what}: loaded as image ${shortDigest(loadedId)} (${layers.length} layer(s)) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  return { id: loadedId, compressedSize, loaded: true };
}

/** The image id `docker load` reported ("Loaded image ID: sha256:…"), if any. */
export function loadedImageId(lines: readonly string[]): string | undefined {
  for (const l of lines) {
    const m = /^Loaded image ID: (sha256:[0-9a-f]{64})$/.exec(l.trim());
    if (m) return m[1];
  }
  return undefined;
}

/**
 * With the containerd image store (Docker 29's default) an image's id is a manifest digest the engine made, not the
 * config digest: the id docker load named, when that image holds exactly these layers.
 */
async function loadedWithLayers(said: readonly string[], diffIds: readonly string[]): Promise<string | undefined> {
  const named = loadedImageId(said);
  if (!named) return undefined;
  const info = await docker()
    .getImage(named)
    .inspect()
    .catch(() => undefined);
  const layers = info?.RootFS?.Layers ?? [];
  return layers.length === diffIds.length && layers.every((l, i) => l === diffIds[i]) ? info!.Id : undefined;
}
