// Lucid's block core (contract §4.7): transaction ids, the block's transaction root and block hash.
// Unlike the data-chain tree, everything here is SHA-256, and the tx root hashes raw bytes, not hex.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes, isHex64, utf8ToBytes, ZERO_HASH_HEX } from './bytes.ts';
import { canonicalJson } from './canonical-json.ts';

/** The four header fields a block hash commits to, named as block-manager returns them. */
interface BlockHeader {
  previous_hash: string;
  height: number;
  merkle_root: string;
  proposer: string;
}

/** tx_id = SHA-256 hex of the transaction body as canonical JSON (see canonicalJson for limits). */
export function txId(body: unknown): string {
  return bytesToHex(sha256(utf8ToBytes(canonicalJson(body))));
}

/**
 * Block tx root: a binary tree over the raw 32-byte ids, parent = SHA-256(left ‖ right), an odd level
 * duplicates its last node, one id → that id, no ids → 32 zero bytes. Ids must be 64 hex digits
 * (either case accepted on input; output is lower-case), else it throws.
 */
export function blockTxRoot(txIdsHex: readonly string[]): string {
  if (txIdsHex.length === 0) return ZERO_HASH_HEX;
  let level: Uint8Array[] = txIdsHex.map((id) => {
    if (!isHex64(typeof id === 'string' ? id.toLowerCase() : id))
      throw new RangeError(`tx id is not 32-byte hex: ${String(id)}`);
    return hexToBytes(id);
  });
  while (level.length > 1) {
    const up: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i]!;
      up.push(sha256(concatBytes(left, level[i + 1] ?? left)));
    }
    level = up;
  }
  return bytesToHex(level[0]!);
}

/** Block hash = SHA-256 hex of utf8(`${previous_hash}:${height}:${merkle_root}:${proposer}`). */
export function blockHash(header: BlockHeader): string {
  const { previous_hash, height, merkle_root, proposer } = header;
  return bytesToHex(sha256(utf8ToBytes(`${previous_hash}:${height}:${merkle_root}:${proposer}`)));
}
