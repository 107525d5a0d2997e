// The flows' pure judgements against the Lucid known-answer vectors, and against the kinds of wrong
// answers the flow defects produce (root independent of the chunks, tx root over hex text, no anchor tx).
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { mod251Bytes } from '../../helpers/crypto/bytes.ts';
import { blockHash, txId } from '../../helpers/crypto/block.ts';
import { loadLucidVectors } from '../support/vectors.ts';
import {
  findAnchorTx,
  judgeBlockHash,
  judgeChunk,
  judgeNamedFields,
  NAMED_FIELDS,
  judgeFirstBlock,
  judgeLatestBlock,
  judgeLink,
  judgeTree,
  judgeTxIds,
  judgeTxRoot,
} from '../../helpers/flows/checks.ts';

const v = loadLucidVectors();
const bodyOf = new Map(v.transactions.map((t) => [t.tx_id, t.body as Record<string, unknown>]));

/** A block as block-manager serves it, built from the vectors (height n holds the first n transactions). */
function block(n: number): Record<string, unknown> {
  const b = v.blocks[n]!;
  return {
    block_id: b.block_hash,
    height: b.header.number,
    hash: b.block_hash,
    previous_hash: b.header.parent,
    merkle_root: b.tx_root,
    proposer: b.header.proposer,
    transactions: b.tx_ids.map((id) => ({ ...bodyOf.get(id), tx_id: id })),
  };
}

describe('chunks and data-chain trees', () => {
  const c = v.chunks[0]!;
  const raw = mod251Bytes(c.size_bytes, c.index * 7);
  test('a chunk answer with the vector hash passes, in both algorithms', () => {
    for (const algo of ['BLAKE3', 'SHA256'] as const)
      expect(
        judgeChunk({ chunk_id: c.chunk_id, hash_value: c.hash_value[algo], size_bytes: c.size_bytes }, raw, algo),
      ).toEqual([]);
  });
  test('a hash of the other algorithm, a wrong size or no id are problems', () => {
    const problems = judgeChunk({ hash_value: c.hash_value.SHA256, size_bytes: 1 }, raw, 'BLAKE3');
    expect(problems.map((p) => p.expected)).toEqual([
      expect.stringContaining('hash_value (BLAKE3'),
      'size_bytes = 1024',
      'a chunk_id string',
    ]);
  });
  test.each(v.data_chain_trees.map((t) => [`${t.algorithm} ${t.leaf_count}`, t] as const))(
    'tree %s: the vector answer passes',
    (_n, t) => {
      const chunks = v.chunks
        .slice(0, t.leaf_count)
        .map((x) => ({ chunk_id: x.chunk_id, hash_value: x.hash_value[t.algorithm], size_bytes: x.size_bytes }));
      const depth = Math.ceil(Math.log2(t.leaf_count));
      expect(
        judgeTree(
          { root_hash: t.root_hash, leaf_count: t.leaf_count, tree_depth: depth, leaf_hashes: t.leaf_hashes },
          chunks,
          t.algorithm,
        ),
      ).toEqual([]);
    },
  );
  test('a root that does not depend on the chunks is caught (merkle-root-ignores-input)', () => {
    const t = v.data_chain_trees.find((x) => x.algorithm === 'BLAKE3' && x.leaf_count === 3)!;
    const chunks = v.chunks
      .slice(0, 3)
      .map((x) => ({ chunk_id: x.chunk_id, hash_value: x.hash_value.BLAKE3, size_bytes: x.size_bytes }));
    const fake = createHash('sha256').update('session:abc').digest('hex');
    const [p] = judgeTree({ root_hash: fake, leaf_count: 3, tree_depth: 2 }, chunks, 'BLAKE3');
    expect(p).toEqual({
      expected: `root_hash (BLAKE3 Merkle root recomputed over the 3 chunks) = "${t.root_hash}"`,
      seen: `root_hash (BLAKE3 Merkle root recomputed over the 3 chunks) = "${fake}"`,
    });
  });
});

