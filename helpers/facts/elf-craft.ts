/**
 * Hand-made ELF64 little-endian files for tests and defect images: one LOAD segment holding the headers,
 * PT_INTERP and a dynamic section with its strings — what the dynamic loader reads before any code runs. A
 * crafted executable whose DT_NEEDED is missing fails exactly as a real one does ("error while loading shared
 * libraries", exit 127); it has no code to reach beyond that.
 */

const EM: Record<string, number> = { 'x86-64': 62, aarch64: 183 };
const EHDR = 64;
const PHDR = 56;
const BASE = 0x400000; // the usual ET_EXEC load address, 64 KiB aligned
const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const PT_PHDR = 6;

/** exit(127): x86-64 mov eax,60; mov edi,127; syscall — aarch64 movz x0,#127; movz x8,#93; svc #0. */
const EXIT_127: Record<string, Buffer> = {
  'x86-64': Buffer.from([0xb8, 60, 0, 0, 0, 0xbf, 127, 0, 0, 0, 0x0f, 0x05]),
  aarch64: Buffer.from([0xe0, 0x0f, 0x80, 0xd2, 0xa8, 0x0b, 0x80, 0xd2, 0x01, 0x00, 0x00, 0xd4]),
};

interface CraftSpec {
  machine: 'x86-64' | 'aarch64';
  /** ET_EXEC (default) or ET_DYN (a shared object: no PT_INTERP unless given). */
  type?: 'exec' | 'dyn';
  interp?: string;
  needed?: string[];
  runpath?: string;
  rpath?: string;
  soname?: string;
  /** p_align of the LOAD segment (default 0x10000). */
  align?: number;
  /** Extra bytes appended at the end (to test readers with big files). */
  padding?: number;
  /** Bytes between the strings and the dynamic section (a dynamic section far into the file, as in real binaries). */
  gap?: number;
}

export function craftElf(s: CraftSpec): Buffer {
  const strs: string[] = [];
  let strLen = 1; // dynstr starts with the empty string
  const str = (v: string) => {
    const at = strLen;
    strs.push(v);
    strLen += Buffer.byteLength(v) + 1;
    return at;
  };
  const tags: [number, number][] = [];
  for (const n of s.needed ?? []) tags.push([1, str(n)]);
  if (s.soname !== undefined) tags.push([14, str(s.soname)]);
  if (s.rpath !== undefined) tags.push([15, str(s.rpath)]);
  if (s.runpath !== undefined) tags.push([29, str(s.runpath)]);

  const phnum = 3 + (s.interp !== undefined ? 1 : 0);
  const interpOff = EHDR + phnum * PHDR;
  const interpBytes = s.interp !== undefined ? Buffer.byteLength(s.interp) + 1 : 0;
  const strOff = interpOff + interpBytes;
  const dynOff = Math.ceil((strOff + strLen + (s.gap ?? 0)) / 8) * 8;
  const dynSize = (tags.length + 5) * 16; // + DT_STRTAB, DT_STRSZ, DT_SYMTAB, DT_SYMENT, DT_NULL
  const symOff = dynOff + dynSize; // one null symbol: the loader's relocation pass needs a symbol table
  const code = EXIT_127[s.machine]!;
  const codeOff = symOff + 24;
  const size = codeOff + code.length + (s.padding ?? 0);
  const b = Buffer.alloc(size);

  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0);
  b.writeUInt16LE(s.type === 'dyn' ? 3 : 2, 0x10);
  b.writeUInt16LE(EM[s.machine]!, 0x12);
  b.writeUInt32LE(1, 0x14);
  b.writeBigUInt64LE(BigInt(BASE + codeOff), 0x18); // e_entry: exit(127), reached only when every library loads
  code.copy(b, codeOff);
  b.writeBigUInt64LE(BigInt(EHDR), 0x20);
  b.writeUInt16LE(EHDR, 0x34);
  b.writeUInt16LE(PHDR, 0x36);
  b.writeUInt16LE(phnum, 0x38);

  const ph = (i: number, type: number, flags: number, off: number, filesz: number, align: number) => {
    const p = EHDR + i * PHDR;
    b.writeUInt32LE(type, p);
    b.writeUInt32LE(flags, p + 4);
    b.writeBigUInt64LE(BigInt(off), p + 8);
    b.writeBigUInt64LE(BigInt(BASE + off), p + 16);
    b.writeBigUInt64LE(BigInt(BASE + off), p + 24);
    b.writeBigUInt64LE(BigInt(filesz), p + 32);
    b.writeBigUInt64LE(BigInt(filesz), p + 40);
    b.writeBigUInt64LE(BigInt(align), p + 48);
  };
  let i = 0;
  ph(i++, PT_PHDR, 4, EHDR, phnum * PHDR, 8); // the loader finds the program headers (and the load bias) here
  if (s.interp !== undefined) {
    ph(i++, PT_INTERP, 4, interpOff, interpBytes, 1);
    b.write(s.interp, interpOff);
  }
  ph(i++, PT_LOAD, 5, 0, size, s.align ?? 0x10000);
  ph(i++, PT_DYNAMIC, 6, dynOff, dynSize, 8);

  let at = strOff + 1;
  for (const v of strs) {
    b.write(v, at);
    at += Buffer.byteLength(v) + 1;
  }
  let d = dynOff;
  for (const [t, v] of [...tags, [5, BASE + strOff], [10, strLen], [6, BASE + symOff], [11, 24], [0, 0]] as [
    number,
    number,
  ][]) {
    b.writeBigUInt64LE(BigInt(t), d);
    b.writeBigUInt64LE(BigInt(v), d + 8);
    d += 16;
  }
  return b;
}

/** A copy of a real ELF64 LE file with every PT_LOAD's p_align set to `align` (e.g. 0x1000: 4 KiB only). */
export function withLoadAlign(elf: Uint8Array, align: number): Buffer {
  const b = Buffer.from(elf);
  if (b[4] !== 2 || b[5] !== 1) throw new Error('withLoadAlign: only ELF64 little-endian files');
  const phoff = Number(b.readBigUInt64LE(0x20));
  const phentsize = b.readUInt16LE(0x36);
  const phnum = b.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    if (b.readUInt32LE(p) === PT_LOAD) b.writeBigUInt64LE(BigInt(align), p + 48);
  }
  return b;
}
