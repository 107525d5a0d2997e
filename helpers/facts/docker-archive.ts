import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { isZstd, zstdDecompress } from '../compress/zstd.ts';
import { indexLayer } from './layer-index.ts';
import type { LayerIndex } from '../model/image-facts.ts';

interface ArchiveManifestItem {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

interface DockerArchive {
  manifest: ArchiveManifestItem[];
  /** Small non-layer files by archive path (manifest.json, config blobs, legacy v1 json). */
  files: Map<string, Buffer>;
  /** Layer indexes by archive path (e.g. "<v1 id>/layer.tar" or "blobs/sha256/<hex>"). */
  layers: Map<string, LayerIndex>;
}

const MAX_SMALL_FILE = 8 * 1024 * 1024;
const cleanName = (n: string) => n.replace(/^(\.\/)+/, '').replace(/^\/+/, '');
const isTarHeader = (b: Buffer) => b.length >= 262 && b.subarray(257, 262).toString('latin1') === 'ustar';
const isGzip = (b: Buffer) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/**
 * Reads a docker-archive (`docker save` / GET /images/{id}/get) in one pass. manifest.json arrives last, so every
 * layer is indexed as it streams (by archive path) and matched to its diff_id afterwards by position.
 * Layers are recognised by a ".tar" name or a tar header, which also covers OCI-style blobs/sha256 names. The
 * containerd image store's `docker save` keeps the layer blobs as pulled: gzip and zstd ones are indexed
 * decompressed (so their digest is the diff_id); one that does not decompress is named in the error.
 */
export async function readDockerArchive(stream: NodeJS.ReadableStream): Promise<DockerArchive> {
  const ex = tar.extract();
  stream.on('error', (e: Error) => ex.destroy(e));
  stream.pipe(ex);
  const files = new Map<string, Buffer>();
  const layers = new Map<string, LayerIndex>();
  try {
    await readEntries(ex, files, layers);
  } catch (e) {
    // Release the engine's HTTP response instead of leaving it paused on a half-read archive.
    (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    throw e;
  }
  return { manifest: readManifest(files), files, layers };
}

async function readEntries(
  ex: tar.Extract,
  files: Map<string, Buffer>,
  layers: Map<string, LayerIndex>,
): Promise<void> {
  for await (const entry of ex) {
    const name = cleanName(entry.header.name);
    const size = entry.header.size ?? 0;
    const it = entry[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    if (entry.header.type !== 'file' && entry.header.type !== 'contiguous-file') {
      while (!(await it.next()).done);
      continue;
    }
    // Peek at the first 512 bytes to tell a layer tar from a JSON file without buffering either.
    const head: Buffer[] = [];
    let headLen = 0;
    while (headLen < 512) {
      const r = await it.next();
      if (r.done) break;
      head.push(r.value);
      headLen += r.value.length;
    }
    const first = Buffer.concat(head);
    if (name.endsWith('.tar') || isTarHeader(first)) {
      layers.set(name, await indexLayer(rest(first, it)));
    } else if (isGzip(first) || isZstd(first)) {
      const kind = isGzip(first) ? 'gzip' : 'zstd';
      const tarBytes = kind === 'gzip' ? gunzip(rest(first, it)) : zstdDecompress(rest(first, it));
      try {
        layers.set(name, await indexLayer(tarBytes));
      } catch (e) {
        throw new Error(`docker-archive layer ${name} (${kind}) could not be read: ${(e as Error).message}`);
      }
    } else if (size <= MAX_SMALL_FILE) {
      const chunks: Buffer[] = [first];
      for (let r = await it.next(); !r.done; r = await it.next()) chunks.push(r.value);
      files.set(name, Buffer.concat(chunks));
    } else {
      while (!(await it.next()).done);
    }
  }
}

function readManifest(files: Map<string, Buffer>): ArchiveManifestItem[] {
  const raw = files.get('manifest.json');
  if (!raw) throw new Error('docker-archive has no manifest.json');
  return (JSON.parse(raw.toString('utf8')) as ArchiveManifestItem[]).map((m) => ({
    ...m,
    Config: cleanName(m.Config),
    Layers: m.Layers.map(cleanName),
  }));
}

async function* rest(first: Buffer, it: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  if (first.length) yield first;
  for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
}

/** The decompressed bytes of a gzip stream; an error of the source or of gzip ends the iteration with it. */
function gunzip(src: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  return pipeline(Readable.from(src), createGunzip(), () => {}) as AsyncIterable<Buffer>;
}
