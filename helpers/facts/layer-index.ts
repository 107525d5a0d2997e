import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { ContentFacts } from './content-facts.ts';
import { sharedInode } from './merge.ts';
import { absPath, baseName, parentOf } from './paths.ts';
import type { EntryType, FsEntry, LayerIndex } from '../model/image-facts.ts';

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

/** What a `.wh.`-prefixed tar name means: a whiteout of its sibling, or its directory made opaque; else undefined. */
export function markerOf(path: string): { whiteout: string } | { opaque: string } | undefined {
  const name = baseName(path);
  if (!name.startsWith(WHITEOUT)) return undefined;
  if (name === OPAQUE) return { opaque: parentOf(path) };
  return { whiteout: absPath(`${parentOf(path)}/${name.slice(WHITEOUT.length)}`) };
}

function entryType(t: string | null | undefined): EntryType {
  switch (t) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'dir';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'hardlink';
    default:
      return 'other';
  }
}

/**
 * Indexes one uncompressed layer tar as it streams: entries, whiteouts, and the content facts of regular files
 * (content-facts.ts: ELF loader facts, shebang, multi-call and shell markers, captured texts). Nothing but small texts is kept in memory. The digest of
 * the bytes is computed on the way, so a caller can check it against the diff_id it expects.
 */
export async function indexLayer(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<LayerIndex> {
  const hash = createHash('sha256');
  let bytes = 0;
  async function* tap(): AsyncGenerator<Uint8Array> {
    for await (const c of source) {
      hash.update(c);
      bytes += c.length;
      yield c;
    }
  }
  const input = Readable.from(tap(), { objectMode: false });
  const ex = tar.extract();
  input.on('error', (e) => ex.destroy(e));
  input.pipe(ex);
  const ended = new Promise<void>((res, rej) => input.on('end', res).on('error', rej));
  ended.catch(() => undefined); // awaited below; a failure surfaces through the extract loop first

  const out: LayerIndex = { digest: '', bytes: 0, entries: [], whiteouts: [], opaqueDirs: [], texts: {} };
  const files = new Map<string, FsEntry>();
  try {
    await readEntries(ex, out, files);
  } catch (e) {
    input.destroy();
    throw e;
  }
  await ended;
  out.digest = `sha256:${hash.digest('hex')}`;
  out.bytes = bytes;
  return out;
}

async function readEntries(ex: tar.Extract, out: LayerIndex, files: Map<string, FsEntry>): Promise<void> {
  for await (const entry of ex) {
    const h = entry.header;
    const path = absPath(h.name);
    const marker = markerOf(path);
    if (marker) {
      if ('opaque' in marker) out.opaqueDirs.push(marker.opaque);
      else out.whiteouts.push(marker.whiteout);
      await drain(entry);
      continue;
    }
    const e: FsEntry = {
      path,
      type: entryType(h.type),
      mode: (h.mode ?? 0) & 0o7777,
      uid: h.uid ?? 0,
      gid: h.gid ?? 0,
      size: h.size ?? 0,
    };
    if (e.type === 'symlink') e.link = h.linkname ?? '';
    if (e.type === 'hardlink') {
      e.link = absPath(h.linkname ?? '');
      // A hardlink is its target's inode: same mode, owner and content (the header's own mode may be anything).
      const t = files.get(e.link);
      if (t) Object.assign(e, sharedInode(t));
      const hits = out.secrets?.[e.link];
      if (t && hits) out.secrets![path] = hits;
    }
    if (e.type === 'file') await readContent(entry as AsyncIterable<Buffer>, e, out);
    else await drain(entry);
    if (e.type === 'file') files.set(path, e);
    out.entries.push(e);
  }
}

async function readContent(entry: AsyncIterable<Buffer>, e: FsEntry, out: LayerIndex): Promise<void> {
  const facts = new ContentFacts(e);
  for await (const chunk of entry) facts.feed(chunk);
  const text = facts.finish();
  if (text !== undefined) out.texts[e.path] = text;
  if (facts.secrets.length) (out.secrets ??= {})[e.path] = facts.secrets;
}

async function drain(entry: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of entry);
}
