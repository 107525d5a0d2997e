import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { blockHash, blockTxRoot, txId } from '../../helpers/crypto/block.ts';
import { checkChain, type ChainBlock } from '../../helpers/crypto/chain.ts';
import { flipHexByte, ZERO_HASH_HEX } from '../../helpers/crypto/bytes.ts';
import { loadLucidVectors, type LucidBlockVector } from '../support/vectors.ts';

const lucid = loadLucidVectors();

/** Vector blocks in block-manager's shape (the file says parent/number/tx_root). */
const asChainBlock = (b: LucidBlockVector): ChainBlock => ({
  height: b.header.number,
  hash: b.block_hash,
  previous_hash: b.header.parent,
  merkle_root: b.header.tx_root,
  proposer: b.header.proposer,
  transactions: b.tx_ids.map((tx_id) => ({ tx_id, type: 'session_anchor' })),
});
const chain = (): ChainBlock[] => lucid.blocks.map(asChainBlock);

describe('txId: Lucid vectors', () => {
  it.each(lucid.transactions.map((t) => [t.tx_id.slice(0, 12), t] as const))('tx %s', (_id, t) => {
    expect(txId(t.body)).toBe(t.tx_id);
    expect(txId(t.body)).toBe(createHash('sha256').update(t.canonical_json, 'utf8').digest('hex'));
  });

  it('does not depend on key order, does depend on values', () => {
    const t = lucid.transactions[0]!;
    const body = t.body as { type: string; data: Record<string, string>; nonce: number };
    expect(txId({ nonce: body.nonce, data: { ...body.data }, type: body.type })).toBe(t.tx_id);
    expect(txId({ ...body, nonce: 1 })).not.toBe(t.tx_id);
  });
});

describe('blockTxRoot: Lucid vectors', () => {
  it.each(lucid.blocks.map((b) => [b.tx_ids.length, b] as const))('%i tx ids', (_n, b) => {
    expect(blockTxRoot(b.tx_ids)).toBe(b.tx_root);
  });

  it('the vector blocks hold the vector transactions in order', () => {
    lucid.blocks.forEach((b, n) => expect(b.tx_ids).toEqual(lucid.transactions.slice(0, n).map((t) => t.tx_id)));
  });

  it('empty → 32 zero bytes; one → that id; two → SHA-256 of the raw bytes', () => {
    expect(blockTxRoot([])).toBe(ZERO_HASH_HEX);
    const [a, b] = lucid.transactions.map((t) => t.tx_id) as [string, string];
    expect(blockTxRoot([a])).toBe(a);
    const raw = createHash('sha256')
      .update(Buffer.from(a + b, 'hex'))
      .digest('hex');
    expect(blockTxRoot([a, b])).toBe(raw);
  });

  it('odd count duplicates the last id (3 ids, by hand with node:crypto)', () => {
    const [a, b, c] = lucid.transactions.map((t) => Buffer.from(t.tx_id, 'hex')) as [Buffer, Buffer, Buffer];
    const h = (x: Buffer, y: Buffer) =>
      createHash('sha256')
        .update(Buffer.concat([x, y]))
        .digest();
    expect(blockTxRoot(lucid.blocks[3]!.tx_ids)).toBe(h(h(a, b), h(c, c)).toString('hex'));
  });

  it('accepts upper-case ids, answers lower-case; refuses ids that are not 32 bytes', () => {
    const ids = lucid.blocks[3]!.tx_ids;
    expect(blockTxRoot(ids.map((x) => x.toUpperCase()))).toBe(lucid.blocks[3]!.tx_root);
    expect(() => blockTxRoot(['abcd'])).toThrow(/32-byte/);
    expect(() => blockTxRoot([`0x${ids[0]!.slice(2)}`])).toThrow(/32-byte/);
  });
});

describe('blockHash: Lucid vectors', () => {
  it.each(lucid.blocks.map((b) => [b.header.number, b] as const))('block %i', (_n, b) => {
    const { parent, number, tx_root, proposer } = b.header;
    expect(blockHash({ previous_hash: parent, height: number, merkle_root: tx_root, proposer })).toBe(b.block_hash);
    expect(b.header.tx_root).toBe(b.tx_root);
  });

  it('is SHA-256 of "previous:height:root:proposer"', () => {
    const h = { previous_hash: ZERO_HASH_HEX, height: 7, merkle_root: 'r', proposer: 'p' };
    expect(blockHash(h)).toBe(createHash('sha256').update(`${ZERO_HASH_HEX}:7:r:p`).digest('hex'));
  });
});

