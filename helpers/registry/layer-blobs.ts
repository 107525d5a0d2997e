/**
 * Registry layer blobs: the cached layer tar gzip-compressed (as buildx pushes: tar+gzip, default level), kept
 * next to the tar with its digest, so a second push neither recompresses nor re-hashes. Gzip output is a pure
 * function of the input and zlib's version and level (Node writes mtime 0 and no name in the header), so the
 * digest is stable on one machine; the sidecar records the zlib version that made it.
 */
import { createHash } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { LayerRef } from '../image/layer.ts';

interface CompressedLayer {
  diffId: string;
  /** sha256 of the gzip bytes: the blob digest in the manifest. */
  digest: string;
  size: number;
  path: string;
}

const GZIP_LEVEL = 6; // zlib's and Go's default, what buildx uses

interface Sidecar {
  v: 1;
  diffId: string;
  digest: string;
  size: number;
  level: number;
  zlib: string;
}

const unique = () => `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;

export async function compressedLayer(layer: LayerRef, log: (l: string) => void = () => {}): Promise<CompressedLayer> {
  const path = `${layer.path}.gz`;
  const meta = `${path}.json`;
  if (existsSync(meta) && existsSync(path)) {
    try {
      const s = JSON.parse(readFileSync(meta, 'utf8')) as Sidecar;
      if (s.v === 1 && s.diffId === layer.diffId && s.level === GZIP_LEVEL && statSync(path).size === s.size)
        return { diffId: s.diffId, digest: s.digest, size: s.size, path };
    } catch {
      /* a damaged sidecar is a miss */
    }
  }
  const t0 = Date.now();
  const tmp = `${path}.${unique()}.tmp`;
  const hash = createHash('sha256');
  let size = 0;
  await pipeline(
    createReadStream(layer.path, { highWaterMark: 1 << 20 }),
    createGzip({ level: GZIP_LEVEL }),
    async function* (src: AsyncIterable<Buffer>) {
      for await (const c of src) {
        hash.update(c);
        size += c.length;
        yield c;
      }
    },
    createWriteStream(tmp),
  );
  const digest = `sha256:${hash.digest('hex')}`;
  renameSync(tmp, path);
  const sidecar: Sidecar = {
    v: 1,
    diffId: layer.diffId,
    digest,
    size,
    level: GZIP_LEVEL,
    zlib: process.versions.zlib ?? '',
  };
  const metaTmp = `${meta}.${unique()}.tmp`;
  writeFileSync(metaTmp, `${JSON.stringify(sidecar)}\n`);
  renameSync(metaTmp, meta);
  log(
    `gzip   ${layer.diffId.slice(7, 19)} ${(layer.size / 1e6).toFixed(1)} → ${(size / 1e6).toFixed(1)} MB in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  return { diffId: layer.diffId, digest, size, path };
}
