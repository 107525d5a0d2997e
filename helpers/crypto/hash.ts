// The two digests Lucid's data chain can be configured with (DATA_CHAIN_HASH_ALGORITHM).
import { blake3 } from '@noble/hashes/blake3.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from './bytes.ts';

export type HashAlgo = 'BLAKE3' | 'SHA256';
export const HASH_ALGOS: readonly HashAlgo[] = ['BLAKE3', 'SHA256'];

/** 32-byte digest of `bytes` (BLAKE3 at its default 32-byte output, or SHA-256). */
export function digest(algo: HashAlgo, bytes: Uint8Array): Uint8Array {
  if (algo === 'BLAKE3') return blake3(bytes);
  if (algo === 'SHA256') return sha256(bytes);
  throw new RangeError(`unknown hash algorithm: ${String(algo)}`);
}

/** A chunk's `hash_value`: the digest of its raw (base64-decoded) bytes, lower-case hex. */
export function hashChunk(bytes: Uint8Array, algo: HashAlgo = 'BLAKE3'): string {
  return bytesToHex(digest(algo, bytes));
}
