import type { ElfInfo } from '../model/image-facts.ts';

/** ELF e_machine values the harness may meet; anything else is reported by number. */
const MACHINES: Record<number, string> = {
  3: 'x86',
  8: 'mips',
  20: 'ppc',
  21: 'ppc64',
  22: 's390x',
  40: 'arm',
  62: 'x86-64',
  183: 'aarch64',
  243: 'riscv',
};

/** Bytes needed to read the machine field (e_ident is 16 bytes, e_type 2, e_machine 2). */
const ELF_HEADER_BYTES = 20;

/** The ELF machine of a file's first bytes, or undefined when it is not ELF. */
export function elfMachine(head: Uint8Array): string | undefined {
  if (!isElfHead(head) || head.length < ELF_HEADER_BYTES) return undefined;
  // EI_DATA: 1 little-endian, 2 big-endian (s390x and some ppc64 are big-endian).
  const m = head[5] === 2 ? (head[18]! << 8) | head[19]! : head[18]! | (head[19]! << 8);
  return MACHINES[m] ?? `elf-machine-${m}`;
}

export const isElfHead = (b: Uint8Array): boolean =>
  b.length >= 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;

/** The ELF machine an OCI architecture runs natively. */
export function machineForArch(arch: string): string | undefined {
  return {
    amd64: 'x86-64',
    arm64: 'aarch64',
    arm: 'arm',
    '386': 'x86',
    riscv64: 'riscv',
    ppc64le: 'ppc64',
    s390x: 's390x',
  }[arch];
}

/** Reads `length` bytes at `offset`, or fewer at the end of the file; undefined when the bytes are out of reach. */
export type ReadAt = (offset: number, length: number) => Uint8Array | undefined;

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_STRSZ = 10;
const DT_SONAME = 14;
const DT_RPATH = 15;
const DT_RUNPATH = 29;
/** Bounds against damaged or hostile headers: real files stay far below them. */
const MAX_PHNUM = 4096;
const MAX_DYN_BYTES = 64 * 1024;
const MAX_NAME = 4096;
const MAX_CONGRUENCE = 1 << 20;

interface Layout {
  le: boolean;
  is64: boolean;
}

function num(b: Buffer, at: number, size: 2 | 4 | 8, l: Layout): number {
  if (size === 2) return l.le ? b.readUInt16LE(at) : b.readUInt16BE(at);
  if (size === 4) return l.le ? b.readUInt32LE(at) : b.readUInt32BE(at);
  return Number(l.le ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at));
}

const buf = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

interface Segment {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
  align: number;
}

/** The program headers' location: what a streaming reader must keep (ELF header first). */
function programHeaderRange(head: Uint8Array): { offset: number; length: number } | undefined {
  if (!isElfHead(head) || head.length < 64) return undefined;
  const b = buf(head);
  const l: Layout = { le: b[5] !== 2, is64: b[4] === 2 };
  const phoff = l.is64 ? num(b, 0x20, 8, l) : num(b, 0x1c, 4, l);
  const phentsize = num(b, l.is64 ? 0x36 : 0x2a, 2, l);
  const phnum = num(b, l.is64 ? 0x38 : 0x2c, 2, l);
  if (phnum > MAX_PHNUM || (phnum && phentsize < (l.is64 ? 56 : 32))) return undefined;
  return { offset: phoff, length: phnum * phentsize };
}

function segments(read: ReadAt, head: Buffer, l: Layout): Segment[] | undefined {
  const r = programHeaderRange(head);
  if (!r) return undefined;
  if (!r.length) return [];
  const ph = read(r.offset, r.length);
  if (!ph || ph.length < r.length) return undefined;
  const b = buf(ph);
  const phentsize = r.length / (l.is64 ? num(head, 0x38, 2, l) : num(head, 0x2c, 2, l));
  const out: Segment[] = [];
  for (let p = 0; p + phentsize <= b.length; p += phentsize) {
    out.push(
      l.is64
        ? {
            type: num(b, p, 4, l),
            offset: num(b, p + 8, 8, l),
            vaddr: num(b, p + 16, 8, l),
            filesz: num(b, p + 32, 8, l),
            align: num(b, p + 48, 8, l),
          }
        : {
            type: num(b, p, 4, l),
            offset: num(b, p + 4, 4, l),
            vaddr: num(b, p + 8, 4, l),
            filesz: num(b, p + 16, 4, l),
            align: num(b, p + 28, 4, l),
          },
    );
  }
  return out;
}

