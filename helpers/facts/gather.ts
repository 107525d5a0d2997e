import { createHash } from 'node:crypto';
import type { Platform } from '../model/platform.ts';
import { docker } from '../engine/docker.ts';
import { readCachedConfig, readCachedLayer, writeCachedConfig, writeCachedLayer } from './cache.ts';
import {
  configFromEngine,
  InspectSchema,
  parseConfigBlob,
  runConfig,
  type ConfigBlob,
  type Inspect,
} from './config.ts';
import { readDockerArchive } from './docker-archive.ts';
import { indexLayer } from './layer-index.ts';
import { mergeLayers } from './merge.ts';
import { readOverlayImage } from './overlay-layers.ts';
import type { GatherStats, ImageFacts, LayerIndex } from '../model/image-facts.ts';

interface GatherOptions {
  /** The platform the caller asked for; recorded in the facts, judged by the platform check. */
  platform?: Platform;
  /** false: neither read nor write the layer cache (default true). */
  cache?: boolean;
}

const memo = new Map<string, Promise<ImageFacts>>();

/** Forget the in-process memo (tests measuring a cold or disk-warm gather). */
export function forgetGatheredFacts(): void {
  memo.clear();
}

/**
 * Everything the static checks judge, gathered once per image: config, history, sizes and the merged filesystem.
 * Layers are cached on disk by diff_id, so an image whose layers were all seen before is not read again; the
 * others come from a local engine's overlay2 layer dirs (overlay-layers.ts) or else the image export. The
 * result is also memoised per image id for the life of the process.
 */
export async function gatherImageFacts(ref: string, opts: GatherOptions = {}): Promise<ImageFacts> {
  const t0 = performance.now();
  const inspect = InspectSchema.parse(await docker().getImage(ref).inspect());
  const key = `${inspect.Id}|${opts.cache === false ? 'nocache' : 'cache'}`;
  let pending = memo.get(key);
  if (!pending) {
    pending = gatherFresh(inspect, opts.cache !== false, t0);
    memo.set(key, pending);
    pending.catch(() => memo.delete(key));
  }
  const facts = await pending;
  return { ...facts, ref, ...(opts.platform && { platform: opts.platform }) };
}

/**
 * LUCID_FACTS_SOURCE=export: never read the engine's overlay2 dirs, export every image whose layers are not
 * all cached (to compare the sources, or to rule the overlay2 reader out). Unset or anything else: overlay2
 * where the engine allows it, the export otherwise.
 */
const exportForced = (): boolean => process.env.LUCID_FACTS_SOURCE === 'export';

async function gatherFresh(inspect: Inspect, useCache: boolean, t0: number): Promise<ImageFacts> {
  const diffIds = inspect.RootFS.Layers ?? [];
  const warnings: string[] = [];
  let config: ConfigBlob;
  let layers: LayerIndex[];
  let stats: Omit<GatherStats, 'ms' | 'warnings'>;

  const have = diffIds.map((d) => (useCache ? readCachedLayer(d) : undefined));
  const blob = useCache ? readCachedConfig(inspect.Id) : undefined;
  const fromBlob = (b: Buffer, what: string) => parseConfigBlob(b, `${what} ${inspect.Id}`);
  if (have.every((l): l is LayerIndex => l !== undefined)) {
    config = blob
      ? fromBlob(blob, 'cached config')
      : configFromEngine(inspect, await docker().getImage(inspect.Id).history());
    layers = have;
    stats = {
      source: 'cache',
      exported: false,
      configFrom: blob ? 'cache' : 'engine',
      layersIndexed: 0,
      layersFromCache: layers.length,
    };
  } else {
    let fallback = 'LUCID_FACTS_SOURCE=export';
    const overlay = exportForced()
      ? undefined
      : await readOverlayImage(inspect, have).catch((e: Error) => {
          fallback = e.message;
          return undefined;
        });
    if (overlay) {
      layers = overlay.layers;
      const stored = overlay.configBlob;
      config = blob
        ? fromBlob(blob, 'cached config')
        : stored
          ? fromBlob(stored, 'stored config')
          : configFromEngine(inspect, await docker().getImage(inspect.Id).history());
      if (useCache) {
        layers.forEach(
          (l, i) => have[i] || keep(() => writeCachedLayer(diffIds[i]!, l), `layer ${diffIds[i]}`, warnings),
        );
        if (!blob && stored) keep(() => writeCachedConfig(inspect.Id, stored), `config ${inspect.Id}`, warnings);
      }
      const configFrom = blob ? 'cache' : stored ? 'imagedb' : 'engine';
      stats = {
        source: 'overlay',
        exported: false,
        configFrom,
        layersIndexed: overlay.indexed,
        layersFromCache: layers.length - overlay.indexed,
      };
    } else {
      ({ config, layers } = await exportAndIndex(inspect.Id, diffIds, useCache, warnings));
      stats = {
        source: 'export',
        fallback,
        exported: true,
        configFrom: 'archive',
        layersIndexed: layers.length,
        layersFromCache: 0,
      };
    }
  }

  return {
    id: inspect.Id,
    ref: inspect.Id,
    architecture: config.architecture,
    os: config.os,
    ...(config.variant && { variant: config.variant }),
    config: runConfig(config.config),
    history: config.history ?? [],
    diffIds: config.rootfs.diff_ids,
    size: inspect.Size,
    layerCount: config.rootfs.diff_ids.length,
    fs: mergeLayers(layers),
    gather: { ...stats, ms: Math.round(performance.now() - t0), warnings },
  };
}

