/**
 * Writes small tars and docker-archives in memory, for tests that need real bytes (layer indexing, loading an
 * image into the engine). Fixed mtimes, so the same input gives the same digests.
 */
import { createHash } from 'node:crypto';
import tar from 'tar-stream';

export interface TarItem {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  mode?: number;
  uid?: number;
  gid?: number;
  linkname?: string;
  data?: Buffer | string;
}

const MTIME = new Date('2024-01-01T00:00:00Z');

export async function packTar(items: readonly TarItem[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  for (const it of items) {
    const type = it.type ?? 'file';
    const data = it.data === undefined ? undefined : Buffer.from(it.data);
    const mode = it.mode ?? (type === 'directory' ? 0o755 : type === 'symlink' ? 0o777 : 0o644);
    const header = {
      name: it.name,
      type,
      mode,
      uid: it.uid ?? 0,
      gid: it.gid ?? 0,
      mtime: MTIME,
      ...(it.linkname !== undefined && { linkname: it.linkname }),
    };
    await new Promise<void>((res, rej) => {
      const cb = (e?: Error | null) => (e ? rej(e) : res());
      if (type === 'file') pack.entry({ ...header, size: data?.length ?? 0 }, data ?? Buffer.alloc(0), cb);
      else pack.entry(header, cb);
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export const sha256 = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** The first 64 bytes of a little-endian 64-bit ELF for a machine number (62 x86-64, 183 aarch64). */
export function elfHeader(machine: number): Buffer {
  const b = Buffer.alloc(64);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
  b.writeUInt16LE(2, 16); // ET_EXEC
  b.writeUInt16LE(machine, 18);
  return b;
}

interface ArchiveImage {
  /** The config blob's JSON object without rootfs (filled in from the layers). */
  config: Record<string, unknown>;
  layers: Buffer[];
  repoTags?: string[];
  /** Prefix layer folder names with "./"-style entries to mimic engines that write them. */
  dotSlash?: boolean;
}

/**
 * A legacy docker-archive as `docker save` writes it: layer folders NOT named by diff_id, config "<hex>.json",
 * manifest.json last. Returns the archive and the image id the engine will give it.
 */
export async function fixtureArchive(
  img: ArchiveImage,
): Promise<{ archive: Buffer; imageId: string; diffIds: string[] }> {
  const diffIds = img.layers.map((l) => sha256(l));
  const configBytes = Buffer.from(JSON.stringify({ ...img.config, rootfs: { type: 'layers', diff_ids: diffIds } }));
  const imageId = sha256(configBytes);
  const hex = imageId.slice('sha256:'.length);
  const p = img.dotSlash ? './' : '';
  // Folder names like the engine's v1 ids: derived from, but not equal to, anything in the config.
  const folders = img.layers.map((_l, i) => createHash('sha256').update(`${hex}/${i}`).digest('hex'));
  const items: TarItem[] = [];
  img.layers.forEach((l, i) => {
    items.push(
      { name: `${p}${folders[i]}/`, type: 'directory' },
      { name: `${p}${folders[i]}/VERSION`, data: '1.0' },
      { name: `${p}${folders[i]}/layer.tar`, data: l },
    );
  });
  items.push({ name: `${p}${hex}.json`, data: configBytes });
  items.push({
    name: `${p}manifest.json`,
    data: JSON.stringify([
      { Config: `${hex}.json`, RepoTags: img.repoTags ?? null, Layers: folders.map((f) => `${f}/layer.tar`) },
    ]),
  });
  return { archive: await packTar(items), imageId, diffIds };
}