describe('blocks', () => {
  test.each([0, 1, 2, 3, 4, 5])('vector block %i: tx ids, tx root and hash check out', (n) => {
    expect([...judgeTxIds(block(n)), ...judgeTxRoot(block(n)), ...judgeBlockHash(block(n))]).toEqual([]);
  });
  test.each([1, 2, 3, 4, 5])('vector block %i links to its parent', (n) =>
    expect(judgeLink(block(n - 1), block(n))).toEqual([]),
  );
  test('a tx root over hex text without odd duplication is caught (wrong-tx-root)', () => {
    const b = block(3);
    const ids = (b['transactions'] as { tx_id: string }[]).map((t) => t.tx_id);
    let level = ids.map((i) => createHash('sha256').update(i).digest('hex'));
    while (level.length > 1)
      level = Array.from({ length: Math.ceil(level.length / 2) }, (_, j) =>
        createHash('sha256')
          .update(level.slice(2 * j, 2 * j + 2).join(''))
          .digest('hex'),
      );
    const [p] = judgeTxRoot({ ...b, merkle_root: level[0] });
    expect(p?.expected).toBe(`merkle_root (tx root recomputed over 3 tx id(s)) = "${v.blocks[3]!.tx_root}"`);
    // The hash no longer matches either, as the header commits to the wrong root.
    expect(judgeBlockHash({ ...b, merkle_root: level[0] })).toHaveLength(1);
  });
  test('a block without proposer: another string field may stand in (the real BlockDetails says validator); a wrong hash matches none', () => {
    const { proposer, ...rest } = block(2);
    expect(judgeBlockHash({ ...rest, validator: proposer })).toEqual([]);
    const [p] = judgeBlockHash({ ...rest, validator: 'someone-else' });
    expect(p?.expected).toMatch(/the block has no proposer field; none of .*validator.* in its place gives the hash/);
    expect(judgeBlockHash(rest)).toHaveLength(1);
  });
  test('an edited transaction no longer matches its tx_id', () => {
    const b = block(1);
    const [tx] = b['transactions'] as Record<string, unknown>[];
    expect(judgeTxIds({ ...b, transactions: [{ ...tx, nonce: 99 }] })[0]?.expected).toMatch(
      /^transactions\[0\]\.tx_id/,
    );
  });
  test('a listing may add fields to an entry: the body is the entry minus tx_id or a subset holding type and data', () => {
    const body = {
      type: 'session_anchor',
      data: { session_id: 's', merkle_root: 'a'.repeat(64) },
      signature: '',
      nonce: 0,
    };
    const tx_id = txId(body);
    expect(judgeTxIds({ transactions: [{ ...body, tx_id, block_height: 3, status: 'confirmed' }] })).toEqual([]);
    expect(judgeTxIds({ transactions: [{ ...body, tx_id: tx_id.toUpperCase() }] })).toEqual([]);
  });
  test('when no body matches, the finding says what was tried', () => {
    const body = { type: 't', data: {}, nonce: 1, extra: 2 };
    const [p] = judgeTxIds({ transactions: [{ ...body, tx_id: 'ab'.repeat(32) }] });
    expect(p?.expected).toBe(
      `transactions[0].tx_id = SHA-256 of the canonical JSON of its transaction body; tried the entry minus tx_id (type, data, nonce, extra: ${txId(body)}) and its 3 subsets holding type and data`,
    );
    // Beyond 12 fields only the whole entry is tried.
    const wide = { ...body, ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`f${i}`, i])) };
    const inner = { type: 't', data: {} };
    const [q] = judgeTxIds({ transactions: [{ ...wide, tx_id: txId(inner) }] });
    expect(q?.expected).toMatch(/no subsets \(14 fields, more than 12\)$/);
  });
  test('a broken link names the parent', () => {
    expect(judgeLink(block(1), { ...block(2), previous_hash: '0'.repeat(64) }).map((p) => p.expected)).toEqual([
      `previous_hash (the hash of block 1) = "${v.blocks[1]!.block_hash}"`,
    ]);
    expect(judgeLink(block(1), block(3))).toHaveLength(2);
  });
  test("block 1 opening the chain links to 64 zeros; a genesis block 0's previous_hash is not fixed", () => {
    const b = { height: 0, previous_hash: '', merkle_root: '0'.repeat(64), proposer: 'p' };
    expect(judgeFirstBlock({ ...b, hash: blockHash(b) })).toEqual([]);
    expect(judgeFirstBlock({ ...block(1), previous_hash: '0'.repeat(64) })).toEqual([]);
    expect(judgeFirstBlock(block(2))[0]?.expected).toBe(
      `previous_hash (no block at height 1, so this is the chain's first block) = "${'0'.repeat(64)}"`,
    );
  });
  test('the latest block: the named fields, its hash, at least the height of a block known to exist', () => {
    expect(judgeLatestBlock({ ...block(3), timestamp: 't' }, 2)).toEqual([]);
    expect(judgeLatestBlock({ ...block(3), timestamp: 't' }, 4).map((p) => p.seen)).toEqual(['height = 3']);
    const noId: Record<string, unknown> = { ...block(3), timestamp: 't', hash: 'ab'.repeat(32) };
    delete noId['block_id'];
    expect(judgeLatestBlock(noId, 3).map((p) => p.expected.split(' (')[0])).toEqual([
      'a block with block_id, height, hash, previous_hash, merkle_root, timestamp, transactions',
      'hash',
    ]);
  });
  test('missing fields are problems, not crashes', () => {
    expect(judgeTxRoot({ merkle_root: 'x' })).toHaveLength(1);
    expect(judgeBlockHash({ height: '1' })).toHaveLength(1);
  });
});

