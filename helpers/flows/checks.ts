// Pure judgements of service answers against the harness's own recomputations (helpers/crypto).
// Each returns its findings ([] = fine): what was expected and what was seen; the caller names the check (the
// request it judged, see expectNoProblems).
import { blockHash, blockTxRoot, txId } from '../crypto/block.ts';
import { hashChunk, type HashAlgo } from '../crypto/hash.ts';
import { merkleLeaf, merkleRoot, type ChunkRef } from '../crypto/merkle.ts';
import { isObject, stableJson } from './exchange.ts';
import { show } from './expect.ts';
import type { StepFinding } from './steps.ts';

const differs = (what: string, want: unknown, got: unknown): StepFinding[] =>
  stableJson(want) === stableJson(got) ? [] : [{ expected: `${what} = ${show(want)}`, seen: `${what} = ${show(got)}` }];

/** A chunk answer: its hash_value is the digest of the bytes sent, size_bytes their length. */
export function judgeChunk(body: unknown, raw: Uint8Array, algo: HashAlgo): StepFinding[] {
  if (!isObject(body)) return [{ expected: 'a chunk record object', seen: show(body) }];
  const problems = differs(
    `hash_value (${algo} of the ${raw.length} bytes sent)`,
    hashChunk(raw, algo),
    body['hash_value'],
  );
  problems.push(...differs('size_bytes', raw.length, body['size_bytes']));
  if (typeof body['chunk_id'] !== 'string' || !body['chunk_id'])
    problems.push({ expected: 'a chunk_id string', seen: show(body['chunk_id']) });
  return problems;
}

/** The fields §4 names in each answer the flows judge: a correct implementation gives every one (extra ones are fine). */
export const NAMED_FIELDS = {
  chunk: ['chunk_id', 'session_id', 'index', 'size_bytes', 'hash_value', 'created_at'],
  tree: ['root_hash', 'leaf_count', 'tree_depth', 'session_id', 'created_at'],
  anchor: ['anchoring_id', 'status', 'submitted_at', 'estimated_confirmation_time'],
  status: [
    'session_id',
    'anchoring_id',
    'status',
    'submitted_at',
    'confirmed_at',
    'block_height',
    'transaction_id',
    'merkle_root',
  ],
} as const;

/**
 * An answer has every field §4 names for it (a value, null included: `confirmed_at` may well be null until then), and
 * the fields that echo the request equal what was sent: ids in either case, numbers as numbers or digit strings.
 */
export function judgeNamedFields(
  body: unknown,
  what: string,
  names: readonly string[],
  echoes: Record<string, string | number> = {},
): StepFinding[] {
  if (!isObject(body)) return [{ expected: what, seen: show(body) }];
  const missing = names.filter((n) => !(n in body));
  const out: StepFinding[] = missing.length
    ? [
        {
          expected: `${what} with the fields §4 names: ${names.join(', ')}`,
          seen: `no ${missing.join(', ')} (it has ${Object.keys(body).join(', ') || 'no fields'})`,
        },
      ]
    : [];
  for (const [name, sent] of Object.entries(echoes)) {
    if (!(name in body)) continue;
    const got = body[name];
    const same =
      typeof sent === 'number'
        ? (typeof got === 'number' || (typeof got === 'string' && /^\d+$/.test(got))) && Number(got) === sent
        : sameId(got, sent);
    if (!same)
      out.push({ expected: `${name} = ${show(sent)}, as the request sent it`, seen: `${name} = ${show(got)}` });
  }
  return out;
}

/** A tree answer against the root, depth and leaves the harness computes over the same chunks, in order. */
export function judgeTree(body: unknown, chunks: readonly ChunkRef[], algo: HashAlgo): StepFinding[] {
  if (!isObject(body)) return [{ expected: 'a tree object', seen: show(body) }];
  const leaves = chunks.map((c) => merkleLeaf(c, algo));
  const tree = merkleRoot(leaves, algo);
  const problems = differs(
    `root_hash (${algo} Merkle root recomputed over the ${chunks.length} chunks)`,
    tree.root,
    body['root_hash'],
  );
  problems.push(...differs('leaf_count', chunks.length, body['leaf_count']));
  // The contract does not say whether depth counts edges or levels: either reading of this tree is right.
  const depths = [tree.depth, tree.depth + 1];
  if (!depths.includes(body['tree_depth'] as number))
    problems.push({
      expected: `tree_depth ${depths.join(' or ')} (edges or levels of a ${chunks.length}-leaf tree)`,
      seen: `tree_depth = ${show(body['tree_depth'])}`,
    });
  return problems;
}

interface BlockTx {
  tx_id?: unknown;
  type?: unknown;
  data?: unknown;
  [k: string]: unknown;
}

const txsOf = (block: Record<string, unknown>): BlockTx[] | undefined =>
  Array.isArray(block['transactions']) && block['transactions'].every(isObject)
    ? (block['transactions'] as BlockTx[])
    : undefined;

/** Hex ids and UUIDs name the same thing in either case. */
const sameId = (a: unknown, b: unknown) =>
  typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase();