/**
 * The manifest.json item of the image: its config named by the image id, else the only item, else (the containerd
 * image store, whose image id is the index digest and whose export lists every platform held locally) the item
 * whose config lists the diff_ids the engine reports for the image.
 */
export function archiveItemOf(
  archive: Pick<Awaited<ReturnType<typeof readDockerArchive>>, 'manifest' | 'files'>,
  id: string,
  diffIds: readonly string[],
) {
  const hex = id.replace(/^sha256:/, '');
  const sameLayers = (config: string) => {
    try {
      const ids = (JSON.parse(archive.files.get(config)?.toString('utf8') ?? '') as ConfigBlob).rootfs?.diff_ids;
      return !!ids && ids.length === diffIds.length && ids.every((d, i) => d === diffIds[i]);
    } catch {
      return false;
    }
  };
  return (
    archive.manifest.find((m) => m.Config.includes(hex)) ??
    (archive.manifest.length === 1 ? archive.manifest[0] : undefined) ??
    (diffIds.length ? archive.manifest.find((m) => sameLayers(m.Config)) : undefined)
  );
}

async function exportAndIndex(
  id: string,
  engineDiffIds: readonly string[],
  useCache: boolean,
  warnings: string[],
): Promise<{ config: ConfigBlob; layers: LayerIndex[] }> {
  const archive = await readDockerArchive(await docker().getImage(id).get());
  const item = archiveItemOf(archive, id, engineDiffIds);
  if (!item) throw new Error(`export of ${id}: manifest.json names no config for this image`);
  const blob = archive.files.get(item.Config);
  if (!blob) throw new Error(`export of ${id}: config ${item.Config} missing from the archive`);
  const config = parseConfigBlob(blob, `config ${item.Config} of ${id}`);
  const blobId = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
  if (blobId !== id) warnings.push(`config blob digest ${blobId} differs from the image id ${id}`);
  const diffIds = config.rootfs.diff_ids;
  if (item.Layers.length !== diffIds.length)
    throw new Error(
      `export of ${id}: ${item.Layers.length} layers in manifest.json but ${diffIds.length} diff_ids in the config`,
    );

  const layers: LayerIndex[] = [];
  for (const [i, path] of item.Layers.entries()) {
    // An all-zero (empty) layer under a non-.tar name was kept as a small file: index it from memory.
    const small = archive.files.get(path);
    const layer = archive.layers.get(path) ?? (small && (await indexLayer([small])));
    if (!layer) throw new Error(`export of ${id}: layer ${path} missing from the archive`);
    const diffId = diffIds[i]!;
    if (layer.digest !== diffId)
      warnings.push(`layer ${i} (${path}) streamed as ${layer.digest}, config says ${diffId}`);
    if (useCache) keep(() => writeCachedLayer(diffId, layer), `layer ${diffId}`, warnings);
    layers.push(layer);
  }
  if (useCache && blobId === id) keep(() => writeCachedConfig(id, blob), `config ${id}`, warnings);
  return { config, layers };
}

/** A cache that cannot be written (read-only checkout, full disk) costs speed, never the facts. */
function keep(write: () => void, what: string, warnings: string[]): void {
  try {
    write();
  } catch (e) {
    warnings.push(`could not cache ${what}: ${(e as Error).message}`);
  }
}
