// Lucid's data-chain Merkle tree (contract §4.2). Nodes are hashes of *hex text*, not of raw bytes,
// with "leaf:" / "internal:" prefixes so a leaf can never be passed off as an internal node.
import { bytesToHex, concatBytes, utf8ToBytes } from './bytes.ts';
import { digest, type HashAlgo } from './hash.ts';

/** The chunk fields a leaf commits to, as data-chain returns them from POST /api/v1/chunks. */
export interface ChunkRef {
  chunk_id: string;
  hash_value: string;
  size_bytes: number;
}

/** What merkleRoot returns; `levels[0]` are the leaves, `levels[depth]` is `[root]`. */
interface MerkleTree {
  root: string;
  /** Levels above the leaves (Lucid's `tree_depth`): 1 leaf → 0, 2 → 1, 3–4 → 2, 5–8 → 3. */
  depth: number;
  /** Every level's real nodes; the duplicate used for an odd level is not stored. */
  levels: string[][];
}

const LEAF_PREFIX = utf8ToBytes('leaf:');
const INTERNAL_PREFIX = utf8ToBytes('internal:');

/** leaf = H("leaf:" ‖ utf8(`${chunk_id}:${hash_value}:${size_bytes}`)), hex. Fields are used verbatim. */
export function merkleLeaf(chunk: ChunkRef, algo: HashAlgo): string {
  const text = `${chunk.chunk_id}:${chunk.hash_value}:${chunk.size_bytes}`;
  return bytesToHex(digest(algo, concatBytes(LEAF_PREFIX, utf8ToBytes(text))));
}

/** node = H("internal:" ‖ utf8(`${left}:${right}`)), hex. */
export function merkleNode(leftHex: string, rightHex: string, algo: HashAlgo): string {
  return bytesToHex(digest(algo, concatBytes(INTERNAL_PREFIX, utf8ToBytes(`${leftHex}:${rightHex}`))));
}

/**
 * Lucid's `tree_depth` for n leaves: the number of levels above the leaves, ceil(log2 n), 0 for one
 * leaf (Lucid's builder computes its tree height the same way). Integer arithmetic avoids log2 rounding.
 */
export function treeDepth(leafCount: number): number {
  if (!Number.isInteger(leafCount) || leafCount < 1) throw new RangeError(`leaf count must be ≥ 1, got ${leafCount}`);
  let depth = 0;
  for (let width = leafCount; width > 1; width = Math.ceil(width / 2)) depth++;
  return depth;
}

/** The level above `level`: pairs hashed left-to-right, an odd last node paired with itself. */
function parentLevel(level: readonly string[], algo: HashAlgo): string[] {
  const up: string[] = [];
  for (let i = 0; i < level.length; i += 2) {
    const left = level[i]!;
    up.push(merkleNode(left, level[i + 1] ?? left, algo));
  }
  return up;
}

/**
 * Root over leaf hashes in request order. One leaf → root = that leaf (no hashing); none → error,
 * because data-chain refuses an empty build and there is no agreed empty root for this tree.
 */
export function merkleRoot(leafHashes: readonly string[], algo: HashAlgo): MerkleTree {
  if (leafHashes.length === 0) throw new RangeError('merkleRoot: no leaves');
  const levels: string[][] = [[...leafHashes]];
  while (levels[levels.length - 1]!.length > 1) levels.push(parentLevel(levels[levels.length - 1]!, algo));
  return { root: levels[levels.length - 1]![0]!, depth: levels.length - 1, levels };
}