/**
 * The session_anchor transaction of this anchoring, or the reason it is not in the block. §4.7 names only
 * `merkle_root` in its data: it is found by type and root, the one under the status's tx id first; a
 * data.session_id, when the implementation records one, must be the anchored session.
 */
export function findAnchorTx(
  block: Record<string, unknown>,
  want: { session_id: string; merkle_root: string; tx_id?: string },
): { tx?: BlockTx; problems: StepFinding[] } {
  const txs = txsOf(block);
  const expected = `a session_anchor transaction${want.tx_id ? ` ${want.tx_id}` : ''} whose data.merkle_root is ${want.merkle_root} (and data.session_id, if any, ${want.session_id})`;
  if (!txs) return { problems: [{ expected, seen: `transactions = ${show(block['transactions'])}` }] };
  const anchors = txs.filter(
    (t) => t.type === 'session_anchor' && isObject(t.data) && sameId(t.data['merkle_root'], want.merkle_root),
  );
  const tx = anchors.find((t) => want.tx_id !== undefined && sameId(t.tx_id, want.tx_id)) ?? anchors[0];
  if (!tx)
    return {
      problems: [
        {
          expected,
          seen: `${txs.length} transaction(s): ${show(
            txs.map((t) => ({ tx_id: t.tx_id, type: t.type, data: t.data })),
            300,
          )}`,
        },
      ],
    };
  const problems: StepFinding[] = [];
  if (want.tx_id && !sameId(tx.tx_id, want.tx_id))
    problems.push({ expected, seen: `the session_anchor has tx_id ${show(tx.tx_id)}` });
  const data = tx.data as Record<string, unknown>;
  if ('session_id' in data && !sameId(data['session_id'], want.session_id))
    problems.push({ expected, seen: `the session_anchor's data.session_id is ${show(data['session_id'])}` });
  return { tx, problems };
}

/** Entries with at most this many fields besides tx_id are also tried by their subsets (2^10 hashes at most). */
const SUBSET_FIELDS = 12;

/**
 * The body a tx id hashes, if it is `body` or (for an entry of at most SUBSET_FIELDS fields) one of its subsets that
 * holds `type` and `data`: a block listing may add fields of its own to an entry (block_height, status). Returns
 * whether one matched and, when none did, what was tried.
 */
function matchTxBody(body: Record<string, unknown>, id: string): { ok: boolean; tried: string } {
  const full = txId(body);
  const keys = Object.keys(body);
  if (sameId(full, id)) return { ok: true, tried: '' };
  const tried = `the entry minus tx_id (${keys.join(', ')}: ${full})`;
  if (!('type' in body && 'data' in body))
    return { ok: false, tried: `${tried}; no subsets (the entry lacks type or data)` };
  if (keys.length > SUBSET_FIELDS)
    return { ok: false, tried: `${tried}; no subsets (${keys.length} fields, more than ${SUBSET_FIELDS})` };
  const rest = keys.filter((k) => k !== 'type' && k !== 'data');
  // Every proper subset of the other fields beside type and data (the full set is the body tried above).
  for (let mask = 0; mask < (1 << rest.length) - 1; mask++) {
    const sub: Record<string, unknown> = { type: body['type'], data: body['data'] };
    rest.forEach((k, b) => {
      if (mask & (1 << b)) sub[k] = body[k];
    });
    if (sameId(txId(sub), id)) return { ok: true, tried: '' };
  }
  return {
    ok: false,
    tried: `${tried} and its ${(1 << rest.length) - 1} subsets holding type and data`,
  };
}

/**
 * Every tx_id is the SHA-256 of its transaction body as canonical JSON (§4.7): the entry minus tx_id, or the part
 * of it that is the body when the listing adds fields of its own. Ids compare in either case.
 */
export function judgeTxIds(block: Record<string, unknown>): StepFinding[] {
  const txs = txsOf(block);
  if (!txs) return [{ expected: 'transactions: a list of objects', seen: show(block['transactions']) }];
  return txs.flatMap((tx, i) => {
    const { tx_id, ...body } = tx;
    const what = `transactions[${i}].tx_id`;
    if (typeof tx_id !== 'string') return [{ expected: `${what}: a string`, seen: `${what} = ${show(tx_id)}` }];
    let r: { ok: boolean; tried: string };
    try {
      r = matchTxBody(body, tx_id);
    } catch (e) {
      return [{ expected: `transactions[${i}] canonicalizable as JSON`, seen: (e as Error).message }];
    }
    if (r.ok) return [];
    return [
      {
        expected: `${what} = SHA-256 of the canonical JSON of its transaction body; tried ${r.tried}`,
        seen: `${what} = ${show(tx_id)}`,
      },
    ];
  });
}

/** The block's merkle_root is the tx root over the raw tx ids (SHA-256, odd level duplicates its last). */
export function judgeTxRoot(block: Record<string, unknown>): StepFinding[] {
  const txs = txsOf(block);
  if (!txs) return [{ expected: 'transactions: a list of objects', seen: show(block['transactions']) }];
  let want: string;
  try {
    want = blockTxRoot(txs.map((t) => t.tx_id as string));
  } catch (e) {
    return [{ expected: 'tx ids of 64 hex digits', seen: (e as Error).message }];
  }
  return differs(`merkle_root (tx root recomputed over ${txs.length} tx id(s))`, want, block['merkle_root']);
}

