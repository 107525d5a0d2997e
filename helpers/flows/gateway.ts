// Flow 2, through the gateway (contract §4.9): an anchoring done entirely via api-gateway routes, each answer
// compared field by field, on the fields the contract names, with the owning service's own answer to the same
// request (the tree build, which is not repeated, with the harness's own tree). The services' semantics are judged
// by anchoring-end-to-end; this flow judges that the gateway routes and passes answers on.
import { randomUUID } from 'node:crypto';
import { b64, randomChunks, uploadChunks } from './anchoring.ts';
import { blockIdOf, readBlock, waitConfirmed } from './anchor-steps.ts';
import { apiPath, viaGateway, type ApiName } from './api.ts';
import type { ChunkRef } from '../crypto/merkle.ts';
import { judgeSameFields, judgeTree, NAMED_FIELDS, namedBlockFields } from './checks.ts';
import type { Flow } from './context.ts';
import { requestLine, type Exchange } from './exchange.ts';
import { expectNoProblems, expectStatus, objectBody, show, stringField, SUCCESS } from './expect.ts';
import { ROLE } from './roles.ts';
import { mismatch } from './steps.ts';

const GW = ROLE.gateway;

/** The fields of each answer the contract names (§4.1–§4.8) that the gateway's and the service's answers share. */
const FIELDS = {
  chunk: ['chunk_id', 'session_id', 'index', 'size_bytes', 'hash_value'],
  status: NAMED_FIELDS.status,
  verify: ['verified', 'block_height', 'transaction_id'],
} as const;

/** The gateway's answer agrees with the service's own on `fields` (their values; extra fields are free). */
function sameAnswer(gateway: Exchange, direct: Exchange, fields: readonly string[]): void {
  if (direct.status < 200 || direct.status > 299)
    mismatch(
      `a 2xx answer from ${requestLine(direct)} to compare with`,
      `HTTP ${direct.status} ${show(direct.body, 200)}`,
      requestLine(direct),
    );
  const problems = judgeSameFields(`${requestLine(direct)} answers`, objectBody(direct), objectBody(gateway), fields);
  expectNoProblems(problems, gateway);
}

export async function gatewayReadBack(f: Flow): Promise<void> {
  const { tokens, contract } = f.env;
  const api = (name: ApiName, vars?: Record<string, string | number>) => apiPath(contract, name, vars);
  const gw = (service: string, path: string) => viaGateway(contract, service, path);
  const sessionId = randomUUID();
  const raws = randomChunks([1024, 1300]);

  const chunks = await f.step('gateway-upload-chunks', async () => {
    // Any 2xx from the gateway: §4.9 asks it to route and pass the body on, not to keep data-chain's 201.
    const ups = await uploadChunks(f, GW, gw(ROLE.dataChain, api('chunks')), sessionId, raws, SUCCESS);
    // The same content sent to data-chain itself names the same chunk (contract §4.1).
    for (const [index, x] of ups.entries()) {
      const direct = await f.call(ROLE.dataChain, 'POST', api('chunks'), {
        json: { data: b64(raws[index]!), session_id: sessionId, index },
      });
      sameAnswer(x, direct, FIELDS.chunk);
    }
    return ups.map((x) => objectBody(x) as unknown as ChunkRef);
  });
  const chunkIds = chunks.map((c) => c.chunk_id);
  const root = await f.step('gateway-build-tree', async () => {
    // Built once, through the gateway, and judged against the harness's own tree over the same chunks: a second
    // build of the session straight at data-chain may rightly be refused (one tree per session, a 409).
    const json = { chunk_ids: chunkIds, session_id: sessionId };
    const x = await f.call(GW, 'POST', gw(ROLE.dataChain, api('merkleBuild')), { json });
    expectStatus(x, SUCCESS);
    expectNoProblems(judgeTree(x.body, chunks, 'BLAKE3'), x);
    return stringField(x, 'root_hash');
  });
  await f.step('gateway-anchor', async () => {
    const x = await f.call(GW, 'POST', gw(ROLE.anchoring, api('anchorSession')), {
      token: tokens.user,
      json: {
        session_id: sessionId,
        merkle_root: root,
        manifest_data: { chunk_ids: chunkIds, source: 'lucid-harness gateway flow' },
      },
    });
    expectStatus(x, SUCCESS, "session-anchoring's 202 as the gateway passes it on: a 2xx with its body");
    stringField(x, 'anchoring_id');
  });
  const status = await f.step('gateway-status-confirmed', async () => {
    const c = await waitConfirmed(f, GW, gw(ROLE.anchoring, api('anchorSession')), sessionId, root);
    sameAnswer(
      c.x,
      await f.call(ROLE.anchoring, 'GET', `${api('anchorSession')}/${encodeURIComponent(sessionId)}`, {
        token: tokens.user,
      }),
      FIELDS.status,
    );
    return c.record;
  });
  const height = status['block_height'] as number;
  const sameBlock = (gateway: Exchange, direct: Exchange) => {
    expectStatus(direct, 200);
    const want = namedBlockFields(objectBody(direct));
    expectNoProblems(
      judgeSameFields(`${requestLine(direct)} answers`, want, namedBlockFields(objectBody(gateway)), Object.keys(want)),
      gateway,
    );
  };
  const block = await f.step('gateway-block-by-height', async () => {
    const path = api('blockByHeight', { height });
    const { x, block } = await readBlock(f, GW, gw(ROLE.blocks, path));
    sameBlock(x, await f.call(ROLE.blocks, 'GET', path, { token: tokens.user }));
    return block;
  });
  await f.step('gateway-block-by-id', async () => {
    const path = api('blockById', { block_id: blockIdOf(block) });
    const { x } = await readBlock(f, GW, gw(ROLE.blocks, path));
    sameBlock(x, await f.call(ROLE.blocks, 'GET', path, { token: tokens.user }));
  });
  await f.step('gateway-verify', async () => {
    const json = { session_id: sessionId, merkle_root: root };
    const x = await f.call(GW, 'POST', gw(ROLE.anchoring, api('anchorVerify')), { token: tokens.user, json });
    expectStatus(x, SUCCESS);
    sameAnswer(
      x,
      await f.call(ROLE.anchoring, 'POST', api('anchorVerify'), { token: tokens.user, json }),
      FIELDS.verify,
    );
  });
  await f.step('gateway-passes-errors', async () => {
    // The upstream's 401 must reach the client as 401, not be masked as 200/502 by the gateway.
    const x = await f.call(GW, 'GET', `${gw(ROLE.anchoring, api('anchorSession'))}/${encodeURIComponent(sessionId)}`);
    expectStatus(x, 401, "session-anchoring's answer to a request without a token, passed through");
  });
}
