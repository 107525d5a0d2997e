import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { decompress, detectCompression } from '../../helpers/debian/decompress.ts';
import { readTar } from '../../helpers/debian/tar-read.ts';
import { xzStore } from '../support/debian-testkit.ts';
import { ZSTD_LAYER, ZSTD_LAYER_DIFF_ID } from '../support/zstd-fixture.ts';

// 300 lines compressed by `xz -9` (real LZMA2, not stored chunks); sha256 of the expected text below.
const REAL_XZ =
  '/Td6WFoAAATm1rRGAgAhARwAAAAQz1jM4C+dAUJdADYaSh8IoCYDTQad+LKlrK1fYtZygcbIgX2wsCspXVOnEnzBSVxymfXO+1lc7NKojB4gZ3ShqIKjYBiuwCGaU1PT1zi2iV4PdorP2uqpa9dhinZGzPRNBvGZvjU51k92uER+N5OD1D416I2SSt8s4ehzFDd/HMIj8A/YL4T3w/QcHzjcbFHGgDTfGdzGPY/ucLWp0wB9FJB6Z+HwZfxr4VAvdh/yksPTCCn88HU/RA3YW4GGVcB5cP7dphg6015WHYgpz04fs0J2qqvLolUGFYOVtAvypy83le2dULxgQwqAmoaT4ADAzSPUooG6npzN+iGbMR22ERCyV/Awr8MnGvrVOyi3En/8mrWpTeECNzCarknQONfQ/D3gsx7kof5OJuwsQ0YVqRStdGj+Mlt2LVa/jHM9s0SJ7EJpLf1If9rVpgAAAAAD/t1snzveoAAB3gKeXwAA+AXeq7HEZ/sCAAAAAARZWg==';
const REAL_TEXT = Array.from({ length: 300 }, (_, i) => `line ${i} of the lucid-harness xz fixture\n`).join('');

describe('decompression', () => {
  it('detects formats by magic bytes', () => {
    expect(detectCompression(Buffer.from(REAL_XZ, 'base64'))).toBe('xz');
    expect(detectCompression(gzipSync('x'))).toBe('gzip');
    expect(detectCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0]))).toBe('zstd');
    expect(detectCompression(Buffer.from('plain'))).toBe('none');
  });

  it('decodes real xz output', async () => {
    const out = await decompress(Buffer.from(REAL_XZ, 'base64'));
    expect(out.toString('utf8')).toBe(REAL_TEXT);
    expect(createHash('sha256').update(out).digest('hex')).toBe(
      '4991fe89de7156bf252730a19f37d40001dfedc4d96522b282f6e5095ce2b8b6',
    );
  });

  it('decodes multi-chunk xz and gzip of the same bytes identically', async () => {
    const data = randomBytes(200_000);
    expect(Buffer.compare(await decompress(xzStore(data)), data)).toBe(0);
    expect(Buffer.compare(await decompress(gzipSync(data)), data)).toBe(0);
    expect((await decompress(xzStore(Buffer.alloc(0)))).length).toBe(0);
  });

  it('decodes zstd without node:zlib zstd (fzstd) and names corrupt zstd', async () => {
    const out = await decompress(ZSTD_LAYER);
    expect(`sha256:${createHash('sha256').update(out).digest('hex')}`).toBe(ZSTD_LAYER_DIFF_ID);
    await expect(decompress(ZSTD_LAYER.subarray(0, 40), 'Packages.zst')).rejects.toThrow(
      /^Packages.zst: zstd data is corrupt/,
    );
  });

  it('reports corrupt input instead of returning garbage', async () => {
    const bad = Buffer.from(REAL_XZ, 'base64');
    bad[60] = bad[60]! ^ 0xff;
    await expect(decompress(bad)).rejects.toThrow(/xz data is corrupt/);
    const gz = gzipSync('hello world');
    gz[gz.length - 6] = gz[gz.length - 6]! ^ 0xff;
    await expect(decompress(gz, 'data.tar.gz')).rejects.toThrow(/data.tar.gz: gzip data is corrupt/);
  });

  it('reads a tar with "./" names, PAX long names and GNU long names', async () => {
    const pack = tar.pack();
    const long = `./usr/share/${'d'.repeat(120)}/file.txt`;
    pack.entry({ name: './', type: 'directory', mode: 0o755 });
    pack.entry({ name: long, mode: 0o644 }, 'long');
    pack.entry({ name: './usr/bin/x', type: 'link', linkname: './usr/bin/y' });
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const c of pack) chunks.push(c as Buffer);
    const entries = await readTar(Buffer.concat(chunks));
    expect(entries.map((e) => e.path)).toEqual(['', long.slice(2), 'usr/bin/x']);
    expect(entries[1]!.data!.toString()).toBe('long');
    expect(entries[2]).toMatchObject({ type: 'hardlink', linkname: 'usr/bin/y' });
  });
});
