// Flow 3, auth and validation (contract §4): missing, badly signed, unsigned (alg none) or malformed token → 401 on
// every blockchain app (a 500 is a defect), a read-only user writing → 403 whatever other claims its token carries,
// a malformed root or no manifest → 422.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Contract } from '../contract/schema.ts';
import { apiPath } from './api.ts';
import type { Flow } from './context.ts';
import type { Exchange } from './exchange.ts';
import { expectAll, expectStatus, SUCCESS } from './expect.ts';
import { ROLE } from './roles.ts';

interface Probe {
  service: string;
  method: string;
  path: string;
  json?: unknown;
}

const hex64 = () => Buffer.from(randomBytes(32)).toString('hex');

/** A body session-anchoring would accept with a good token, so only the credentials are wrong. */
const anchorBody = (over: Record<string, unknown> = {}) => ({
  session_id: randomUUID(),
  merkle_root: hex64(),
  manifest_data: { source: 'lucid-harness auth flow' },
  ...over,
});

/**
 * A session_anchor transaction as session-anchoring submits it (contract §4.5: {type, data, signature}, the data
 * carrying the session's merkle_root): an engine that validates the body before the permission accepts it.
 */
const anchorTx = () => ({
  type: 'session_anchor',
  data: { session_id: randomUUID(), merkle_root: hex64() },
  signature: '',
});

/** One request per blockchain app, each behind auth: a write on two, a read on the third (contract §4 endpoints only). */
const authProbes = (contract: Contract): Probe[] => [
  { service: ROLE.anchoring, method: 'POST', path: apiPath(contract, 'anchorSession'), json: anchorBody() },
  { service: ROLE.engine, method: 'POST', path: apiPath(contract, 'transactions'), json: anchorTx() },
  { service: ROLE.blocks, method: 'GET', path: apiPath(contract, 'blockByHeight', { height: 1 }) },
];

export async function authAndValidation(f: Flow): Promise<void> {
  const { tokens, contract } = f.env;
  const probes = () => authProbes(contract);
  const send = async (list: Probe[], token?: string): Promise<Exchange[]> => {
    const out: Exchange[] = [];
    for (const p of list) out.push(await f.call(p.service, p.method, p.path, { json: p.json, token }));
    return out;
  };
  const readOnly = contract.flows.users.readOnly;

  await f.step('no-token-401', async () =>
    expectAll(await send(probes()), (x) => expectStatus(x, 401, 'no Authorization header')),
  );
  await f.step('bad-signature-401', async () =>
    expectAll(await send(probes(), tokens.badSignature), (x) =>
      expectStatus(x, 401, 'token signature does not verify'),
    ),
  );
  await f.step('alg-none-401', async () =>
    expectAll(await send(probes(), tokens.algNone), (x) =>
      expectStatus(x, 401, 'an unsigned token (alg "none") for the full-access user'),
    ),
  );
  await f.step('malformed-token-401', async () => {
    const xs: Exchange[] = [];
    for (const token of tokens.malformed) xs.push(...(await send(probes(), token)));
    expectAll(xs, (x) => expectStatus(x, 401, 'a Bearer value that is not a JWT'));
  });
  await f.step('read-only-reads', async () => {
    // The same read-only token must be good for reading, or a 403 below would prove nothing. Whether block 1
    // exists yet is not the point: 200 or 404, the read was let through.
    const [x] = await send(
      probes().filter((p) => p.method === 'GET'),
      tokens.readOnly,
    );
    expectStatus(x!, [200, 404], `user ${readOnly} (read) reading`);
  });
  await f.step('read-only-writes-403', async () => {
    const writes = probes().filter((p) => p.method === 'POST');
    expectAll(await send(writes, tokens.readOnly), (x) => expectStatus(x, 403, `user ${readOnly} (read only) writing`));
  });
  // Permissions come from the user (§4): the read-and-write user writes, so a service that only lets the full-access
  // user write is refused here. Any 2xx will do: this step is about the permission, the anchoring flow about the 202.
  await f.step('write-user-writes', async () => {
    const writes = probes().filter((p) => p.method === 'POST');
    expectAll(await send(writes, tokens.writer), (x) =>
      expectStatus(x, SUCCESS, `user ${contract.flows.users.write} (read, write) writing`),
    );
  });
  await f.step('claims-grant-nothing-403', async () => {
    // Permissions come from the user alone: no other claim grants or limits them (contract §4).
    const writes = probes().filter((p) => p.method === 'POST');
    expectAll(await send(writes, tokens.readOnlyClaimingWrite), (x) =>
      expectStatus(x, 403, `user ${readOnly} writing with claims permissions/scope/role that ask for write`),
    );
  });
  await f.step('malformed-root-422', async () => {
    const roots = [hex64().slice(1), `0x${hex64()}`, `${'g'.repeat(63)}0`];
    const probes = roots.map((merkle_root) => ({
      service: ROLE.anchoring,
      method: 'POST',
      path: apiPath(contract, 'anchorSession'),
      json: anchorBody({ merkle_root }),
    }));
    const xs = await send(probes, tokens.user);
    expectAll(xs, (x) =>
      expectStatus(
        x,
        422,
        `merkle_root ${JSON.stringify(roots[xs.indexOf(x)]!.slice(0, 10))}… (${roots[xs.indexOf(x)]!.length} chars) is not 64 hex`,
      ),
    );
  });
  await f.step('missing-manifest-422', async () => {
    const { manifest_data: _, ...body } = anchorBody();
    const [x] = await send(
      [{ service: ROLE.anchoring, method: 'POST', path: apiPath(contract, 'anchorSession'), json: body }],
      tokens.user,
    );
    expectStatus(x!, 422, 'manifest_data missing');
  });
}
