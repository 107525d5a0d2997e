/**
 * buildImage: layers + config → an image in the engine under `tag`, without a registry or builder.
 * The id is known before loading (sha256 of the config bytes), so an engine that already has the tag
 * at that id is left alone.
 */
import { createHash } from 'node:crypto';
import type { Platform } from '../model/platform.ts';
import { imageConfigJson, type ImageConfigInput } from './config.ts';
import { dockerArchive } from './docker-archive.ts';
import type { LayerRef } from './layer.ts';
import { imageIdOf, loadArchive, LoadError } from './load.ts';

export type Log = (line: string) => void;

interface BuildImageInput {
  platform: Platform;
  /** Bottom first, e.g. [...base.layers, await fileLayer(files, 'COPY app /app')]. */
  layers: LayerRef[];
  config: ImageConfigInput;
  tag: string;
  /** Load even when the tag already points at the expected id. */
  force?: boolean;
  log?: Log;
}

export interface BuiltImage {
  /** "sha256:<hex>" = sha256 of the config JSON. */
  id: string;
  tag: string;
  layers: LayerRef[];
  /** False when the engine already had it. */
  loaded: boolean;
  /** Sum of the uncompressed layer tars. */
  size: number;
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

export async function buildImage(input: BuildImageInput): Promise<BuiltImage> {
  const log = input.log ?? (() => {});
  const configJson = imageConfigJson(input.platform, input.layers, input.config);
  const id = `sha256:${createHash('sha256').update(configJson).digest('hex')}`;
  const size = input.layers.reduce((n, l) => n + l.size, 0);
  const result = { id, tag: input.tag, layers: input.layers, size };
  if (!input.force && (await imageIdOf(input.tag)) === id) {
    log(`image  ${input.tag} is up to date (${id.slice(7, 19)})`);
    return { ...result, loaded: false };
  }
  const t0 = Date.now();
  log(`load   ${input.tag} ${input.platform} (${input.layers.length} layer(s), ${mb(size)})`);
  await loadArchive(dockerArchive(configJson, [input.tag], input.layers));
  const got = await imageIdOf(input.tag);
  if (got !== id) throw new LoadError(`after loading, ${input.tag} is ${got ?? 'missing'}, expected ${id}`);
  log(`load   ${input.tag} done in ${((Date.now() - t0) / 1000).toFixed(1)} s (${id.slice(7, 19)})`);
  return { ...result, loaded: true };
}
