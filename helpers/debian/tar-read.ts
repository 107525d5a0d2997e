/** Reads a (decompressed) tar into memory with tar-stream, which understands ustar, PAX and GNU long names. */
import { Readable } from 'node:stream';
import tar from 'tar-stream';

type EntryType = 'file' | 'directory' | 'symlink' | 'hardlink';

export interface TarEntry {
  /** Normalised: no leading "./" or "/", no trailing "/". "" is the root directory. */
  path: string;
  type: EntryType;
  mode: number;
  uid: number;
  gid: number;
  /** Symlink target as written; hardlink target normalised like `path`. */
  linkname?: string;
  data?: Buffer;
}

export function normalisePath(p: string): string {
  let s = p.replace(/\/+/g, '/');
  while (s.startsWith('./')) s = s.slice(2);
  s = s.replace(/^\/+/, '').replace(/\/$/, '');
  return s === '.' ? '' : s;
}

class TarReadError extends Error {}

export async function readTar(buf: Buffer, what = 'tar'): Promise<TarEntry[]> {
  const out: TarEntry[] = [];
  const ex = tar.extract();
  Readable.from([buf]).pipe(ex);
  for await (const e of ex) {
    const h = e.header;
    const chunks: Buffer[] = [];
    for await (const c of e) chunks.push(c as Buffer);
    const path = normalisePath(h.name);
    const base = { path, mode: (h.mode ?? 0) & 0o7777, uid: h.uid ?? 0, gid: h.gid ?? 0 };
    switch (h.type) {
      case 'file':
      case 'contiguous-file':
        out.push({ ...base, type: 'file', data: Buffer.concat(chunks) });
        break;
      case 'directory':
        out.push({ ...base, type: 'directory' });
        break;
      case 'symlink':
        out.push({ ...base, type: 'symlink', linkname: h.linkname ?? '' });
        break;
      case 'link':
        out.push({ ...base, type: 'hardlink', linkname: normalisePath(h.linkname ?? '') });
        break;
      default:
        // Debian data tars hold no devices or fifos; refusing keeps the layer honest.
        throw new TarReadError(`${what}: unsupported entry type ${h.type} for ${h.name}`);
    }
  }
  return out;
}
