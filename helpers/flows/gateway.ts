// Flow 2, through the gateway (contract §4.9): an anchoring done entirely via api-gateway routes, each
// answer compared with the owning service's own answer for the same thing. The services' semantics
// are judged by anchoring-end-to-end; this flow judges that the gateway routes and passes answers on.
import { randomUUID } from 'node:crypto';
import { uploadChunks, randomChunks } from './anchoring.ts';
import { readBlock, waitConfirmed } from './anchor-steps.ts';
import type { Flow } from './context.ts';
import { requestLine, stableJson, type Exchange } from './exchange.ts';
import { expectStatus, objectBody, show, stringField } from './expect.ts';
import { ROLE } from './roles.ts';
import { mismatch } from './steps.ts';

const GW = ROLE.gateway;

/**
 * The gateway's answer carries the same values as the service's own (all fields, or those listed);
 * statuses are compared when both are the same method (a POST's 201 vs a read-back's 200 is fine).
 */
export function sameAnswer(gateway: Exchange, direct: Exchange, fields?: readonly string[]): void {
  const pick = (x: Exchange) => {
    const b = objectBody(x);
    return fields ? Object.fromEntries(fields.map((k) => [k, b[k]])) : b;
  };
  const g = pick(gateway);
  const d = pick(direct);
  const statusDiffers = gateway.method === direct.method && gateway.status !== direct.status;
  if (statusDiffers || stableJson(g) !== stableJson(d)) {
    mismatch(`the answer ${requestLine(direct)} gives: HTTP ${direct.status} ${show(d, 250)}`, `HTTP ${gateway.status} ${show(g, 250)}`, requestLine(gateway));
  }
}

export async function gatewayReadBack(f: Flow): Promise<void> {
  const { tokens } = f.env;
  const sessionId = randomUUID();
  const raws = randomChunks([1024, 1300]);

  const chunkIds = await f.step('gateway-upload-chunks', async () => {
    const ups = await uploadChunks(f, GW, '/api/v1/data-chain/chunks', sessionId, raws);
    for (const x of ups) {
      const id = stringField(x, 'chunk_id');
      sameAnswer(x, await f.call(ROLE.dataChain, 'GET', `/api/v1/chunks/${id}`), ['chunk_id', 'hash_value', 'size_bytes']);
    }
    return ups.map((x) => stringField(x, 'chunk_id'));
  });
  const root = await f.step('gateway-build-tree', async () => {
    const x = await f.call(GW, 'POST', '/api/v1/data-chain/merkle/build', { json: { chunk_ids: chunkIds, session_id: sessionId } });
    expectStatus(x, 200);
    const r = stringField(x, 'root_hash');
    sameAnswer(x, await f.call(ROLE.dataChain, 'GET', `/api/v1/merkle/${r}`), ['root_hash', 'leaf_count', 'tree_depth']);
    return r;
  });
  await f.step('gateway-anchor', async () => {
    const x = await f.call(GW, 'POST', '/api/v1/anchoring/session', { token: tokens.user, json: { session_id: sessionId, merkle_root: root, manifest_data: { chunk_ids: chunkIds, source: 'lucid-harness gateway flow' } } });
    expectStatus(x, 202);
    stringField(x, 'anchoring_id');
  });
  const status = await f.step('gateway-status-confirmed', async () => {
    const c = await waitConfirmed(f, GW, '/api/v1/anchoring/session', sessionId, root);
    sameAnswer(c.x, await f.call(ROLE.anchoring, 'GET', `/api/v1/anchoring/session/${sessionId}`, { token: tokens.user }));
    return c.record;
  });
  const height = status['block_height'] as number;
  const block = await f.step('gateway-block-by-height', async () => {
    const { x, block } = await readBlock(f, GW, `/api/v1/blocks/height/${height}`);
    sameAnswer(x, await f.call(ROLE.blocks, 'GET', `/api/v1/blocks/height/${height}`, { token: tokens.user }));
    return block;
  });
  await f.step('gateway-block-by-id', async () => {
    const id = typeof block['block_id'] === 'string' ? block['block_id'] : mismatch('a block_id in the block', show(block['block_id']));
    const { x } = await readBlock(f, GW, `/api/v1/blocks/${id}`);
    sameAnswer(x, await f.call(ROLE.blocks, 'GET', `/api/v1/blocks/${id}`, { token: tokens.user }));
  });
  await f.step('gateway-verify', async () => {
    const json = { session_id: sessionId, merkle_root: root };
    const x = await f.call(GW, 'POST', '/api/v1/anchoring/verify', { token: tokens.user, json });
    expectStatus(x, 200);
    sameAnswer(x, await f.call(ROLE.anchoring, 'POST', '/api/v1/anchoring/verify', { token: tokens.user, json }));
  });
  await f.step('gateway-passes-errors', async () => {
    // The upstream's 401 must reach the client as 401, not be masked as 200/502 by the gateway.
    const x = await f.call(GW, 'GET', `/api/v1/anchoring/session/${sessionId}`);
    expectStatus(x, 401, 'session-anchoring\'s answer to a request without a token, passed through');
  });
}