/** A NUL-terminated string at `offset`, read in one bounded piece. */
function cString(read: ReadAt, offset: number, limit = MAX_NAME): string | undefined {
  const b = read(offset, limit);
  if (!b) return undefined;
  const end = buf(b).indexOf(0);
  return buf(b).toString('utf8', 0, end < 0 ? b.length : end);
}

const lowBit = (n: number): number => {
  if (n === 0) return MAX_CONGRUENCE;
  let p = 1;
  while (p < MAX_CONGRUENCE && n % (p * 2) === 0) p *= 2;
  return p;
};

/**
 * The loader's view of an ELF file through random reads: the ELF header, the program headers, PT_INTERP, the
 * dynamic section and the few dynstr strings it names — never the whole file. undefined when not ELF.
 */
export function readElf(read: ReadAt): ElfInfo | undefined {
  const head0 = read(0, 64);
  if (!head0) return undefined;
  const machine = elfMachine(head0);
  if (!machine) return undefined;
  const head = buf(head0);
  const info: ElfInfo = { machine };
  if (head.length < 64) return info; // a 32-bit header is 52 bytes, but no real file ends right after it
  const l: Layout = { le: head[5] !== 2, is64: head[4] === 2 };
  const segs = segments(read, head, l);
  if (!segs) return info;
  const loads = segs.filter((s) => s.type === PT_LOAD);
  if (loads.length) {
    info.loadAlign = Math.min(...loads.map((s) => Math.max(1, s.align)));
    info.loadOffsetAlign = Math.min(...loads.map((s) => lowBit(Math.abs(s.vaddr - s.offset))));
  }
  const interp = segs.find((s) => s.type === PT_INTERP);
  if (interp) {
    const s = cString(read, interp.offset, Math.min(interp.filesz, MAX_NAME));
    if (s !== undefined) info.interp = s;
  }
  const dyn = segs.find((s) => s.type === PT_DYNAMIC);
  if (!dyn || !dyn.filesz) return info;
  const raw = read(dyn.offset, Math.min(dyn.filesz, MAX_DYN_BYTES));
  if (!raw) return { ...info, dynamicUnread: true };
  const d = buf(raw);
  const ent = l.is64 ? 16 : 8;
  const w = l.is64 ? 8 : 4;
  const tags: [number, number][] = [];
  for (let p = 0; p + ent <= d.length; p += ent) {
    const tag = num(d, p, w, l);
    if (tag === DT_NULL) break;
    tags.push([tag, num(d, p + w, w, l)]);
  }
  const strVaddr = tags.find(([t]) => t === DT_STRTAB)?.[1];
  const strsz = tags.find(([t]) => t === DT_STRSZ)?.[1];
  const seg =
    strVaddr === undefined ? undefined : loads.find((s) => strVaddr >= s.vaddr && strVaddr < s.vaddr + s.filesz);
  const named = tags.filter(([t]) => t === DT_NEEDED || t === DT_SONAME || t === DT_RPATH || t === DT_RUNPATH);
  if (!named.length) return { ...info, needed: [] };
  if (!seg || strVaddr === undefined) return { ...info, dynamicUnread: true };
  const strOff = strVaddr - seg.vaddr + seg.offset;
  const needed: string[] = [];
  for (const [t, v] of named) {
    const s = cString(read, strOff + v, Math.max(1, Math.min(MAX_NAME, (strsz ?? v + MAX_NAME) - v)));
    if (s === undefined) return { ...info, dynamicUnread: true };
    if (t === DT_NEEDED) needed.push(s);
    else if (t === DT_SONAME) info.soname = s;
    else if (t === DT_RPATH) info.rpath = s;
    else info.runpath = s;
  }
  return { ...info, needed };
}

/**
 * Where the bytes the loader maps end: the largest p_offset + p_filesz of the PT_LOAD segments; undefined when
 * the program headers are out of reach or there is no LOAD. Bytes past it (appended to a binary) are never mapped.
 */
