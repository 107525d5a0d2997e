import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { fzstdDecompress, isZstd, zstdDecompress, ZstdError } from '../../helpers/compress/zstd.ts';
import { ZSTD_LAYER, ZSTD_LAYER_DIFF_ID } from '../support/zstd-fixture.ts';

const hasZstdCli = spawnSync('zstd', ['--version']).status === 0;
const zstdCli = (data: Buffer, ...args: string[]) =>
  spawnSync('zstd', ['-q', '-c', ...args], { input: data, maxBuffer: 1 << 28 }).stdout;

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function* chunked(buf: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function collect(src: AsyncIterable<Buffer>): Promise<{ bytes: Buffer; largest: number }> {
  const parts: Buffer[] = [];
  for await (const c of src) parts.push(c);
  return { bytes: Buffer.concat(parts), largest: Math.max(0, ...parts.map((p) => p.length)) };
}

const decoders = { native: zstdDecompress, fzstd: fzstdDecompress };

describe('zstd decompression', () => {
  test('the magic bytes', () => {
    expect(isZstd(ZSTD_LAYER)).toBe(true);
    expect(isZstd(Buffer.from('ustar'))).toBe(false);
  });

  for (const [name, decode] of Object.entries(decoders)) {
    for (const size of [1, 13, 1 << 20]) {
      test(`${name}: the fixture layer, fed ${size} byte(s) at a time, is the tar it was made from`, async () => {
        const { bytes } = await collect(decode(chunked(ZSTD_LAYER, size)));
        expect(bytes.length).toBe(5120);
        expect(sha256(bytes)).toBe(ZSTD_LAYER_DIFF_ID);
      });
    }

    test(`${name}: corrupt or truncated data ends in a ZstdError`, async () => {
      const flipped = Buffer.from(ZSTD_LAYER);
      flipped[0] = 0;
      await expect(collect(decode(chunked(flipped, 64)))).rejects.toThrow(ZstdError);
      await expect(collect(decode([ZSTD_LAYER.subarray(0, ZSTD_LAYER.length - 20)]))).rejects.toThrow(
        /zstd data is corrupt/,
      );
    });
  }

  // Several frames, skippable frames, raw/RLE/compressed blocks, a checksum, a long window: what buildx and zstd write.
  test.skipIf(!hasZstdCli)('fzstd: multi-frame, multi-block output of the zstd CLI, in bounded pieces', async () => {
    const text = Buffer.from('lucid layer line\n'.repeat(200_000));
    const random = randomBytes(300_000);
    const zeros = Buffer.alloc(16 << 20);
    const skippable = Buffer.concat([Buffer.from([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0]), Buffer.from('abc')]);
    const data = Buffer.concat([text, random, zeros, text]);
    const z = Buffer.concat([
      zstdCli(text, '-19', '--check'),
      skippable,
      zstdCli(random),
      zstdCli(zeros, '--long=27'),
      zstdCli(text, '--no-check', '--single-thread'),
    ]);
    for (const size of [4093, 4 << 20]) {
      const { bytes, largest } = await collect(fzstdDecompress(chunked(z, size)));
      expect(sha256(bytes)).toBe(sha256(data));
      // One zstd block at a time, even from 16 MiB of zeros that compress to almost nothing.
      expect(largest).toBeLessThanOrEqual(128 * 1024);
    }
  });
});
