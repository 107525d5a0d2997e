// Flow 1, anchoring end to end (contract §4.1–4.8): chunks → Merkle root (BLAKE3 and SHA-256) →
// proofs → anchoring → confirmed → the block that holds it, recomputed and linked → verify.
import { randomBytes, randomUUID } from 'node:crypto';
import { flipHexByte } from '../crypto/bytes.ts';
import { flipPositions, inclusionProof, tamperProof } from '../crypto/proof.ts';
import { merkleLeaf, type ChunkRef } from '../crypto/merkle.ts';
import type { HashAlgo } from '../crypto/hash.ts';
import {
  judgeBlockHash,
  judgeChunk,
  judgeNamedFields,
  NAMED_FIELDS,
  judgeFirstBlock,
  judgeLatestBlock,
  judgeLink,
  judgeSameFields,
  judgeTree,
  judgeTxIds,
  judgeTxRoot,
  findAnchorTx,
  namedBlockFields,
} from './checks.ts';
import { apiPath } from './api.ts';
import type { Flow } from './context.ts';
import { bodyWithNumberText, isObject, type Exchange } from './exchange.ts';
import { expectAll, expectField, expectNoProblems, expectStatus, objectBody, stringField, SUCCESS } from './expect.ts';
import { blockIdOf, readBlock, waitConfirmed } from './anchor-steps.ts';
import { ROLE, sha256DataChain } from './roles.ts';

/** ≥ 1024 bytes each (contract), a few KB in all: data-chain's BLAKE3 is pure Python, slow when emulated. Three = an odd level. */
const CHUNK_SIZES = [1024, 1777, 2600] as const;

export const randomChunks = (sizes: readonly number[] = CHUNK_SIZES): Uint8Array[] =>
  sizes.map((n) => new Uint8Array(randomBytes(n)));
export const b64 = (raw: Uint8Array) => Buffer.from(raw).toString('base64');

/** Uploads chunks in order to one data-chain; each must answer `status` (201, the contract's) with a chunk record. */
export async function uploadChunks(
  f: Flow,
  service: string,
  path: string,
  sessionId: string,
  raws: readonly Uint8Array[],
  status: number | readonly number[] = 201,
): Promise<Exchange[]> {
  // A re-upload of content already stored may answer 200 with the same record: 201 is due for new content only.
  const out: Exchange[] = [];
  for (const [index, raw] of raws.entries()) {
    const x = await f.call(service, 'POST', path, { json: { data: b64(raw), session_id: sessionId, index } });
    expectStatus(x, status);
    stringField(x, 'chunk_id');
    out.push(x);
  }
  return out;
}

const refOf = (x: Exchange): ChunkRef => objectBody(x) as unknown as ChunkRef;

