/**
 * Publishing a multi-platform image the way `docker buildx build --push` does: gzip layer blobs, the config blob
 * byte for byte, one OCI image manifest per platform (pushed by digest), then one OCI image index naming them
 * with their platforms, under each tag.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { archOf, variantOf, type Platform } from '../model/platform.ts';
import type { LayerRef } from '../image/layer.ts';
import type { BlobPushResult, RegistryClient } from './client.ts';
import { ProtocolError } from './errors.ts';
import { compressedLayer } from './layer-blobs.ts';
import {
  OCI_CONFIG,
  OCI_INDEX,
  OCI_LAYER_GZIP,
  OCI_MANIFEST,
  sha256Digest,
  type ImageIndex,
  type ImageManifest,
  type IndexEntry,
} from './media.ts';

export interface PushPlatformInput {
  /** The platform the index entry claims; the config may say otherwise (a defect image can be pushed on purpose). */
  platform: Platform;
  configBytes: Buffer;
  /** Bottom first; their diff_ids must be the config's rootfs.diff_ids. */
  layers: LayerRef[];
}

interface PushIndexInput {
  client: RegistryClient;
  repository: string;
  tags: string[];
  platforms: PushPlatformInput[];
  /** Further index entries whose manifests are already pushed (e.g. an attestation manifest). */
  extraEntries?: IndexEntry[];
  /** Blob digest → a repository of this registry that has it; lets the registry mount instead of upload. Updated here. */
  mounts?: Map<string, string>;
  log?: (line: string) => void;
}

interface PushedPlatform {
  platform: Platform;
  manifestDigest: string;
  /** sha256 of the config bytes: the image id a pull will produce. */
  imageId: string;
  /** Config + layer blobs as stored. */
  compressedSize: number;
  blobs: Record<BlobPushResult, number>;
}

export interface PushedIndex {
  repository: string;
  tags: string[];
  digest: string;
  platforms: PushedPlatform[];
  ms: number;
}

/** The manifest bytes; compact JSON, fields in spec order, so equal inputs give equal digests. */
export const manifestJson = (m: ImageManifest) => Buffer.from(JSON.stringify(m));
export const indexJson = (i: ImageIndex) => Buffer.from(JSON.stringify(i));

export function indexEntryFor(platform: Platform, manifest: Buffer): IndexEntry {
  const variant = variantOf(platform);
  return {
    mediaType: OCI_MANIFEST,
    digest: sha256Digest(manifest),
    size: manifest.length,
    platform: { architecture: archOf(platform), os: 'linux', ...(variant && { variant }) },
  };
}

function checkLayers(repository: string, host: string, p: PushPlatformInput): void {
  const doc = JSON.parse(p.configBytes.toString('utf8')) as { rootfs?: { diff_ids?: string[] } };
  const want = doc.rootfs?.diff_ids ?? [];
  const got = p.layers.map((l) => l.diffId);
  if (want.length !== got.length || want.some((d, i) => d !== got[i])) {
    throw new ProtocolError(
      `push ${repository} ${p.platform}: layers ${got.map((d) => d.slice(7, 19)).join(',')} are not the config's diff_ids ${want.map((d) => d.slice(7, 19)).join(',')}`,
      host,
      repository,
    );
  }
}

/** Pushes one platform's blobs and manifest; returns its index entry. */
async function pushPlatformManifest(
  input: Omit<PushIndexInput, 'platforms' | 'tags'> & { image: PushPlatformInput },
): Promise<{ entry: IndexEntry; pushed: PushedPlatform }> {
  const { client, repository, image: p } = input;
  const log = input.log ?? (() => {});
  const mounts = input.mounts ?? new Map<string, string>();
  checkLayers(repository, client.host, p);
  const blobs: Record<BlobPushResult, number> = { existed: 0, mounted: 0, uploaded: 0 };
  const send = async (digest: string, size: number, open: () => Buffer | Readable) => {
    const r = await client.pushBlob(repository, { digest, size, open }, mounts.get(digest));
    blobs[r]++;
    mounts.set(digest, repository);
  };
  const layers = [];
  for (const l of p.layers) {
    const c = await compressedLayer(l, log);
    await send(c.digest, c.size, () => createReadStream(c.path, { highWaterMark: 1 << 20 }));
    layers.push({ mediaType: OCI_LAYER_GZIP, digest: c.digest, size: c.size });
  }
  const imageId = sha256Digest(p.configBytes);
  await send(imageId, p.configBytes.length, () => p.configBytes);
  const manifest = manifestJson({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: imageId, size: p.configBytes.length },
    layers,
  });
  const entry = indexEntryFor(p.platform, manifest);
  await client.putManifest(repository, entry.digest, OCI_MANIFEST, manifest);
  const compressedSize = p.configBytes.length + layers.reduce((n, l) => n + l.size, 0);
  return { entry, pushed: { platform: p.platform, manifestDigest: entry.digest, imageId, compressedSize, blobs } };
}

export async function pushIndex(input: PushIndexInput): Promise<PushedIndex> {
  const t0 = Date.now();
  if (!input.tags.length) throw new Error(`push ${input.repository}: no tag given`);
  const mounts = input.mounts ?? new Map<string, string>();
  const entries: IndexEntry[] = [];
  const platforms: PushedPlatform[] = [];
  for (const image of input.platforms) {
    const { entry, pushed } = await pushPlatformManifest({ ...input, mounts, image });
    entries.push(entry);
    platforms.push(pushed);
  }
  const index = indexJson({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [...entries, ...(input.extraEntries ?? [])],
  });
  let digest = '';
  for (const tag of input.tags) digest = await input.client.putManifest(input.repository, tag, OCI_INDEX, index);
  return { repository: input.repository, tags: input.tags, digest, platforms, ms: Date.now() - t0 };
}
