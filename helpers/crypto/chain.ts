// Recomputes a run of blocks as block-manager returns them and lists what does not add up.
import { blockHash, blockTxRoot } from './block.ts';

/**
 * The block fields the check reads. Tx ids come from `tx_ids` if present, else from
 * `transactions[].tx_id` (block-manager's shape). Fields are typed loosely on purpose: the data comes
 * from a service under test, and a missing field must become a reported problem, not a crash.
 */
export interface ChainBlock {
  height: number;
  hash: string;
  previous_hash: string;
  merkle_root: string;
  proposer?: string;
  tx_ids?: readonly string[];
  transactions?: readonly { tx_id?: string }[];
}

/**
 * Problems in `blocks` (given in ascending height order), one human-readable line each, naming the
 * block height, what was expected and what was seen; empty when every block checks out. Checked:
 * each block's hash and tx root recomputed, each height = previous height + 1, each previous_hash =
 * the previous block's hash. The first block's own previous_hash is not judged (its parent is not
 * in the list; a genesis parent of all zeros is a convention, not part of the contract).
 */
export function checkChain(blocks: readonly ChainBlock[]): string[] {
  const problems: string[] = [];
  blocks.forEach((block, i) => {
    const at = `block ${block.height}`;
    const prev = i > 0 ? blocks[i - 1] : undefined;
    if (prev) {
      if (block.height !== prev.height + 1) {
        problems.push(
          `${at}: height gap after block ${prev.height}: expected height ${prev.height + 1}, seen ${block.height}`,
        );
      }
      if (block.previous_hash !== prev.hash) {
        problems.push(
          `${at}: previous_hash does not link to block ${prev.height}: expected ${prev.hash}, seen ${block.previous_hash}`,
        );
      }
    }
    problems.push(...checkTxRoot(block, at));
    if (typeof block.proposer !== 'string') {
      problems.push(
        `${at}: no proposer, so the hash cannot be recomputed: expected a string, seen ${String(block.proposer)}`,
      );
    } else {
      const expected = blockHash({ ...block, proposer: block.proposer });
      if (block.hash !== expected) problems.push(`${at}: hash mismatch: expected ${expected}, seen ${block.hash}`);
    }
  });
  return problems;
}

function checkTxRoot(block: ChainBlock, at: string): string[] {
  const ids = block.tx_ids ?? block.transactions?.map((t) => t.tx_id);
  if (!ids) return [`${at}: no transactions listed, so the tx root cannot be recomputed: expected a list, seen none`];
  let expected: string;
  try {
    expected = blockTxRoot(ids as string[]);
  } catch (e) {
    return [
      `${at}: tx ids are not all 32-byte hex: expected 64 hex digits each, seen ${JSON.stringify(ids)} (${(e as Error).message})`,
    ];
  }
  return block.merkle_root === expected
    ? []
    : [`${at}: tx root mismatch: expected ${expected}, seen ${block.merkle_root}`];
}