describe('the anchor transaction', () => {
  const anchor = v.transactions[0]!;
  const data = anchor.body as { data: { session_id: string; merkle_root: string } };
  const want = { session_id: data.data.session_id, merkle_root: data.data.merkle_root, tx_id: anchor.tx_id };
  test('is found in a block that holds it', () => expect(findAnchorTx(block(2), want).problems).toEqual([]));
  test('an empty block is caught (block-missing-anchor-tx), listing what the block holds', () => {
    const r = findAnchorTx({ ...block(0), transactions: [] }, want);
    expect(r.tx).toBeUndefined();
    expect(r.problems[0]?.seen).toBe('0 transaction(s): []');
  });
  test('another root, or a data.session_id of another session, is not this anchor', () => {
    expect(findAnchorTx(block(2), { ...want, merkle_root: 'f'.repeat(64) }).problems).toHaveLength(1);
    expect(findAnchorTx(block(2), { ...want, session_id: 'other' }).problems).toHaveLength(1);
  });
  test('the right anchor under another tx id is reported', () =>
    expect(findAnchorTx(block(2), { ...want, tx_id: 'ab'.repeat(32) }).problems[0]?.seen).toMatch(/has tx_id/));
  test('data need not carry session_id (§4.7 names only merkle_root); tx ids compare in either case', () => {
    const b = block(2);
    const txs = (b['transactions'] as Record<string, unknown>[]).map((t) =>
      t['tx_id'] === anchor.tx_id ? { ...t, data: { merkle_root: want.merkle_root, anchoring_id: 'a-1' } } : t,
    );
    expect(findAnchorTx({ ...b, transactions: txs }, { ...want, tx_id: anchor.tx_id.toUpperCase() }).problems).toEqual(
      [],
    );
  });
  test('of two session_anchors with the root, the one under the status tx id is judged', () => {
    const b = block(2);
    const [tx] = (b['transactions'] as Record<string, unknown>[]).filter((t) => t['tx_id'] === anchor.tx_id);
    const decoy = { ...tx, tx_id: 'cd'.repeat(32), data: { merkle_root: want.merkle_root, session_id: 'other' } };
    const r = findAnchorTx({ ...b, transactions: [decoy, ...(b['transactions'] as unknown[])] }, want);
    expect([r.tx?.tx_id, r.problems]).toEqual([anchor.tx_id, []]);
  });
});

describe('judgeNamedFields', () => {
  const chunk = {
    chunk_id: 'c1',
    session_id: 'AB12-CD',
    index: 3,
    size_bytes: 1024,
    hash_value: 'ff',
    created_at: '2026-12-07T00:00:00Z',
    extra: 1,
  };
  test('every named field present, echoes as sent (ids in either case, an index as digits): nothing', () => {
    expect(judgeNamedFields(chunk, 'a chunk record', NAMED_FIELDS.chunk, { session_id: 'ab12-cd', index: 3 })).toEqual(
      [],
    );
    expect(judgeNamedFields({ ...chunk, index: '3' }, 'a chunk record', NAMED_FIELDS.chunk, { index: 3 })).toEqual([]);
  });
  test('null is a value: confirmed_at may be null', () =>
    expect(judgeNamedFields({ ...chunk, created_at: null }, 'a chunk record', NAMED_FIELDS.chunk)).toEqual([]));
  test('a missing field is named, with what the answer has', () => {
    const { session_id: _s, created_at: _c, ...partial } = chunk;
    expect(judgeNamedFields(partial, 'a chunk record', NAMED_FIELDS.chunk)).toEqual([
      {
        expected:
          'a chunk record with the fields §4 names: chunk_id, session_id, index, size_bytes, hash_value, created_at',
        seen: 'no session_id, created_at (it has chunk_id, index, size_bytes, hash_value, extra)',
      },
    ]);
  });
  test('an echo that differs from the request fails; so does an answer that is no object', () => {
    expect(
      judgeNamedFields(chunk, 'a chunk record', NAMED_FIELDS.chunk, { session_id: 'other', index: 4 }).map(
        (p) => p.seen,
      ),
    ).toEqual(['session_id = "AB12-CD"', 'index = 3']);
    expect(judgeNamedFields({ ...chunk, index: true }, 'x', [], { index: 1 })[0]?.seen).toBe('index = true');
    expect(judgeNamedFields('text', 'a chunk record', NAMED_FIELDS.chunk)).toEqual([
      { expected: 'a chunk record', seen: '"text"' },
    ]);
  });
});
