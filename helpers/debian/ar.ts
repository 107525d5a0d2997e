/**
 * Reader for the `ar` archives that wrap a .deb (debian-binary, control.tar.*, data.tar.*).
 * Written by hand so no host `ar`/`dpkg` is needed; handles the common (System V / GNU) header only,
 * which is all dpkg-deb ever writes.
 */
interface ArMember {
  name: string;
  mode: number;
  data: Buffer;
}

const MAGIC = '!<arch>\n';
const HEADER = 60;

export class ArError extends Error {}

export function parseAr(buf: Buffer): ArMember[] {
  if (buf.length < MAGIC.length || buf.toString('latin1', 0, MAGIC.length) !== MAGIC) {
    throw new ArError('not an ar archive (missing "!<arch>" magic)');
  }
  const members: ArMember[] = [];
  let off = MAGIC.length;
  while (off < buf.length) {
    if (buf.length - off < HEADER) {
      // dpkg pads to an even offset; a lone newline at the end is not a member.
      if (buf.subarray(off).toString('latin1').trim() === '') break;
      throw new ArError(`truncated ar header at offset ${off}`);
    }
    const h = buf.toString('latin1', off, off + HEADER);
    if (h.slice(58, 60) !== '`\n') throw new ArError(`bad ar header terminator at offset ${off}`);
    // GNU ar ends names with "/", BSD/dpkg pads with spaces.
    const name = h.slice(0, 16).trim().replace(/\/$/, '');
    if (name.startsWith('#1/')) throw new ArError(`BSD long ar names are not supported (${name})`);
    const size = Number.parseInt(h.slice(48, 58).trim(), 10);
    const mode = Number.parseInt(h.slice(40, 48).trim() || '0', 8);
    if (!Number.isFinite(size) || size < 0) throw new ArError(`bad ar member size for ${name}`);
    const start = off + HEADER;
    if (start + size > buf.length) throw new ArError(`ar member ${name} runs past the end of the archive`);
    members.push({ name, mode, data: buf.subarray(start, start + size) });
    off = start + size + (size % 2); // members are 2-byte aligned
  }
  return members;
}

/** Builds an ar archive; used by tests to craft .debs and kept next to the parser it mirrors. */
export function writeAr(members: { name: string; data: Buffer; mode?: number }[]): Buffer {
  const parts: Buffer[] = [Buffer.from(MAGIC, 'latin1')];
  for (const m of members) {
    if (m.name.length > 15) throw new ArError(`ar member name too long: ${m.name}`);
    const h =
      m.name.padEnd(16) +
      '0'.padEnd(12) +
      '0'.padEnd(6) +
      '0'.padEnd(6) +
      (m.mode ?? 0o100644).toString(8).padEnd(8) +
      String(m.data.length).padEnd(10) +
      '`\n';
    parts.push(Buffer.from(h, 'latin1'), m.data);
    if (m.data.length % 2) parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}
