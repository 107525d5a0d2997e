/**
 * Minimal ELF64 little-endian reader (x86_64, aarch64): the program interpreter and DT_NEEDED
 * names. Lets a build prove, without running anything, that every shared library a binary or
 * extension module needs is in the rootfs.
 */
interface ElfDeps {
  interp?: string;
  needed: string[];
  /** DT_RUNPATH / DT_RPATH entries, "$ORIGIN" unexpanded. */
  runpath: string[];
}

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_RPATH = 15;
const DT_RUNPATH = 29;

export const isElf = (b: Uint8Array) =>
  b.length > 64 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;

export function elfDeps(data: Uint8Array): ElfDeps | undefined {
  if (!isElf(data) || data[4] !== 2 || data[5] !== 1) return undefined; // only ELF64 LE
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const phoff = Number(b.readBigUInt64LE(0x20));
  const phentsize = b.readUInt16LE(0x36);
  const phnum = b.readUInt16LE(0x38);
  const loads: { vaddr: number; off: number; filesz: number }[] = [];
  let dyn: { off: number; size: number } | undefined;
  let interp: string | undefined;
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    if (p + 56 > b.length) return undefined;
    const type = b.readUInt32LE(p);
    const off = Number(b.readBigUInt64LE(p + 8));
    const vaddr = Number(b.readBigUInt64LE(p + 16));
    const filesz = Number(b.readBigUInt64LE(p + 32));
    if (type === PT_LOAD) loads.push({ vaddr, off, filesz });
    if (type === PT_DYNAMIC) dyn = { off, size: filesz };
    if (type === PT_INTERP) interp = b.toString('latin1', off, off + filesz).replace(/\0.*$/s, '');
  }
  if (!dyn) return { interp, needed: [], runpath: [] };
  const toOff = (va: number) => {
    const l = loads.find((s) => va >= s.vaddr && va < s.vaddr + s.filesz);
    return l ? va - l.vaddr + l.off : undefined;
  };
  const neededOffsets: number[] = [];
  const runpathOffsets: number[] = [];
  let strtab: number | undefined;
  for (let p = dyn.off; p + 16 <= dyn.off + dyn.size; p += 16) {
    const tag = Number(b.readBigInt64LE(p));
    const val = Number(b.readBigUInt64LE(p + 8));
    if (tag === 0) break;
    if (tag === DT_NEEDED) neededOffsets.push(val);
    if (tag === DT_STRTAB) strtab = toOff(val);
    if (tag === DT_RPATH || tag === DT_RUNPATH) runpathOffsets.push(val);
  }
  if (strtab === undefined) return { interp, needed: [], runpath: [] };
  const str = (o: number) => {
    const end = b.indexOf(0, strtab! + o);
    return b.toString('latin1', strtab! + o, end < 0 ? undefined : end);
  };
  return {
    interp,
    needed: neededOffsets.map(str),
    runpath: runpathOffsets.flatMap((o) => str(o).split(':')).filter(Boolean),
  };
}
