/**
 * The legacy `docker save` format, which engine 20.10's POST /images/load accepts (it cannot load an
 * OCI layout): manifest.json naming the config blob, the tags and the layer tars, all uncompressed.
 */
import { createHash } from 'node:crypto';
import { tarStream, type LayerEntry } from './tar-write.ts';
import type { LayerRef } from './layer.ts';

interface ArchiveManifest {
  Config: string;
  RepoTags: string[];
  Layers: string[];
}

const hex = (diffId: string) => diffId.replace(/^sha256:/, '');

export function archiveManifest(configJson: Buffer, tags: string[], layers: LayerRef[]): ArchiveManifest[] {
  const id = createHash('sha256').update(configJson).digest('hex');
  return [{ Config: `${id}.json`, RepoTags: tags, Layers: layers.map((l) => `${hex(l.diffId)}/layer.tar`) }];
}

function archiveEntries(configJson: Buffer, tags: string[], layers: LayerRef[]): LayerEntry[] {
  const [m] = archiveManifest(configJson, tags, layers);
  const file = (path: string, data: Buffer): LayerEntry => ({ path, type: 'file', mode: 0o644, uid: 0, gid: 0, data });
  const seen = new Set<string>();
  const layerEntries = layers.flatMap((l): LayerEntry[] => {
    if (seen.has(l.diffId)) return []; // the same layer twice in one image is stored once
    seen.add(l.diffId);
    const d = hex(l.diffId);
    return [
      { path: d, type: 'directory', mode: 0o755, uid: 0, gid: 0 },
      { path: `${d}/layer.tar`, type: 'file', mode: 0o644, uid: 0, gid: 0, source: l.path },
    ];
  });
  return [file('manifest.json', Buffer.from(JSON.stringify([m]))), file(m!.Config, configJson), ...layerEntries];
}

/** The archive as a byte stream, ready for dockerode's loadImage. */
export function dockerArchive(configJson: Buffer, tags: string[], layers: LayerRef[]): AsyncGenerator<Buffer> {
  return tarStream(archiveEntries(configJson, tags, layers));
}