describe('checkChain', () => {
  it('the vector chain has no problems (whole and any consecutive slice)', () => {
    expect(checkChain(chain())).toEqual([]);
    expect(checkChain(chain().slice(2, 5))).toEqual([]);
    expect(checkChain([])).toEqual([]);
  });

  it('genesis links to all zeros and the chain is linked by hash', () => {
    const c = chain();
    expect(c[0]!.previous_hash).toBe(ZERO_HASH_HEX);
    for (let i = 1; i < c.length; i++) expect(c[i]!.previous_hash).toBe(c[i - 1]!.hash);
  });

  it('reads tx ids from tx_ids as well as transactions[]', () => {
    const c = lucid.blocks.map((b) => ({ ...asChainBlock(b), transactions: undefined, tx_ids: b.tx_ids }));
    expect(checkChain(c)).toEqual([]);
  });

  it('an altered hash: mismatch on that block and a broken link on the next', () => {
    const c = chain();
    const seen = flipHexByte(c[2]!.hash);
    c[2]!.hash = seen;
    const problems = checkChain(c);
    expect(problems).toEqual([
      `block 2: hash mismatch: expected ${lucid.blocks[2]!.block_hash}, seen ${seen}`,
      `block 3: previous_hash does not link to block 2: expected ${seen}, seen ${lucid.blocks[2]!.block_hash}`,
    ]);
  });

  it('an altered previous_hash: broken link and hash mismatch on that block', () => {
    const c = chain();
    c[4]!.previous_hash = flipHexByte(c[4]!.previous_hash);
    const problems = checkChain(c);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(
      /^block 4: previous_hash does not link to block 3: expected [0-9a-f]{64}, seen [0-9a-f]{64}$/,
    );
    expect(problems[1]).toMatch(/^block 4: hash mismatch: expected [0-9a-f]{64}, seen /);
  });

  it('an altered merkle_root: tx root mismatch and hash mismatch', () => {
    const c = chain();
    c[3]!.merkle_root = ZERO_HASH_HEX;
    expect(checkChain(c)).toEqual([
      `block 3: tx root mismatch: expected ${lucid.blocks[3]!.tx_root}, seen ${ZERO_HASH_HEX}`,
      expect.stringMatching(/^block 3: hash mismatch: expected [0-9a-f]{64}, seen [0-9a-f]{64}$/),
    ]);
  });

  it('an altered tx id: tx root mismatch only (header unchanged)', () => {
    const c = chain();
    c[5]!.transactions = c[5]!.transactions!.map((t, i) => (i === 4 ? { tx_id: flipHexByte(t.tx_id!) } : t));
    const problems = checkChain(c);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      new RegExp(`^block 5: tx root mismatch: expected [0-9a-f]{64}, seen ${lucid.blocks[5]!.tx_root}$`),
    );
  });

  it('an altered height: gap reported, hash mismatch too', () => {
    const c = chain();
    c[3]!.height = 7;
    const problems = checkChain(c);
    expect(problems).toContain('block 7: height gap after block 2: expected height 3, seen 7');
    expect(problems.some((p) => p.startsWith('block 7: hash mismatch'))).toBe(true);
    expect(problems).toContain('block 4: height gap after block 7: expected height 8, seen 4');
  });

  it('a missing block: height gap and broken link', () => {
    const c = chain();
    c.splice(2, 1);
    expect(checkChain(c)).toEqual([
      'block 3: height gap after block 1: expected height 2, seen 3',
      `block 3: previous_hash does not link to block 1: expected ${lucid.blocks[1]!.block_hash}, seen ${lucid.blocks[2]!.block_hash}`,
    ]);
  });

  it('an altered proposer: hash mismatch', () => {
    const c = chain();
    c[1]!.proposer = 'someone-else';
    expect(checkChain(c)).toEqual([
      expect.stringMatching(/^block 1: hash mismatch: expected [0-9a-f]{64}, seen [0-9a-f]{64}$/),
    ]);
  });

  it('missing fields become problems, not crashes', () => {
    const c = chain();
    delete c[1]!.proposer;
    delete c[2]!.transactions;
    c[3]!.transactions = [{ tx_id: 'not-hex' }];
    const problems = checkChain(c);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^block 1: no proposer/);
    expect(problems[1]).toMatch(/^block 2: no transactions listed/);
    expect(problems[2]).toMatch(/^block 3: tx ids are not all 32-byte hex/);
  });
});
