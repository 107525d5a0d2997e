/**
 * Test support (used by tests/unit): builders for the formats helpers/debian reads, so tests can craft
 * a .deb or an index without host tools. `xzStore` writes a valid .xz whose LZMA2 chunks are stored
 * uncompressed — enough to exercise the real xz decoder on bytes we made ourselves.
 */
import { crc32, gzipSync } from 'node:zlib';
import { tarStream, type LayerEntry } from '../../helpers/image/tar-write.ts';
import { writeAr } from '../../helpers/debian/ar.ts';

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};
const varint = (n: number) => {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
};
const pad4 = (n: number) => Buffer.alloc((4 - (n % 4)) % 4);

export function xzStore(data: Uint8Array): Buffer {
  const flags = Buffer.from([0x00, 0x01]); // CRC32 check
  const header = Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), flags, u32(crc32(flags))]);
  const records: Buffer[] = [];
  const blocks: Buffer[] = [];
  if (data.length) {
    const bh = Buffer.from([0x02, 0x00, 0x21, 0x01, 0x08, 0x00, 0x00, 0x00]); // 12-byte header, LZMA2, 64 KiB dict
    const blockHeader = Buffer.concat([bh, u32(crc32(bh))]);
    const chunks: Buffer[] = [];
    for (let off = 0; off < data.length; off += 0x10000) {
      const part = data.subarray(off, off + 0x10000);
      const c = Buffer.from([off === 0 ? 0x01 : 0x02, (part.length - 1) >> 8, (part.length - 1) & 0xff]);
      chunks.push(c, Buffer.from(part));
    }
    chunks.push(Buffer.from([0x00]));
    const compressed = Buffer.concat(chunks);
    blocks.push(blockHeader, compressed, pad4(compressed.length), u32(crc32(data)));
    records.push(varint(blockHeader.length + compressed.length + 4), varint(data.length));
  }
  const idx = Buffer.concat([Buffer.from([0x00]), varint(records.length / 2), ...records]);
  const index = Buffer.concat([idx, pad4(idx.length)]);
  const indexFull = Buffer.concat([index, u32(crc32(index))]);
  const backward = Buffer.concat([u32(indexFull.length / 4 - 1), flags]);
  const footer = Buffer.concat([u32(crc32(backward)), backward, Buffer.from('YZ')]);
  return Buffer.concat([header, ...blocks, indexFull, footer]);
}

export async function tarBytes(entries: LayerEntry[]): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of tarStream(entries)) parts.push(c);
  return Buffer.concat(parts);
}

interface DebSpec {
  name: string;
  version: string;
  architecture?: string;
  depends?: string;
  files: LayerEntry[];
  compression?: 'xz' | 'gzip';
}

export async function makeDeb(spec: DebSpec): Promise<Buffer> {
  const control = [
    `Package: ${spec.name}`,
    `Version: ${spec.version}`,
    `Architecture: ${spec.architecture ?? 'all'}`,
    'Maintainer: test <t@example.org>',
  ];
  if (spec.depends) control.push(`Depends: ${spec.depends}`);
  control.push(`Description: test package ${spec.name}`);
  const controlTar = await tarBytes([
    { path: 'control', type: 'file', mode: 0o644, uid: 0, gid: 0, data: Buffer.from(control.join('\n') + '\n') },
    // A maintainer script that must never run: it would fail the test if it did.
    { path: 'postinst', type: 'file', mode: 0o755, uid: 0, gid: 0, data: Buffer.from('#!/bin/sh\nexit 1\n') },
  ]);
  const dataTar = await tarBytes(spec.files);
  const z = spec.compression === 'gzip' ? ['gz', gzipSync] : ['xz', xzStore];
  const compress = z[1] as (b: Buffer) => Buffer;
  return writeAr([
    { name: 'debian-binary', data: Buffer.from('2.0\n') },
    { name: `control.tar.${z[0]}`, data: compress(controlTar) },
    { name: `data.tar.${z[0]}`, data: compress(dataTar) },
  ]);
}

/** A minimal ELF64 LE shared object: one PT_LOAD covering the file, PT_INTERP, PT_DYNAMIC. */
export function craftElf(interp: string, needed: string[], runpath?: string): Buffer {
  const strs = ['', ...needed, ...(runpath ? [runpath] : [])];
  const strtab = Buffer.from(strs.join('\0') + '\0');
  const off = (s: string) => strtab.indexOf(Buffer.from(`${s}\0`), 1);
  const dynEntries: [number, number][] = [...needed.map((n) => [1, off(n)] as [number, number])];
  if (runpath) dynEntries.push([29, off(runpath)]);
  const phoff = 64;
  const phnum = 3;
  const interpOff = phoff + 56 * phnum;
  const interpBytes = Buffer.from(`${interp}\0`);
  const strOff = interpOff + interpBytes.length;
  const dynOff = Math.ceil((strOff + strtab.length) / 8) * 8;
  dynEntries.push([5, strOff + 0x400000], [0, 0]); // DT_STRTAB as a virtual address
  const size = dynOff + dynEntries.length * 16;
  const b = Buffer.alloc(size);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  b.writeBigUInt64LE(BigInt(phoff), 0x20);
  b.writeUInt16LE(56, 0x36);
  b.writeUInt16LE(phnum, 0x38);
  const ph = (i: number, type: number, o: number, vaddr: number, filesz: number) => {
    const p = phoff + i * 56;
    b.writeUInt32LE(type, p);
    b.writeBigUInt64LE(BigInt(o), p + 8);
    b.writeBigUInt64LE(BigInt(vaddr), p + 16);
    b.writeBigUInt64LE(BigInt(filesz), p + 32);
  };
  ph(0, 1, 0, 0x400000, size);
  ph(1, 3, interpOff, 0x400000 + interpOff, interpBytes.length);
  ph(2, 2, dynOff, 0x400000 + dynOff, dynEntries.length * 16);
  interpBytes.copy(b, interpOff);
  strtab.copy(b, strOff);
  dynEntries.forEach(([tag, val], i) => {
    b.writeBigInt64LE(BigInt(tag), dynOff + i * 16);
    b.writeBigUInt64LE(BigInt(val), dynOff + i * 16 + 8);
  });
  return b;
}