export async function anchoringEndToEnd(f: Flow): Promise<void> {
  const { tokens, contract } = f.env;
  const api = (name: Parameters<typeof apiPath>[1], vars?: Record<string, string | number>) =>
    apiPath(contract, name, vars);
  const DC = ROLE.dataChain;
  const sessionId = randomUUID();
  const raws = randomChunks();

  const uploads = await f.step('upload-chunks', () => uploadChunks(f, DC, api('chunks'), sessionId, raws));
  await f.step('chunk-hashes', async () =>
    expectAll(uploads, (x) => expectNoProblems(chunkProblems(x, uploads.indexOf(x), raws, sessionId, 'BLAKE3'), x)),
  );
  const chunks = uploads.map(refOf);

  const build = await f.step('build-tree', async () => {
    const x = await f.call(DC, 'POST', api('merkleBuild'), {
      json: { chunk_ids: chunks.map((c) => c.chunk_id), session_id: sessionId },
    });
    expectStatus(x, SUCCESS);
    return x;
  });
  await f.step('tree-root', async () => expectNoProblems(treeProblems(build, chunks, sessionId, 'BLAKE3'), build));
  const root = stringField(build, 'root_hash');

  // Content of its own: the SHA-256 instance shares data-chain's storage, where a store that deduplicates by content
  // could answer a re-upload of the same bytes with 200 and the first instance's record.
  await f.step('sha256-tree-root', () => sha256Tree(f, randomChunks(), api));

  // Whose side `position` names is left open (§4.3): the sibling's first; if leaf 0's true proof is refused that way,
  // the running hash's. One convention for every proof after that, tampered ones included.
  let asService = (p: ReturnType<typeof inclusionProof>) => p;
  await f.step('proof-verifies', async () => {
    const leaves = chunks.map((c) => merkleLeaf(c, 'BLAKE3'));
    const verify = (p: ReturnType<typeof inclusionProof>) =>
      f.call(DC, 'POST', api('merkleVerify'), { json: { root_hash: root, ...asService(p) } });
    const first = inclusionProof(leaves, 0, 'BLAKE3');
    let x0 = await verify(first);
    if (x0.status < 300 && isObject(x0.body) && x0.body['verified'] === false && first.proof_path.length) {
      asService = flipPositions;
      const flipped = await verify(first);
      if (isObject(flipped.body) && flipped.body['verified'] === true) x0 = flipped;
      else asService = (p) => p;
    }
    const xs: Exchange[] = [x0];
    for (let i = 1; i < leaves.length; i++) xs.push(await verify(inclusionProof(leaves, i, 'BLAKE3')));
    expectAll(
      xs,
      (x) => (
        expectStatus(x, SUCCESS),
        expectField(x, 'verified', true, `proof of leaf ${xs.indexOf(x)} built by the harness`)
      ),
    );
  });
  await f.step('tampered-proof-rejected', async () => {
    const proof = tamperProof(
      inclusionProof(
        chunks.map((c) => merkleLeaf(c, 'BLAKE3')),
        0,
        'BLAKE3',
      ),
    );
    const x = await f.call(DC, 'POST', api('merkleVerify'), { json: { root_hash: root, ...asService(proof) } });
    expectStatus(x, SUCCESS);
    expectField(x, 'verified', false, 'one sibling hash flipped');
  });
  await f.step('same-content-same-id', async () => {
    const x = await f.call(DC, 'POST', api('chunks'), {
      json: { data: b64(raws[0]!), session_id: sessionId, index: 0 },
    });
    expectStatus(x, SUCCESS);
    expectField(x, 'chunk_id', chunks[0]!.chunk_id, 'the same content uploaded again');
  });

  const submittedAt = Date.now();
  await f.step('anchor-session', async () => {
    const x = await f.call(ROLE.anchoring, 'POST', api('anchorSession'), {
      token: tokens.user,
      json: {
        session_id: sessionId,
        merkle_root: root,
        manifest_data: {
          chunk_ids: chunks.map((c) => c.chunk_id),
          chunk_count: chunks.length,
          source: 'lucid-harness',
        },
      },
    });
    expectStatus(x, 202);
    stringField(x, 'anchoring_id');
    expectField(x, 'status', 'pending');
    expectNoProblems(judgeNamedFields(x.body, 'the anchoring answer', NAMED_FIELDS.anchor), x);
  });
  const status = await f.step('status-confirmed', () =>
    waitConfirmed(f, ROLE.anchoring, api('anchorSession'), sessionId, root),
  );
  f.figures['anchorConfirmMs'] = status.confirmedAt - submittedAt;

  const height = status.record['block_height'] as number;
  const heightPath = api('blockByHeight', { height });
  const { x: byHeightX, block: byHeight } = await f.step('block-by-height', async () => {
    const read = await readBlock(f, ROLE.blocks, heightPath);
    expectField(read.x, 'height', height, "the anchoring's block_height");
    return read;
  });
  await f.step('block-by-id', async () => {
    const { x, block } = await readBlock(f, ROLE.blocks, api('blockById', { block_id: blockIdOf(byHeight) }));
    expectNoProblems(
      judgeSameFields(
        `the block at height ${height}`,
        namedBlockFields(byHeight),
        namedBlockFields(block),
        Object.keys(namedBlockFields(byHeight)),
      ),
      x,
    );
  });
  const blockLine = `GET ${ROLE.blocks} ${heightPath}`;
  await f.step('block-holds-anchor', async () =>
    expectNoProblems(
      findAnchorTx(byHeight, {
        session_id: sessionId,
        merkle_root: root,
        tx_id: status.record['transaction_id'] as string | undefined,
      }).problems,
      blockLine,
    ),
  );
  await f.step('block-tx-root', async () => {
    // tx ids hash the bodies as the service wrote them: its numbers' text (0.0, ints beyond 2^53), not JSON.parse's.
    const asWritten = bodyWithNumberText(byHeightX);
    const txBlock = isObject(asWritten) ? asWritten : byHeight;
    expectNoProblems([...judgeTxIds(txBlock), ...judgeTxRoot(byHeight)], blockLine);
  });
  await f.step('block-hash', async () => expectNoProblems(judgeBlockHash(byHeight), blockLine));
  await f.step('chain-link', async () => {
    // The chain begins at a genesis block 0 or at block 1 linking to the zero hash (contract §4): the link is
    // judged to the block before when one exists, else this block must be the chain's first.
    if (height === 0) return expectNoProblems(judgeFirstBlock(byHeight), blockLine);
    const x = await f.call(ROLE.blocks, 'GET', api('blockByHeight', { height: height - 1 }), { token: tokens.user });
    // No block 0: a 404, or a 422 from a path validated as ≥ 1. Then block 1 opens the chain.
    if (height === 1 && x.status >= 400 && x.status < 500)
      return expectNoProblems(judgeFirstBlock(byHeight), blockLine);
    expectStatus(
      x,
      200,
      height === 1
        ? "the genesis block 0, or a 4xx when block 1 is the chain's first"
        : `the block before height ${height} (a chain begins at block 0 or 1)`,
    );
    const parent = objectBody(x);
    expectNoProblems([...judgeLink(parent, byHeight), ...judgeBlockHash(parent)], x);
  });

  await f.step('block-latest', async () => {
    // After every other block check: a wrong block fails there, naming what is wrong, before it fails here.
    const { x, block } = await readBlock(f, ROLE.blocks, api('blockLatest'));
    expectNoProblems(judgeLatestBlock(block, height), x);
  });

  await f.step('verify-anchored-root', async () => {
    const x = await f.call(ROLE.anchoring, 'POST', api('anchorVerify'), {
      token: tokens.user,
      json: { session_id: sessionId, merkle_root: root },
    });
    expectStatus(x, SUCCESS);
    expectField(x, 'verified', true, 'the root this session anchored');
  });
  await f.step('verify-other-root', async () => {
    const others = [flipHexByte(root), Buffer.from(randomBytes(32)).toString('hex')];
    const xs: Exchange[] = [];
    for (const other of others)
      xs.push(
        await f.call(ROLE.anchoring, 'POST', api('anchorVerify'), {
          token: tokens.user,
          json: { session_id: sessionId, merkle_root: other },
        }),
      );
    // The anchored root under a session that never anchored it (§4.8: false for any other): verified false, or a
    // 404 for a session the service does not know. True means the session is not part of what is verified.
    const stranger = await f.call(ROLE.anchoring, 'POST', api('anchorVerify'), {
      token: tokens.user,
      json: { session_id: randomUUID(), merkle_root: root },
    });
    expectAll([...xs, stranger], (x) => {
      if (x !== stranger)
        return (expectStatus(x, SUCCESS), expectField(x, 'verified', false, 'a root this session did not anchor'));
      if (x.status === 404) return;
      expectStatus(x, [...SUCCESS, 404], 'verified false, or 404 for a session never anchored');
      expectField(x, 'verified', false, 'the anchored root under another session, which never anchored it');
    });
  });
}