/**
 * hash = SHA-256 of "previous_hash:height:merkle_root:proposer". §4.7 does not list `proposer` among the block's
 * fields: without it, the block's other string fields are tried in its place (the real BlockDetails calls it
 * `validator`) — a wrong hash matches none of them.
 */
export function judgeBlockHash(block: Record<string, unknown>): StepFinding[] {
  const { previous_hash, height, merkle_root, proposer } = block;
  if (typeof previous_hash === 'string' && typeof height === 'number' && typeof merkle_root === 'string') {
    if (proposer === undefined) {
      const named = new Set(['hash', 'previous_hash', 'merkle_root']);
      const fields = Object.entries(block).filter(
        (e): e is [string, string] => typeof e[1] === 'string' && !named.has(e[0]),
      );
      if (fields.some(([, p]) => blockHash({ previous_hash, height, merkle_root, proposer: p }) === block['hash']))
        return [];
      return [
        {
          expected: `hash = SHA-256 of previous_hash:height:merkle_root:proposer (the block has no proposer field; none of ${fields.map(([k]) => k).join(', ') || 'its other fields'} in its place gives the hash)`,
          seen: `hash = ${show(block['hash'])}`,
        },
      ];
    }
  }
  if (
    typeof previous_hash !== 'string' ||
    typeof height !== 'number' ||
    typeof merkle_root !== 'string' ||
    typeof proposer !== 'string'
  ) {
    return [
      {
        expected: 'previous_hash, merkle_root, proposer strings and a numeric height',
        seen: show({ previous_hash, height, merkle_root, proposer }, 300),
      },
    ];
  }
  return differs(
    'hash (SHA-256 of previous_hash:height:merkle_root:proposer)',
    blockHash({ previous_hash, height, merkle_root, proposer }),
    block['hash'],
  );
}

/** The block links to its parent: heights consecutive, previous_hash = the parent's hash. */
export function judgeLink(parent: Record<string, unknown>, block: Record<string, unknown>): StepFinding[] {
  return [
    ...differs(
      `height (parent's height ${show(parent['height'])} + 1)`,
      typeof parent['height'] === 'number' ? parent['height'] + 1 : null,
      block['height'],
    ),
    ...differs(`previous_hash (the hash of block ${show(parent['height'])})`, parent['hash'], block['previous_hash']),
  ];
}

/** The zero hash block 1 links to when it opens the chain (contract §4). */
const ZERO_HASH = '0'.repeat(64);

/**
 * The first block of a chain: block 1 with no block before it links to the zero hash; a genesis block at height 0
 * may hold anything there (the contract fixes no previous_hash for it).
 */
export function judgeFirstBlock(block: Record<string, unknown>): StepFinding[] {
  if (block['height'] === 0) return [];
  return differs(
    `previous_hash (no block at height ${show(typeof block['height'] === 'number' ? block['height'] - 1 : '?')}, so this is the chain's first block)`,
    ZERO_HASH,
    block['previous_hash'],
  );
}

const BLOCK_FIELDS = ['block_id', 'height', 'hash', 'previous_hash', 'merkle_root', 'timestamp', 'transactions'];

/**
 * GET /blocks/latest: a block (the fields §4.7 names, its hash recomputed) at least as high as `atLeast`, a block
 * known to exist (the chain only grows).
 */
export function judgeLatestBlock(block: Record<string, unknown>, atLeast: number): StepFinding[] {
  const missing = BLOCK_FIELDS.filter((k) => block[k] === undefined);
  const problems: StepFinding[] = missing.length
    ? [{ expected: `a block with ${BLOCK_FIELDS.join(', ')}`, seen: `no ${missing.join(', ')} in ${show(block, 200)}` }]
    : [];
  if (typeof block['height'] !== 'number' || block['height'] < atLeast)
    problems.push({
      expected: `height ≥ ${atLeast} (the anchored block's: the newest block is at least as high)`,
      seen: `height = ${show(block['height'])}`,
    });
  return [...problems, ...judgeBlockHash(block)];
}

/** The fields of a block the contract names (§4.7), transactions reduced to their tx_id and type. */
export function namedBlockFields(block: Record<string, unknown>): Record<string, unknown> {
  const txs = txsOf(block);
  return {
    block_id: block['block_id'],
    height: block['height'],
    hash: block['hash'],
    previous_hash: block['previous_hash'],
    merkle_root: block['merkle_root'],
    timestamp: block['timestamp'],
    transactions: txs ? txs.map((t) => ({ tx_id: t.tx_id, type: t.type })) : block['transactions'],
  };
}

/** Two answers about the same thing agree on the named fields (extra fields and field order are free). */
export function judgeSameFields(
  what: string,
  want: Record<string, unknown>,
  got: Record<string, unknown>,
  fields: readonly string[],
): StepFinding[] {
  return fields.flatMap((k) => differs(`${k} (as ${what})`, want[k], got[k]));
}