export function loadExtent(read: ReadAt): number | undefined {
  const head0 = read(0, 64);
  if (!head0 || head0.length < 64 || !isElfHead(head0)) return undefined;
  const head = buf(head0);
  const loads = segments(read, head, { le: head[5] !== 2, is64: head[4] === 2 })?.filter((x) => x.type === PT_LOAD);
  return loads?.length ? Math.max(...loads.map((x) => x.offset + x.filesz)) : undefined;
}

/** Random reads over one in-memory file (tests, small files). */
export const readFromBuffer =
  (data: Uint8Array): ReadAt =>
  (offset, length) =>
    offset >= data.length
      ? offset === data.length
        ? new Uint8Array(0)
        : undefined
      : data.subarray(offset, Math.min(data.length, offset + length));

/** The prefix a streaming reader keeps: the dynstr of real files lies in their first LOAD, within the first MiBs. */
const ELF_STREAM_PREFIX = 4 * 1024 * 1024;

/**
 * Collects, from a file streaming past once, what readElf needs: a bounded prefix (ELF header, program headers,
 * PT_INTERP, dynstr) and the dynamic section's bytes wherever they lie. Non-ELF content is dropped at once.
 */
export class ElfStreamCollector {
  private prefix: Buffer[] = [];
  private prefixLen = 0;
  private pos = 0;
  private dead = false;
  private want?: { offset: number; length: number }[];
  private windows: { offset: number; data: Buffer }[] = [];

  feed(chunk: Buffer): void {
    if (this.dead || !chunk.length) return;
    const start = this.pos;
    this.pos += chunk.length;
    if (this.prefixLen < ELF_STREAM_PREFIX) {
      const take = chunk.subarray(0, ELF_STREAM_PREFIX - this.prefixLen);
      this.prefix.push(take);
      this.prefixLen += take.length;
      if (this.prefixLen >= 4 && start < 4 && !isElfHead(this.flat(4))) {
        this.dead = true;
        this.prefix = [];
        return;
      }
    }
    if (!this.want && this.prefixLen >= 64) this.plan();
    for (const w of this.want ?? []) {
      const from = Math.max(w.offset, start, ELF_STREAM_PREFIX);
      const to = Math.min(w.offset + w.length, this.pos);
      if (from >= to) continue;
      const piece = Buffer.from(chunk.subarray(from - start, to - start));
      const last = this.windows.at(-1);
      // A range spread over many chunks is kept as one window, so a read inside it is contiguous.
      if (last && last.offset + last.data.length === from) last.data = Buffer.concat([last.data, piece]);
      else this.windows.push({ offset: from, data: piece });
    }
  }

  private flat(n = this.prefixLen): Buffer {
    if (this.prefix.length > 1) this.prefix = [Buffer.concat(this.prefix)];
    return (this.prefix[0] ?? Buffer.alloc(0)).subarray(0, n);
  }

  /** Once the program headers are in the prefix: which far ranges to copy as they pass (PT_INTERP, PT_DYNAMIC). */
  private plan(): void {
    const r = programHeaderRange(this.flat(64));
    if (!r) {
      this.want = [];
      return;
    }
    if (r.offset + r.length > this.prefixLen) {
      if (r.offset + r.length > ELF_STREAM_PREFIX) this.want = [];
      return; // wait for more of the prefix
    }
    const segs =
      segments((o, n) => this.flat().subarray(o, o + n), this.flat(64), {
        le: this.flat(6)[5] !== 2,
        is64: this.flat(5)[4] === 2,
      }) ?? [];
    this.want = segs
      .filter((s) => s.type === PT_DYNAMIC || s.type === PT_INTERP)
      .map((s) => ({ offset: s.offset, length: Math.min(s.filesz, MAX_DYN_BYTES) }));
  }

  /** The facts, after the last chunk; undefined when the content was not ELF. */
  finish(): ElfInfo | undefined {
    if (this.dead || this.prefixLen < 4) return undefined;
    const prefix = this.flat();
    const read: ReadAt = (offset, length) => {
      if (offset + Math.min(length, 1) <= prefix.length && offset < prefix.length)
        return prefix.subarray(offset, Math.min(prefix.length, offset + length));
      if (offset >= this.pos) return offset === this.pos ? new Uint8Array(0) : undefined;
      const w = this.windows.find((x) => offset >= x.offset && offset < x.offset + x.data.length);
      return w ? w.data.subarray(offset - w.offset, offset - w.offset + length) : undefined;
    };
    return readElf(read);
  }
}