/** The same chunks on the SHA-256 data-chain: hashes and root recomputed with SHA-256. */
async function sha256Tree(
  f: Flow,
  raws: readonly Uint8Array[],
  api: (name: 'chunks' | 'merkleBuild') => string,
): Promise<void> {
  const algo: HashAlgo = 'SHA256';
  const sid = randomUUID();
  const sha256Chain = sha256DataChain(f.env.contract);
  const uploads = await uploadChunks(f, sha256Chain, api('chunks'), sid, raws);
  expectAll(uploads, (x) => expectNoProblems(chunkProblems(x, uploads.indexOf(x), raws, sid, algo), x));
  const chunks = uploads.map(refOf);
  const x = await f.call(sha256Chain, 'POST', api('merkleBuild'), {
    json: { chunk_ids: chunks.map((c) => c.chunk_id), session_id: sid },
  });
  expectStatus(x, SUCCESS);
  expectNoProblems(treeProblems(x, chunks, sid, algo), x);
}

/** A chunk record: its digest and size (recomputed), and every field §4.1 names, session_id and index as sent. */
const chunkProblems = (x: Exchange, index: number, raws: readonly Uint8Array[], sessionId: string, algo: HashAlgo) => [
  ...judgeChunk(x.body, raws[index]!, algo),
  ...judgeNamedFields(x.body, 'a chunk record', NAMED_FIELDS.chunk, { session_id: sessionId, index }),
];

/** A tree record: its root, depth and leaves (recomputed), and every field §4.2 names, session_id as sent. */
const treeProblems = (x: Exchange, chunks: readonly ChunkRef[], sessionId: string, algo: HashAlgo) => [
  ...judgeTree(x.body, chunks, algo),
  ...judgeNamedFields(x.body, 'a tree record', NAMED_FIELDS.tree, { session_id: sessionId }),
];
