// Inclusion proofs in the shape data-chain's POST /api/v1/merkle/verify takes (contract §4.3).
import { flipHexByte } from './bytes.ts';
import type { HashAlgo } from './hash.ts';
import { merkleNode, merkleRoot } from './merkle.ts';

/** One step up the tree; `position` is where the *sibling* sits relative to the running hash. */
interface ProofStep {
  hash: string;
  position: 'left' | 'right';
}

interface InclusionProof {
  leaf_hash: string;
  proof_path: ProofStep[];
  leaf_index: number;
}

/**
 * Proof for leaf `index`: the sibling at each level, bottom-up. An odd level's last node is its own
 * sibling (it was duplicated), sitting on the right. One leaf → empty path (root = leaf).
 */
export function inclusionProof(leafHashes: readonly string[], index: number, algo: HashAlgo): InclusionProof {
  if (!Number.isInteger(index) || index < 0 || index >= leafHashes.length) {
    throw new RangeError(`leaf index ${index} out of range 0..${leafHashes.length - 1}`);
  }
  const { levels } = merkleRoot(leafHashes, algo);
  const proof_path: ProofStep[] = [];
  let i = index;
  for (const level of levels.slice(0, -1)) {
    const isLeft = i % 2 === 0;
    const sibling = isLeft ? (level[i + 1] ?? level[i]!) : level[i - 1]!;
    proof_path.push({ hash: sibling, position: isLeft ? 'right' : 'left' });
    i = Math.floor(i / 2);
  }
  return { leaf_hash: leafHashes[index]!, proof_path, leaf_index: index };
}

/**
 * Folds the path from the leaf and compares with `root` (exact string match: Lucid hex is lower-case).
 * Like the service, it trusts the positions and does not cross-check them against `leaf_index`.
 */
export function verifyProof(root: string, proof: InclusionProof, algo: HashAlgo): boolean {
  let acc = proof.leaf_hash;
  for (const step of proof.proof_path) {
    if (step.position === 'left') acc = merkleNode(step.hash, acc, algo);
    else if (step.position === 'right') acc = merkleNode(acc, step.hash, algo);
    else return false;
  }
  return acc === root;
}

/**
 * A copy of `proof` that must not verify: one byte of the first sibling flipped, or of the leaf hash
 * when the path is empty (single-leaf tree). The shape stays valid so a service cannot reject it on
 * form alone; only real hashing tells it apart.
 */
export function tamperProof(proof: InclusionProof): InclusionProof {
  const path = proof.proof_path.map((s) => ({ ...s }));
  const first = path[0];
  if (!first) return { ...proof, proof_path: path, leaf_hash: flipHexByte(proof.leaf_hash) };
  first.hash = flipHexByte(first.hash);
  return { ...proof, proof_path: path };
}

/**
 * The same proof with every position naming the running hash's side instead of the sibling's: §4.3 does not say
 * whose side `position` gives, so a service may read it either way.
 */
export function flipPositions(proof: InclusionProof): InclusionProof {
  return {
    ...proof,
    proof_path: proof.proof_path.map((s) => ({ ...s, position: s.position === 'left' ? 'right' : 'left' })),
  };
}
