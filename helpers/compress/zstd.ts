/**
 * Streaming zstd decompression for layer blobs (buildx `compression=zstd`, media type tar+zstd): node:zlib's
 * decompressor when the running Node has one (22.15+), else fzstd (pure JS). fzstd decodes every whole block it
 * holds in one call, so the input is cut at block boundaries first: each call yields at most a block or two
 * (≤ 128 KiB each), whatever the compression ratio, and memory stays bounded by the frame's window.
 */
import { pipeline, Readable, type Transform } from 'node:stream';
import * as zlib from 'node:zlib';
import { Decompress } from 'fzstd';

const ZSTD_MAGIC = 0xfd2fb528;
/** Skippable frames: 0x184D2A50 … 0x184D2A5F. */
const isSkippable = (m: number) => (m & 0xfffffff0) >>> 0 === 0x184d2a50;
const DICT_ID_BYTES = [0, 1, 2, 4];

export const isZstd = (b: Uint8Array) =>
  b.length >= 4 && (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0 === ZSTD_MAGIC;

export class ZstdError extends Error {}

const nativeZstd = (zlib as unknown as { createZstdDecompress?: () => Transform }).createZstdDecompress;

/** True when node:zlib decompresses zstd itself (Node ≥ 22.15); fzstd is the fallback. */
export const zstdIsNative = typeof nativeZstd === 'function';

/**
 * The decompressed bytes of a zstd stream. An error of the source ends the iteration with it; corrupt or truncated
 * zstd data ends it with a ZstdError.
 */
export function zstdDecompress(src: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncIterable<Buffer> {
  if (!nativeZstd) return fzstdDecompress(src);
  const native = nativeZstd;
  return (async function* () {
    let srcErr: unknown;
    const tracked = (async function* () {
      try {
        yield* src;
      } catch (e) {
        srcErr = e;
        throw e;
      }
    })();
    try {
      yield* pipeline(Readable.from(tracked), native(), () => {}) as AsyncIterable<Buffer>;
    } catch (e) {
      throw srcErr ?? new ZstdError(`zstd data is corrupt: ${(e as Error).message}`);
    }
  })();
}

/** zstdDecompress with fzstd, whatever the Node (exported so both paths can be tested on any Node). */
export async function* fzstdDecompress(src: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<Buffer> {
  let out: Uint8Array[] = [];
  const d = new Decompress((c) => {
    if (c.length) out.push(c);
  });
  const push = (piece: Uint8Array, final = false) => {
    try {
      d.push(piece, final);
    } catch (e) {
      throw new ZstdError(`zstd data is corrupt: ${(e as Error).message}`);
    }
    const o = out;
    out = [];
    // A copy: fzstd may hand out views of buffers it reuses.
    return o.map((c) => Buffer.from(c));
  };
  const cutter = new BlockCutter();
  for await (const chunk of src) {
    let from = 0;
    for (const cut of cutter.cuts(chunk)) {
      yield* push(chunk.subarray(from, cut));
      from = cut;
    }
    if (from < chunk.length) yield* push(chunk.subarray(from));
  }
  yield* push(new Uint8Array(0), true);
}

/**
 * Finds where each zstd block ends (RFC 8878 §3.1) as the stream goes by, reading only headers: frame headers,
 * block headers, checksums, skippable frames. On anything it does not recognise it stops cutting and lets the
 * decoder pass judgement on the rest.
 */
class BlockCutter {
  private skip = 0;
  private hdr: number[] = [];
  private want = 4;
  private kind: 'magic' | 'descriptor' | 'frame-header' | 'skippable' | 'block' | 'checksum' = 'magic';
  private checksum = false;
  private blockEnds = false;
  private lost = false;

  /** Offsets just past each block end in this chunk. */
  cuts(chunk: Uint8Array): number[] {
    const ends: number[] = [];
    let i = 0;
    while (i < chunk.length && !this.lost) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        i += n;
        this.skip -= n;
      } else {
        this.hdr.push(chunk[i++]!);
        while (!this.lost && this.hdr.length >= this.want) this.header();
      }
      if (this.skip === 0 && this.blockEnds) {
        ends.push(i);
        this.blockEnds = false;
      }
    }
    return ends;
  }

  private next(kind: BlockCutter['kind'], want: number) {
    this.kind = kind;
    this.want = want;
    this.hdr = [];
  }

  private header() {
    const h = this.hdr;
    switch (this.kind) {
      case 'magic': {
        const m = (h[0]! | (h[1]! << 8) | (h[2]! << 16) | (h[3]! << 24)) >>> 0;
        if (m === ZSTD_MAGIC) {
          this.kind = 'descriptor';
          this.want = 5;
        } else if (isSkippable(m)) {
          this.kind = 'skippable';
          this.want = 8;
        } else this.lost = true;
        return;
      }
      case 'descriptor': {
        const fhd = h[4]!;
        const single = (fhd >> 5) & 1;
        const fcsField = fhd >> 6;
        this.checksum = ((fhd >> 2) & 1) === 1;
        this.kind = 'frame-header';
        this.want = 5 + (single ? 0 : 1) + DICT_ID_BYTES[fhd & 3]! + (fcsField ? 1 << fcsField : single);
        return;
      }
      case 'frame-header':
        return this.next('block', 3);
      case 'skippable':
        this.skip = (h[4]! | (h[5]! << 8) | (h[6]! << 16) | (h[7]! << 24)) >>> 0;
        return this.next('magic', 4);
      case 'block': {
        const b = h[0]! | (h[1]! << 8) | (h[2]! << 16);
        const type = (b >> 1) & 3;
        if (type === 3) {
          this.lost = true;
          return;
        }
        this.skip = type === 1 ? 1 : b >>> 3;
        this.blockEnds = true;
        if (!(b & 1)) return this.next('block', 3);
        return this.checksum ? this.next('checksum', 4) : this.next('magic', 4);
      }
      case 'checksum':
        return this.next('magic', 4);
    }
  }
}
