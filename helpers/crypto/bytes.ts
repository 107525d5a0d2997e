// Byte/hex helpers shared by the Lucid hash constructions. Hex is always lower-case on output,
// because every Lucid construction hashes hex *text* and "AB" and "ab" hash differently.
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';

export { bytesToHex, concatBytes, hexToBytes, utf8ToBytes };

/** 32 zero bytes as hex: the empty block tx root and the usual genesis `previous_hash`. */
export const ZERO_HASH_HEX = '0'.repeat(64);

const HEX64 = /^[0-9a-f]{64}$/;

/** Exactly 64 lower-case hex digits (a 32-byte digest as Lucid prints it; no 0x). */
export function isHex64(value: unknown): value is string {
  return typeof value === 'string' && HEX64.test(value);
}

/**
 * The same hex with one byte XOR-ed (lower-case out). Used to forge near-miss values: a single
 * flipped byte keeps the shape (length, charset) so only a real recomputation can catch it.
 */
export function flipHexByte(hex: string, byteIndex = 0): string {
  const bytes = hexToBytes(hex);
  if (bytes.length === 0) throw new RangeError('flipHexByte: empty hex');
  const i = ((byteIndex % bytes.length) + bytes.length) % bytes.length;
  bytes[i] = bytes[i]! ^ 0x01;
  return bytesToHex(bytes);
}

/**
 * `length` bytes where byte j = (start + j) mod 251: the fill of the official BLAKE3 vectors
 * (start 0) and of the Lucid chunk vectors (start = index*7). 251 is prime, so the pattern does not
 * line up with any power-of-two block size and exercises every compression path.
 */
export function mod251Bytes(length: number, start = 0): Uint8Array {
  const out = new Uint8Array(length);
  for (let j = 0; j < length; j++) out[j] = (start + j) % 251;
  return out;
}

/** RFC 4648 §5 base64url without padding (what JWTs use). Node's Buffer does the encoding. */
export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** Decode base64url (padding optional); rejects characters outside the alphabet. */
export function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text)) throw new SyntaxError('not base64url');
  return new Uint8Array(Buffer.from(text, 'base64url'));
}
