/**
 * Layers as files in the cache, named by diff_id (sha256 of the uncompressed tar), so a layer is
 * written once and any image that lists it can be assembled from disk.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { cacheSubdir } from './cache.ts';
import { prepareEntries, tarStream, type LayerEntry } from './tar-write.ts';

export interface LayerRef {
  /** "sha256:<hex>" of the uncompressed tar. */
  diffId: string;
  /** The tar on disk. */
  path: string;
  size: number;
  /** history[].created_by for this layer. */
  createdBy: string;
}

/** A file to put in an image layer (what a Dockerfile COPY would add). */
export interface FileSpec {
  /** Absolute path in the image, e.g. "/app/server.py"; a trailing "/" or type "directory" makes a directory. */
  path: string;
  type?: 'file' | 'directory' | 'symlink';
  /** File content (string is UTF-8) … */
  content?: string | Uint8Array;
  /** … or a host file to copy. */
  source?: string;
  /** symlink target */
  target?: string;
  /** Default 0o644 for files, 0o755 for directories, 0o777 for symlinks. */
  mode?: number;
  uid?: number;
  gid?: number;
}

class LayerError extends Error {}

/** Writes the layer tar (if not cached already) and returns its ref. */
export async function writeLayer(
  entries: LayerEntry[],
  opts: { createdBy: string; dir?: string; mtime?: number },
): Promise<LayerRef> {
  const dir = opts.dir ?? cacheSubdir('layers');
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.tmp-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.tar`);
  const hash = createHash('sha256');
  let size = 0;
  const fh = await open(tmp, 'w');
  try {
    for await (const chunk of tarStream(prepareEntries(entries), { mtime: opts.mtime, presorted: true })) {
      hash.update(chunk);
      size += chunk.length;
      await fh.write(chunk);
    }
  } finally {
    await fh.close();
  }
  const hex = hash.digest('hex');
  const path = join(dir, `${hex}.tar`);
  if (existsSync(path) && statSync(path).size === size) {
    unlinkSync(tmp); // same bytes already cached
  } else {
    renameSync(tmp, path);
  }
  return { diffId: `sha256:${hex}`, path, size, createdBy: opts.createdBy };
}

/** Turns FileSpecs into layer entries; missing parent directories are added as root 0755. */
export function filesToEntries(files: FileSpec[]): LayerEntry[] {
  const out = new Map<string, LayerEntry>();
  for (const f of files) {
    if (!f.path.startsWith('/')) throw new LayerError(`layer file path must be absolute: ${f.path}`);
    const isDir = f.type === 'directory' || f.path.endsWith('/');
    const path = f.path.replace(/^\/+/, '').replace(/\/+$/, '');
    const type = isDir ? 'directory' : (f.type ?? 'file');
    const base = { path, uid: f.uid ?? 0, gid: f.gid ?? 0 };
    let e: LayerEntry;
    if (type === 'directory') e = { ...base, type, mode: f.mode ?? 0o755 };
    else if (type === 'symlink') {
      if (!f.target) throw new LayerError(`symlink ${f.path} needs a target`);
      e = { ...base, type, mode: f.mode ?? 0o777, linkname: f.target };
    } else {
      if (f.content === undefined && !f.source) throw new LayerError(`file ${f.path} needs content or source`);
      if (f.source && !existsSync(f.source)) throw new LayerError(`source file for ${f.path} not found: ${f.source}`);
      const data = typeof f.content === 'string' ? Buffer.from(f.content, 'utf8') : f.content;
      e = { ...base, type: 'file', mode: f.mode ?? 0o644, data, source: data ? undefined : f.source };
    }
    if (out.has(path)) throw new LayerError(`${f.path} is listed twice`);
    out.set(path, e);
  }
  for (const path of [...out.keys()]) {
    for (let d = dirname(path); d !== '.' && d !== '/' && d !== ''; d = dirname(d)) {
      if (!out.has(d)) out.set(d, { path: d, type: 'directory', mode: 0o755, uid: 0, gid: 0 });
    }
  }
  return [...out.values()];
}

/** A new layer from a list of files (the service images' COPY). */
export async function fileLayer(files: FileSpec[], createdBy: string): Promise<LayerRef> {
  return writeLayer(filesToEntries(files), { createdBy });
}
