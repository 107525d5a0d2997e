/**
 * What a push needs of a local image: its exact config bytes (so the pulled image id equals the local one) and
 * its layer tars by diff_id. Both come from the cache when there (.cache/image-config, .cache/layers/<hex>.tar);
 * otherwise the image is exported from the engine (GET /images/{id}/get) once and the cache filled, stopping
 * the export as soon as nothing more is needed.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import tar from 'tar-stream';
import { docker } from '../engine/docker.ts';
import { readCachedConfig, writeCachedConfig } from '../facts/cache.ts';
import { cacheSubdir } from '../image/cache.ts';
import type { LayerRef } from '../image/layer.ts';
import { sha256Digest } from './media.ts';

interface ImageSource {
  /** sha256 of configBytes. */
  id: string;
  configBytes: Buffer;
  /** Bottom first, as rootfs.diff_ids lists them. */
  layers: LayerRef[];
  os: string;
  architecture: string;
  variant?: string;
}

export class ImageSourceError extends Error {}

interface ConfigDoc {
  os?: string;
  architecture?: string;
  variant?: string;
  rootfs?: { diff_ids?: string[] };
  history?: { created_by?: string; empty_layer?: boolean }[];
}

const layerPath = (diffId: string) => join(cacheSubdir('layers'), `${diffId.replace(/^sha256:/, '')}.tar`);

function layersOf(doc: ConfigDoc): LayerRef[] | undefined {
  const history = (doc.history ?? []).filter((h) => !h.empty_layer);
  const ids = doc.rootfs?.diff_ids ?? [];
  const refs: LayerRef[] = [];
  for (const [i, diffId] of ids.entries()) {
    const path = layerPath(diffId);
    if (!existsSync(path)) return undefined;
    refs.push({ diffId, path, size: statSync(path).size, createdBy: history[i]?.created_by ?? '' });
  }
  return refs;
}

function source(id: string, configBytes: Buffer): ImageSource | undefined {
  const doc = JSON.parse(configBytes.toString('utf8')) as ConfigDoc;
  const layers = layersOf(doc);
  if (!layers) return undefined;
  return {
    id,
    configBytes,
    layers,
    os: doc.os ?? '',
    architecture: doc.architecture ?? '',
    ...(doc.variant && { variant: doc.variant }),
  };
}

export async function localImageSource(imageId: string, log: (l: string) => void = () => {}): Promise<ImageSource> {
  const id = imageId.startsWith('sha256:') ? imageId : (await docker().getImage(imageId).inspect()).Id;
  const cached = readCachedConfig(id);
  const fromCache = cached && source(id, cached);
  if (fromCache) return fromCache;
  const t0 = Date.now();
  const configBytes = await exportInto(id);
  writeCachedConfig(id, configBytes);
  const s = source(id, configBytes);
  if (!s) throw new ImageSourceError(`image ${id}: the engine's export lacks layers its config lists`);
  log(
    `export ${id.slice(7, 19)}: config and ${s.layers.length} layer(s) cached in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  return s;
}

/** Streams the docker-archive: the config is kept, each layer tar lands in the cache under its sha256 (= diff_id). */
async function exportInto(id: string): Promise<Buffer> {
  const hex = id.slice(7);
  const stream = (await docker().getImage(id).get()) as NodeJS.ReadableStream & { destroy(): void };
  const ex = tar.extract();
  stream.on('error', (e: Error) => ex.destroy(e));
  stream.pipe(ex);
  let config: Buffer | undefined;
  try {
    for await (const entry of ex) {
      const name = entry.header.name.replace(/^(\.\/)+/, '');
      if (name === `${hex}.json` || name === `blobs/sha256/${hex}`) {
        const chunks: Buffer[] = [];
        for await (const c of entry) chunks.push(c as Buffer);
        config = Buffer.concat(chunks);
        if (source(id, config)) break; // every layer is cached already: the rest of the export is not needed
      } else if (entry.header.type === 'file' && (name.endsWith('/layer.tar') || name.startsWith('blobs/sha256/'))) {
        await storeLayer(entry);
      } else {
        for await (const _ of entry); // skip: repositories, manifest.json, legacy json
      }
    }
  } finally {
    stream.destroy(); // release the engine's response whether or not it was read to the end
  }
  if (!config) throw new ImageSourceError(`image ${id}: the engine's export has no config ${hex}.json`);
  if (sha256Digest(config) !== id)
    throw new ImageSourceError(`image ${id}: exported config hashes to ${sha256Digest(config)}`);
  return config;
}

async function storeLayer(entry: AsyncIterable<unknown>): Promise<void> {
  const tmp = join(
    cacheSubdir('layers'),
    `.export-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.tar`,
  );
  const hash = createHash('sha256');
  const out = createWriteStream(tmp);
  try {
    for await (const c of entry) {
      hash.update(c as Buffer);
      if (!out.write(c)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    out.end();
    await finished(out);
  } catch (e) {
    out.destroy();
    unlinkSync(tmp);
    throw e;
  }
  const path = layerPath(`sha256:${hash.digest('hex')}`);
  if (existsSync(path)) unlinkSync(tmp);
  else renameSync(tmp, path);
}
