import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { blockHash, blockTxRoot, txId } from '../../helpers/crypto/block.ts';
import { ZERO_HASH_HEX } from '../../helpers/crypto/bytes.ts';
import { loadLucidVectors } from '../support/vectors.ts';

const lucid = loadLucidVectors();

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

describe('the vector chain', () => {
  it('begins at all zeros, each block links to its parent, and hash and tx root recompute', () => {
    expect(lucid.blocks[0]!.header.parent).toBe(ZERO_HASH_HEX);
    lucid.blocks.forEach((b, i) => {
      if (i > 0) expect(b.header.parent).toBe(lucid.blocks[i - 1]!.block_hash);
      expect(blockTxRoot(b.tx_ids)).toBe(b.header.tx_root);
      expect(
        blockHash({
          previous_hash: b.header.parent,
          height: b.header.number,
          merkle_root: b.header.tx_root,
          proposer: b.header.proposer,
        }),
      ).toBe(b.block_hash);
    });
  });
});
