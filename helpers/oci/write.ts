/**
 * Writes an OCI image layout from images the harness knows (config bytes + layer tars): per image one OCI
 * image index naming a manifest per platform, gzip layers (the same blobs a push sends), annotated as buildx
 * annotates its own output. A destination ending in .tar gets the layout as one tar (buildx's default form).
 */
import { copyFileSync, createWriteStream, linkSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { Platform } from '../model/platform.ts';
import type { LayerRef } from '../image/layer.ts';
import { tarStream, type LayerEntry } from '../image/tar-write.ts';
import { compressedLayer } from '../registry/layer-blobs.ts';
import {
  OCI_CONFIG,
  OCI_INDEX,
  OCI_LAYER_GZIP,
  OCI_MANIFEST,
  sha256Digest,
  type IndexEntry,
} from '../registry/media.ts';
import { indexEntryFor, indexJson, manifestJson } from '../registry/push.ts';
import {
  blobPath,
  CONTAINERD_NAME_ANNOTATION,
  INDEX_FILE,
  LAYOUT_FILE,
  LAYOUT_VERSION,
  REF_NAME_ANNOTATION,
  SERVICE_ANNOTATION,
} from './layout.ts';

interface LayoutPlatformInput {
  platform: Platform;
  configBytes: Buffer;
  /** Bottom first: the config's rootfs.diff_ids. */
  layers: LayerRef[];
}

export interface LayoutImageInput {
  /** A whole reference, e.g. docker.io/pickme/lucid-data-chain:latest-arm64. */
  reference: string;
  /** Written as io.lucid.service; leave it out to test name-only layouts. */
  service?: string;
  platforms: LayoutPlatformInput[];
}

export interface WrittenLayout {
  path: string;
  images: {
    reference: string;
    indexDigest: string;
    platforms: { platform: Platform; manifestDigest: string; imageId: string }[];
  }[];
  blobs: number;
  bytes: number;
}

/** A blob to place: bytes in memory, or a file (a cached gzip layer) linked or copied in. */
type Blob = { data: Buffer } | { source: string; size: number };

const tagOf = (reference: string) => /:([^/:@]+)$/.exec(reference)?.[1];

export async function writeOciLayout(
  dest: string,
  images: LayoutImageInput[],
  log: (l: string) => void = () => {},
): Promise<WrittenLayout> {
  const blobs = new Map<string, Blob>();
  const put = (bytes: Buffer) => {
    const digest = sha256Digest(bytes);
    blobs.set(digest, { data: bytes });
    return digest;
  };
  const top: IndexEntry[] = [];
  const written: WrittenLayout['images'] = [];
  for (const image of images) {
    const entries: IndexEntry[] = [];
    const platforms: WrittenLayout['images'][number]['platforms'] = [];
    for (const p of image.platforms) {
      const layers = [];
      for (const l of p.layers) {
        const c = await compressedLayer(l, log);
        blobs.set(c.digest, { source: c.path, size: c.size });
        layers.push({ mediaType: OCI_LAYER_GZIP, digest: c.digest, size: c.size });
      }
      const imageId = put(p.configBytes);
      const manifest = manifestJson({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: OCI_CONFIG, digest: imageId, size: p.configBytes.length },
        layers,
      });
      put(manifest);
      const entry = indexEntryFor(p.platform, manifest);
      entries.push(entry);
      platforms.push({ platform: p.platform, manifestDigest: entry.digest, imageId });
    }
    const index = indexJson({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: entries });
    const indexDigest = put(index);
    const tag = tagOf(image.reference);
    top.push({
      mediaType: OCI_INDEX,
      digest: indexDigest,
      size: index.length,
      annotations: {
        [CONTAINERD_NAME_ANNOTATION]: image.reference,
        ...(tag && { [REF_NAME_ANNOTATION]: tag }),
        ...(image.service && { [SERVICE_ANNOTATION]: image.service }),
      },
    });
    written.push({ reference: image.reference, indexDigest, platforms });
  }
  const files = new Map<string, Blob>([
    [LAYOUT_FILE, { data: Buffer.from(JSON.stringify({ imageLayoutVersion: LAYOUT_VERSION })) }],
    [INDEX_FILE, { data: Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: top })) }],
    ...[...blobs].map(([d, b]) => [blobPath(d), b] as [string, Blob]),
  ]);
  const bytes = [...blobs.values()].reduce((n, b) => n + ('data' in b ? b.data.length : b.size), 0);
  if (dest.endsWith('.tar')) await writeTar(dest, files);
  else writeDir(dest, files);
  return { path: dest, images: written, blobs: blobs.size, bytes };
}

function writeDir(dir: string, files: Map<string, Blob>): void {
  for (const [path, b] of files) {
    const out = join(dir, path);
    mkdirSync(dirname(out), { recursive: true });
    if ('data' in b) writeFileSync(out, b.data);
    else {
      try {
        linkSync(b.source, out); // a layer blob is immutable: a hard link saves a copy of ~50 MB
      } catch {
        copyFileSync(b.source, out);
      }
    }
  }
}

async function writeTar(file: string, files: Map<string, Blob>): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  const entry = (path: string, b: Blob): LayerEntry => ({
    path,
    type: 'file',
    mode: 0o644,
    uid: 0,
    gid: 0,
    ...('data' in b ? { data: b.data } : { source: b.source }),
  });
  const dirs: LayerEntry[] = ['blobs', 'blobs/sha256'].map((path) => ({
    path,
    type: 'directory',
    mode: 0o755,
    uid: 0,
    gid: 0,
  }));
  const out = createWriteStream(file);
  for await (const chunk of tarStream([...dirs, ...[...files].map(([p, b]) => entry(p, b))])) {
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  out.end();
  await finished(out);
}
