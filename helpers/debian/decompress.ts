/**
 * Decompression by magic bytes, all in-process: gzip via node:zlib, xz via the xz-decompress WASM
 * module (no host `xz`), zstd via helpers/compress/zstd.ts
 * (Debian 12 itself never uses zstd, Ubuntu does).
 */
import { gunzipSync } from 'node:zlib';
import { isZstd, zstdDecompress } from '../compress/zstd.ts';
import xz from 'xz-decompress';

type Compression = 'xz' | 'gzip' | 'zstd' | 'none';

class DecompressError extends Error {}

export function detectCompression(buf: Uint8Array): Compression {
  const b = buf;
  if (b[0] === 0xfd && b[1] === 0x37 && b[2] === 0x7a && b[3] === 0x58 && b[4] === 0x5a && b[5] === 0x00) return 'xz';
  if (b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
  if (isZstd(b)) return 'zstd';
  return 'none';
}

async function xzDecompress(buf: Uint8Array): Promise<Buffer> {
  try {
    const input = new Blob([buf as Uint8Array<ArrayBuffer>]).stream();
    const out = new xz.XzReadableStream(input);
    return Buffer.from(await new Response(out).arrayBuffer());
  } catch (e) {
    throw new DecompressError(`xz data is corrupt: ${(e as Error).message}`);
  }
}

export async function decompress(buf: Uint8Array, what = 'data'): Promise<Buffer> {
  switch (detectCompression(buf)) {
    case 'xz':
      return xzDecompress(buf);
    case 'gzip':
      try {
        return gunzipSync(buf);
      } catch (e) {
        throw new DecompressError(`${what}: gzip data is corrupt: ${(e as Error).message}`);
      }
    case 'zstd':
      try {
        const parts: Buffer[] = [];
        for await (const part of zstdDecompress([buf])) parts.push(part);
        return Buffer.concat(parts);
      } catch (e) {
        throw new DecompressError(`${what}: zstd data is corrupt: ${(e as Error).message}`);
      }
    case 'none':
      return Buffer.from(buf);
  }
}
