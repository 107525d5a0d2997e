/**
 * Deterministic tar writer for image layers and docker-archives. Same entries → same bytes:
 * entries sorted by path (bytewise), one fixed mtime, no user/group names, PAX records only when a
 * value does not fit ustar (long or non-ASCII names, big ids/sizes). Hardlinks are re-pointed so
 * that the first entry in tar order carries the content (an extractor needs the target first).
 */
import { open, stat } from 'node:fs/promises';

type EntryType = 'file' | 'directory' | 'symlink' | 'hardlink';

export interface LayerEntry {
  /** Path in the image without leading "/" (e.g. "usr/bin/python3.11"). */
  path: string;
  type: EntryType;
  mode: number;
  uid: number;
  gid: number;
  /** symlink: target as stored; hardlink: path of the linked entry (same form as `path`). */
  linkname?: string;
  /** file content, or… */
  data?: Uint8Array;
  /** …a host file read when the tar is written. */
  source?: string;
}

const DEFAULT_MTIME = 0; // 1970-01-01, as distroless's layers

class TarWriteError extends Error {}

const BLOCK = 512;
const enc = new TextEncoder();

const cmp = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Sorted, validated, hardlink-safe copy of the entries. */
export function prepareEntries(input: LayerEntry[]): LayerEntry[] {
  const byPath = new Map<string, LayerEntry>();
  for (const e of input) {
    const path = e.path.replace(/^\/+/, '').replace(/\/+$/, '');
    if (!path || path.split('/').some((s) => s === '..' || s === '.' || s === '')) {
      throw new TarWriteError(`invalid layer path "${e.path}"`);
    }
    if (byPath.has(path)) throw new TarWriteError(`duplicate layer path "${path}"`);
    byPath.set(path, { ...e, path, mode: e.mode & 0o7777 });
  }
  // Hardlink groups: whichever member sorts first holds the data, the rest link to it.
  const groups = new Map<string, string[]>();
  for (const e of byPath.values()) {
    if (e.type !== 'hardlink') continue;
    const target = e.linkname ?? '';
    const t = byPath.get(target);
    if (!t || t.type !== 'file')
      throw new TarWriteError(`hardlink ${e.path} points at ${target}, which is not a file in the layer`);
    groups.set(target, [...(groups.get(target) ?? [target]), e.path]);
  }
  for (const [target, members] of groups) {
    const first = [...members].sort(cmp)[0]!;
    const t = byPath.get(target)!;
    for (const m of members) {
      const cur = byPath.get(m)!;
      byPath.set(
        m,
        m === first
          ? { ...t, path: m, mode: cur.mode }
          : { ...cur, type: 'hardlink', linkname: first, data: undefined, source: undefined },
      );
    }
  }
  return [...byPath.values()].sort((a, b) => cmp(a.path, b.path));
}

function octal(buf: Buffer, off: number, len: number, value: number): boolean {
  const s = value.toString(8);
  if (s.length > len - 1) return false;
  buf.write(s.padStart(len - 1, '0') + '\0', off, len, 'latin1');
  return true;
}

function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return Buffer.from(`${len}${body}`);
}

const ascii = (s: string) => /^[\x20-\x7e]*$/.test(s);

function header(
  name: string,
  type: string,
  mode: number,
  uid: number,
  gid: number,
  size: number,
  mtime: number,
  linkname = '',
): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  octal(h, 100, 8, mode);
  octal(h, 108, 8, uid);
  octal(h, 116, 8, gid);
  octal(h, 124, 12, size);
  octal(h, 136, 12, mtime);
  h.write('        ', 148, 8, 'latin1');
  h.write(type, 156, 1, 'latin1');
  h.write(linkname, 157, 100, 'utf8');
  h.write('ustar\0', 257, 6, 'latin1');
  h.write('00', 263, 2, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
  return h;
}

const pad = (n: number) => Buffer.alloc((BLOCK - (n % BLOCK)) % BLOCK);

function entryHeaders(e: LayerEntry, size: number, mtime: number): Buffer[] {
  const name = e.type === 'directory' ? `${e.path}/` : e.path;
  const link = e.linkname ?? '';
  const pax: Buffer[] = [];
  if (enc.encode(name).length > 100 || !ascii(name)) pax.push(paxRecord('path', name));
  if (enc.encode(link).length > 100 || !ascii(link)) pax.push(paxRecord('linkpath', link));
  if (e.uid > 0o7777777) pax.push(paxRecord('uid', String(e.uid)));
  if (e.gid > 0o7777777) pax.push(paxRecord('gid', String(e.gid)));
  if (size > 0o77777777777) pax.push(paxRecord('size', String(size)));
  const out: Buffer[] = [];
  if (pax.length) {
    const body = Buffer.concat(pax);
    const short = ascii(name) ? name.slice(0, 99) : 'PaxHeader';
    out.push(header(short.slice(0, 99), 'x', 0o644, 0, 0, body.length, mtime), body, pad(body.length));
  }
  const type = { file: '0', hardlink: '1', symlink: '2', directory: '5' }[e.type];
  const clip = (s: string) => (ascii(s) ? s.slice(0, 100) : '');
  out.push(
    header(
      clip(name),
      type,
      e.mode,
      Math.min(e.uid, 0o7777777),
      Math.min(e.gid, 0o7777777),
      size > 0o77777777777 ? 0 : size,
      mtime,
      clip(link),
    ),
  );
  return out;
}

async function entrySize(e: LayerEntry): Promise<number> {
  if (e.type !== 'file') return 0;
  if (e.data) return e.data.length;
  if (e.source) return (await stat(e.source)).size;
  return 0;
}

/** Yields the tar stream in chunks; `entries` are prepared (sorted) here unless `presorted`. */
export async function* tarStream(
  entries: LayerEntry[],
  opts: { mtime?: number; presorted?: boolean } = {},
): AsyncGenerator<Buffer> {
  const mtime = opts.mtime ?? DEFAULT_MTIME;
  for (const e of opts.presorted ? entries : prepareEntries(entries)) {
    const size = await entrySize(e);
    yield* entryHeaders(e, size, mtime);
    if (e.type !== 'file') continue;
    if (e.data) yield Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength);
    else if (e.source) {
      let n = 0;
      const fh = await open(e.source, 'r');
      try {
        for await (const c of fh.createReadStream({ highWaterMark: 1 << 20, autoClose: false })) {
          n += (c as Buffer).length;
          yield c as Buffer;
        }
      } finally {
        await fh.close();
      }
      if (n !== size) throw new TarWriteError(`${e.source} changed size while being written to the layer`);
    }
    yield pad(size);
  }
  yield Buffer.alloc(BLOCK * 2);
}
