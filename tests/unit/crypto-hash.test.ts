import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HASH_ALGOS, hashChunk } from '../../helpers/crypto/hash.ts';
import { mod251Bytes, utf8ToBytes } from '../../helpers/crypto/bytes.ts';
import { chunkVectorBytes, loadBlake3Vectors, loadLucidVectors } from '../support/vectors.ts';

const blake3Vectors = loadBlake3Vectors();
const lucid = loadLucidVectors();

describe('hashChunk: official BLAKE3 test vectors', () => {
  it('covers every input length in the file', () => {
    expect(blake3Vectors.cases.length).toBe(35);
    expect(blake3Vectors.cases.map((c) => c.input_len)).toContain(102400);
  });

  // Input bytes are i mod 251; the default 32-byte output is the first 64 hex digits of the XOF output.
  it.each(blake3Vectors.cases.map((c) => [c.input_len, c.hash.slice(0, 64)] as const))(
    'input length %i',
    (len, expected) => {
      expect(hashChunk(mod251Bytes(len), 'BLAKE3')).toBe(expected);
    },
  );
});

describe('hashChunk: SHA256', () => {
  it('matches the FIPS 180-2 "abc" answer', () => {
    expect(hashChunk(utf8ToBytes('abc'), 'SHA256')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('agrees with node:crypto on the official vector inputs', () => {
    for (const { input_len } of blake3Vectors.cases) {
      const bytes = mod251Bytes(input_len);
      expect(hashChunk(bytes, 'SHA256')).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
  });

  it('defaults to BLAKE3 and rejects an unknown algorithm', () => {
    expect(hashChunk(new Uint8Array())).toBe(blake3Vectors.cases[0]!.hash.slice(0, 64));
    expect(() => hashChunk(new Uint8Array(), 'MD5' as never)).toThrow(/unknown hash algorithm/);
  });
});

describe('hashChunk: Lucid chunk vectors (bytes from data_pattern)', () => {
  it('has 7 chunks, all at least the 1024-byte minimum', () => {
    expect(lucid.chunks).toHaveLength(7);
    for (const c of lucid.chunks) expect(c.size_bytes).toBeGreaterThanOrEqual(1024);
  });

  const cases = lucid.chunks.flatMap((c) => HASH_ALGOS.map((algo) => [c.index, algo, c] as const));
  it.each(cases)('chunk %i %s', (_i, algo, chunk) => {
    const bytes = chunkVectorBytes(chunk);
    expect(bytes.length).toBe(chunk.size_bytes);
    expect(hashChunk(bytes, algo)).toBe(chunk.hash_value[algo]);
  });

  it('parses data_pattern rather than assuming it', () => {
    const c = lucid.chunks[3]!;
    expect(chunkVectorBytes(c).slice(0, 3)).toEqual(Uint8Array.from([21, 22, 23]));
    expect(() => chunkVectorBytes({ ...c, data_pattern: 'random' })).toThrow(/unrecognised/);
    expect(() => chunkVectorBytes({ ...c, size_bytes: 1 })).toThrow(/size_bytes/);
  });
});
