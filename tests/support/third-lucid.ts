// A third Lucid implementation, in-process: small, contract-correct (§3–§5), written apart from the reference
// families (fixtures/services) and served on 127.0.0.1, so the real flow code (helpers/flows) can be run against
// it without Docker. Each option is a choice the contract leaves open, or (latestShadowed) a §4 defect; a unit test
// runs a flow against the implementation taking that choice. Started from the review of the flows (third-impl).
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { blockHash, blockTxRoot } from '../../helpers/crypto/block.ts';
import { hashChunk, type HashAlgo } from '../../helpers/crypto/hash.ts';
import { merkleLeaf, merkleRoot } from '../../helpers/crypto/merkle.ts';
import { verifyProof } from '../../helpers/crypto/proof.ts';
import { resolveServiceEnv, serviceNamed } from '../../helpers/contract/load.ts';
import type { Contract } from '../../helpers/contract/schema.ts';
import type { FlowEnv } from '../../helpers/flows/context.ts';
import type { StackControl } from '../../helpers/flows/containers.ts';
import { flowEnvOf } from '../../helpers/flows/stack.ts';
import { standInForUrl } from '../../helpers/runtime/standins.ts';

/** A JSON number written verbatim (what Python's json.dumps writes for a float 0.0 or a big int). */
export class Raw {
  constructor(readonly text: string) {}
}

/**
 * json.dumps(v, sort_keys=True, separators=(',', ':')) for the values used here (ASCII strings only): this
 * implementation's own canonical JSON, not the harness's, so a tx id is not checked against itself.
 */
export function py(v: unknown): string {
  if (v instanceof Raw) return v.text;
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(py).join(',')}]`;
  if (typeof v === 'object')
    return `{${Object.keys(v as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${py((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/**
 * The contract with short flow budgets: everything answers within milliseconds in-process, so a wrong answer fails
 * fast (and a correct one still has seconds on a loaded box).
 */
export function quickContract(loaded: Contract): Contract {
  const quick = { confirmMs: 3000, discoveryMs: 3000, restartMs: 3000, requestMs: 3000, pollMs: 50 };
  return { ...loaded, flows: { ...loaded.flows, budgets: { native: quick, emulated: quick } } };
}

export interface ThirdOptions {
  /** What the session_anchor's `data` holds (the contract names only `merkle_root` in it). */
  anchorData?: (a: { session_id: string; merkle_root: string; anchoring_id: string }) => Record<string, unknown>;
  /** Extra fields of every transaction body the engine builds (part of the hashed body). */
  txExtra?: () => Record<string, unknown>;
  /** Fields a block listing adds to each transaction entry beside its body and tx_id (not hashed). */
  listingExtra?: (block: { height: number }) => Record<string, unknown>;
  /** 0: empty genesis block at height 0 (previous_hash `genesisPrevious`, default 64 zeros); 1: the first block is height 1 linking to 64 zeros. */
  firstHeight?: 0 | 1;
  /** previous_hash of a genesis block at height 0 (the contract fixes none). */
  genesisPrevious?: string;
  /** With firstHeight 0: false seals the first transaction into the genesis block instead of an empty one before it. */
  genesisEmpty?: boolean;
  /** GET /blocks/height/{h} below the first height answers 422 (a validated path parameter) instead of 404. */
  heightBelowFirst422?: boolean;
  /** The real code's bug (§4.7): /api/v1/blocks/latest read as a block id. */
  latestShadowed?: boolean;
  /** block_id is the block's height, a JSON number. */
  numericBlockId?: boolean;
  /** The engine checks the token (401), then the body (422: known tx types only), then the permission (403). */
  engineKnownTypesOnly?: boolean;
  /** anchoring/verify answers 404 for a session it never anchored (instead of verified false). */
  verifyUnknownSession404?: boolean;
  /** A defect: anchoring/verify says true for a root any session anchored, whatever session is asked about. */
  verifyIgnoresSession?: boolean;
  /** Defects of the blockchain apps' auth: an unsigned (alg none) token is taken at its word. */
  acceptsAlgNone?: boolean;
  /** A Bearer value that is not three dot-separated parts crashes the request (500). */
  crashOnMalformedToken?: boolean;
  /** A `permissions` claim grants what it lists, beside the user's own. */
  claimsGrant?: boolean;
  /** A defect: writing takes admin too, so only the full-access user writes (api_user is refused). */
  writeNeedsAdmin?: boolean;
  /** Print tx ids upper-case everywhere. */
  upperTxIds?: boolean;
  /** The gateway answers every successful upstream answer as 200 (a plain FastAPI `return r.json()` proxy). */
  gatewayAlways200?: boolean;
  /** data-chain keeps one tree per session: a second build for the same session_id answers 409. */
  uniqueTreeSession?: boolean;
  /** A defect (flow defect merkle-root-ignores-input): the tree's root is derived from the session id, not the chunks. */
  rootFromSession?: boolean;
  /** data-chain validates the body first: a session_id that is not a UUID is 422, whatever the storage. */
  chunkSessionUuid?: boolean;
  /**
   * What the gateway's health lists under `dependencies`, from the services it can reach now (name → healthy or
   * unhealthy). Default: the three it routes to and blockchain-engine.
   */
  gatewayDependencies?: (probe: (service: string) => 'healthy' | 'unhealthy') => Record<string, string>;
  /** The anchoring record's status until it is sealed (the real code's schema has "processing"); default pending. */
  statusWhileWaiting?: string;
  /** merkle/verify reads `position` as the running hash's side, not the sibling's (§4.3 leaves it open). */
  proofPositionIsOwnSide?: boolean;
  /** A defect: merkle/verify concatenates left to right whatever the positions say. */
  proofIgnoresPosition?: boolean;
  /** The gateway's meta health answers 503 (its body unchanged) while any dependency is not healthy. */
  gatewayDegraded503?: boolean;
  /** The gateway's meta health while a dependency is down: 503 and this body (a defect: no dependencies). */
  gatewayDegradedBody?: Record<string, unknown>;
  /** How every service writes its answers on the wire (default: Content-Length, application/json). */
  transport?: Transport;
}

/** A transport choice: writes one answer, status and JSON text, as a service taking that choice would. */
export type Transport = (res: ServerResponse, status: number, text: string) => void;

const PERMS: Record<string, string[]> = {
  blockchain_user: ['read', 'write', 'admin'],
  api_user: ['read', 'write'],
  readonly_user: ['read'],
};

class Http extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(String(status));
  }
}

type Handler = (m: RegExpMatchArray, body: any, headers: IncomingHttpHeaders) => Promise<[number, unknown]>;
type Route = [string, RegExp, Handler];
/** Tried before the routes (the gateway's proxy): its answer (status, body text), or undefined to go on. */
type Fallback = (req: {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body?: Buffer;
}) => Promise<[number, string] | undefined>;

function server(routes: Route[], fallback?: Fallback, transport?: Transport): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const path = (req.url ?? '/').split('?')[0]!.replace(/(.)\/$/, '$1');
      let out: [number, string] = [404, '{"detail":"Not Found"}'];
      try {
        const raw = Buffer.concat(chunks);
        const proxied = fallback
          ? await fallback({
              method: req.method ?? 'GET',
              url: req.url ?? '/',
              headers: req.headers,
              ...(raw.length && { body: raw }),
            })
          : undefined;
        if (proxied) out = proxied;
        else {
          const text = raw.toString('utf8');
          const body = text ? JSON.parse(text) : undefined;
          for (const [method, re, h] of routes) {
            const m = path.match(re);
            if (m && method === req.method) {
              const [status, answer] = await h(m, body, req.headers);
              out = [status, py(answer)];
              break;
            }
          }
        }
      } catch (e) {
        out = e instanceof Http ? [e.status, py(e.body)] : [500, py({ detail: String(e) })];
      }
      if (transport) return transport(res, ...out);
      res.writeHead(out[0], { 'content-type': 'application/json' });
      res.end(out[1]);
    });
  });
}

const listen = async (s: Server): Promise<string> => {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
};

const fastapi422 = (loc: string[], msg: string) =>
  new Http(422, { detail: [{ type: 'value_error', loc, msg, input: null }] });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface Third {
  urls: Map<string, string>;
  /** A FlowEnv on this implementation: its URLs, containers and storage stand-in (stopped and started in-process). */
  env(): Promise<FlowEnv>;
  close(): Promise<unknown>;
}

export async function startThird(contract: Contract, o: ThirdOptions = {}): Promise<Third> {
  const secret = new TextEncoder().encode(contract.jwt.secret);
  const auth = async (headers: IncomingHttpHeaders, perm: string) => {
    const h = headers['authorization'];
    if (typeof h !== 'string' || !h.startsWith('Bearer ')) throw new Http(401, { detail: 'Not authenticated' });
    const token = h.slice(7);
    if (o.crashOnMalformedToken && token.split('.').length !== 3) throw new Error('token has no payload');
    let claims: Record<string, unknown>;
    try {
      claims =
        o.acceptsAlgNone && decodeProtectedHeader(token).alg === 'none'
          ? decodeJwt(token)
          : (await jwtVerify(token, secret, { algorithms: ['HS256'] })).payload;
    } catch {
      throw new Http(401, { detail: 'Could not validate credentials' });
    }
    // Permissions come from the user alone: no other claim of the token is read (unless claimsGrant).
    const granted = [
      ...(PERMS[claims['user_id'] as string] ?? []),
      ...(o.claimsGrant && Array.isArray(claims['permissions']) ? (claims['permissions'] as string[]) : []),
    ];
    const needs = o.writeNeedsAdmin && perm === 'write' ? ['write', 'admin'] : [perm];
    if (!needs.every((p) => granted.includes(p))) throw new Http(403, { detail: 'Forbidden' });
  };
  const hex = (s: string) => (o.upperTxIds ? s.toUpperCase() : s);
  let storageUp = true;

  // ---- block-manager state and the engine that seals into it
  const ZERO = '0'.repeat(64);
  const blocks: Record<string, unknown>[] = [];
  const proposer = 'third-impl';
  const seal = (txs: Record<string, unknown>[]) => {
    const last = blocks.at(-1);
    const height = last ? (last['height'] as number) + 1 : (o.firstHeight ?? 1);
    const previous_hash = last ? (last['hash'] as string) : height === 0 ? (o.genesisPrevious ?? ZERO) : ZERO;
    const merkle_root = blockTxRoot(txs.map((t) => t['tx_id'] as string));
    const hash = blockHash({ previous_hash, height, merkle_root, proposer });
    const block_id = o.numericBlockId ? height : randomUUID();
    const b = {
      block_id,
      height,
      hash,
      previous_hash,
      merkle_root,
      proposer,
      timestamp: Date.now() / 1000,
      transactions: txs,
    };
    blocks.push(b);
    return b;
  };
  if ((o.firstHeight ?? 1) === 0 && o.genesisEmpty !== false) seal([]);
  let nonce = 0;
  const submit = (type: string, data: unknown, signature: string) => {
    const body = { type, data, signature, nonce: nonce++, ...(o.txExtra?.() ?? {}) };
    const tx_id = hex(createHash('sha256').update(py(body)).digest('hex'));
    const b = seal([{ ...body, tx_id }]);
    return { tx_id, block: b };
  };
  /** A block as the listing shows it: each transaction entry with the listing's own extra fields. */
  const listed = (b: Record<string, unknown> | undefined) =>
    b && {
      ...b,
      transactions: (b['transactions'] as Record<string, unknown>[]).map((t) => ({
        ...t,
        ...(o.listingExtra?.({ height: b['height'] as number }) ?? {}),
      })),
    };

  const servers = new Map<string, Server>();
  const urls = new Map<string, string>();
  const up = async (name: string, routes: Route[], fallback?: Fallback) => {
    const health: Handler = async () =>
      name.startsWith('data-chain') && !storageUp
        ? [503, { status: 'unhealthy', service: 'data-chain', details: { storage: 'down' } }]
        : [200, { status: 'healthy', service: name }];
    const all: Route[] = [['GET', /^\/health$/, health], ...routes];
    const s = server(all, fallback, o.transport);
    servers.set(name, s);
    urls.set(name, await listen(s));
  };
  const probe = async (name: string): Promise<'healthy' | 'unhealthy'> => {
    const url = urls.get(name);
    if (!url || !servers.get(name)?.listening) return 'unhealthy';
    const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
    return r?.status === 200 ? 'healthy' : 'unhealthy';
  };

  // ---- data-chain (two instances sharing one storage)
  for (const [name, algo] of [
    ['data-chain', 'BLAKE3'],
    [contract.flows.sha256DataChain, 'SHA256'],
  ] as [string, HashAlgo][]) {
    const chunks = new Map<string, Record<string, unknown>>();
    const trees = new Set<string>();
    const storage = () => {
      if (!storageUp) throw new Http(503, { detail: 'storage is down' });
    };
    await up(name, [
      [
        'POST',
        /^\/api\/v1\/chunks$/,
        async (_m, b) => {
          if (o.chunkSessionUuid && !UUID.test(String(b?.session_id)))
            throw fastapi422(['body', 'session_id'], 'Input should be a valid UUID');
          storage();
          const raw = new Uint8Array(Buffer.from(String(b?.data ?? ''), 'base64'));
          if (raw.length < 1024) throw fastapi422(['body', 'data'], 'at least 1024 bytes');
          const h = createHash('sha256').update(raw).digest('hex');
          const chunk_id = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
          const old = chunks.get(chunk_id);
          if (old) return [200, old];
          const rec = {
            chunk_id,
            session_id: b.session_id,
            index: b.index,
            size_bytes: raw.length,
            hash_value: hashChunk(raw, algo),
            created_at: new Date().toISOString(),
          };
          chunks.set(chunk_id, rec);
          return [201, rec];
        },
      ],
      [
        'POST',
        /^\/api\/v1\/merkle\/build$/,
        async (_m, b) => {
          storage();
          if (o.uniqueTreeSession && trees.has(b.session_id))
            throw new Http(409, { detail: `session ${b.session_id} already has a tree` });
          trees.add(b.session_id);
          const refs = (b.chunk_ids as string[]).map((id) => chunks.get(id) as never);
          const t = merkleRoot(
            refs.map((r) => merkleLeaf(r, algo)),
            algo,
          );
          return [
            200,
            {
              root_hash: o.rootFromSession
                ? createHash('sha256').update(`session:${b.session_id}`).digest('hex')
                : t.root,
              leaf_count: refs.length,
              tree_depth: t.depth,
              session_id: b.session_id,
              created_at: new Date().toISOString(),
            },
          ];
        },
      ],
      [
        'POST',
        /^\/api\/v1\/merkle\/verify$/,
        async (_m, b) => {
          const own = o.proofPositionIsOwnSide || o.proofIgnoresPosition;
          const path = (b.proof_path as { hash: string; position: string }[]).map((st) => ({
            ...st,
            position: o.proofIgnoresPosition
              ? 'right'
              : own
                ? st.position === 'left'
                  ? 'right'
                  : 'left'
                : st.position,
          }));
          return [200, { verified: verifyProof(b.root_hash, { ...b, proof_path: path }, algo) }];
        },
      ],
    ]);
  }

  // ---- blockchain-engine
  const TYPES = ['session_anchor', 'data_storage', 'contract_call'];
  await up('blockchain-engine', [
    [
      'POST',
      /^\/api\/v1\/transactions$/,
      async (_m, b, h) => {
        if (o.engineKnownTypesOnly) {
          await auth(h, 'read'); // authenticates (401 on a bad token); every known user can read
          if (!TYPES.includes(b?.type)) throw fastapi422(['body', 'type'], `Input should be ${TYPES.join(', ')}`);
        }
        await auth(h, 'write');
        const { tx_id } = submit(b.type, b.data, b.signature ?? '');
        return [202, { tx_id, status: 'pending' }];
      },
    ],
  ]);

  // ---- block-manager
  const byHeight = (h: number) => blocks.find((b) => b['height'] === h);
  const latest: Route = [
    'GET',
    /^\/api\/v1\/blocks\/latest$/,
    async (_m, _b, h) => {
      await auth(h, 'read');
      return [200, listed(blocks.at(-1))];
    },
  ];
  await up('block-manager', [
    ...(o.latestShadowed ? [] : [latest]),
    [
      'GET',
      /^\/api\/v1\/blocks\/height\/([^/]+)$/,
      async (m, _b, h) => {
        await auth(h, 'read');
        const n = Number(m[1]);
        if (!Number.isInteger(n)) throw fastapi422(['path', 'height'], 'integer');
        if (o.heightBelowFirst422 && n < (o.firstHeight ?? 1))
          throw fastapi422(['path', 'height'], `Input should be greater than or equal to ${o.firstHeight ?? 1}`);
        const b = byHeight(n);
        if (!b) throw new Http(404, { detail: `no block at height ${n}` });
        return [200, listed(b)];
      },
    ],
    [
      'GET',
      /^\/api\/v1\/blocks\/([^/]+)$/,
      async (m, _b, h) => {
        await auth(h, 'read');
        const b = blocks.find((x) => String(x['block_id']) === decodeURIComponent(m[1]!));
        if (!b) throw new Http(404, { detail: `block ${m[1]} not found` });
        return [200, listed(b)];
      },
    ],
  ]);

  // ---- session-anchoring
  const recs = new Map<string, Record<string, unknown>>();
  await up('session-anchoring', [
    [
      'POST',
      /^\/api\/v1\/anchoring\/session$/,
      async (_m, b, h) => {
        await auth(h, 'write');
        if (typeof b?.session_id !== 'string' || !UUID.test(b.session_id))
          throw fastapi422(['body', 'session_id'], 'uuid');
        if (typeof b.merkle_root !== 'string' || !/^[0-9a-fA-F]{64}$/.test(b.merkle_root))
          throw fastapi422(['body', 'merkle_root'], '64 hex');
        if (typeof b.manifest_data !== 'object' || b.manifest_data === null)
          throw fastapi422(['body', 'manifest_data'], 'Field required');
        const anchoring_id = randomUUID();
        const rec: Record<string, unknown> = {
          session_id: b.session_id,
          anchoring_id,
          status: o.statusWhileWaiting ?? 'pending',
          submitted_at: new Date().toISOString(),
          confirmed_at: null,
          block_height: null,
          transaction_id: null,
          merkle_root: b.merkle_root,
        };
        recs.set(b.session_id, rec);
        setTimeout(
          () => {
            const data = o.anchorData?.({ session_id: b.session_id, merkle_root: b.merkle_root, anchoring_id }) ?? {
              session_id: b.session_id,
              merkle_root: b.merkle_root,
            };
            const { tx_id, block } = submit('session_anchor', data, '');
            Object.assign(rec, {
              status: 'confirmed',
              confirmed_at: new Date().toISOString(),
              block_height: block['height'],
              transaction_id: tx_id,
            });
          },
          o.statusWhileWaiting ? 500 : 30,
        );
        return [
          202,
          { anchoring_id, status: 'pending', submitted_at: rec['submitted_at'], estimated_confirmation_time: 5 },
        ];
      },
    ],
    [
      'GET',
      /^\/api\/v1\/anchoring\/session\/([^/]+)$/,
      async (m, _b, h) => {
        await auth(h, 'read');
        const r = recs.get(decodeURIComponent(m[1]!));
        if (!r) throw new Http(404, { detail: 'not found' });
        return [200, r];
      },
    ],
    [
      'POST',
      /^\/api\/v1\/anchoring\/verify$/,
      async (_m, b, h) => {
        await auth(h, 'read');
        const r = o.verifyIgnoresSession
          ? [...recs.values()].find((x) => x['merkle_root'] === b.merkle_root)
          : recs.get(b.session_id);
        if (!r && o.verifyUnknownSession404) throw new Http(404, { detail: 'no anchoring for this session' });
        const ok = !!r && r['status'] === 'confirmed' && r['merkle_root'] === b.merkle_root;
        return [
          200,
          {
            verified: ok,
            block_height: ok ? r!['block_height'] : null,
            transaction_id: ok ? r!['transaction_id'] : null,
          },
        ];
      },
    ],
  ]);

  // ---- service-mesh-controller: a list of {name, status}, probed when asked
  const meshed = ['api-gateway', 'blockchain-engine', 'session-anchoring', 'block-manager', 'data-chain'];
  await up('service-mesh-controller', [
    [
      'GET',
      /^\/services$/,
      async () => [
        200,
        { services: await Promise.all(meshed.map(async (name) => ({ name, status: await probe(name) }))) },
      ],
    ],
  ]);

  // ---- api-gateway: the contract's routes, body and Authorization passed on; its health lists its upstreams
  const routed = [...new Set(contract.flows.gateway.routes.map((r) => r.service))];
  await up(
    'api-gateway',
    [
      [
        'GET',
        /^\/api\/v1\/meta\/health$/,
        async () => {
          const seen = new Map<string, 'healthy' | 'unhealthy'>();
          for (const n of [...routed, 'blockchain-engine']) seen.set(n, await probe(n));
          const dependencies = o.gatewayDependencies
            ? o.gatewayDependencies((n) => seen.get(n) ?? 'unhealthy')
            : Object.fromEntries(seen);
          const status = Object.values(dependencies).every((s) => s === 'healthy') ? 'healthy' : 'degraded';
          if (status !== 'healthy' && o.gatewayDegradedBody) return [503, o.gatewayDegradedBody];
          return [
            status !== 'healthy' && o.gatewayDegraded503 ? 503 : 200,
            {
              status,
              timestamp: new Date().toISOString(),
              service: 'api-gateway',
              version: '3',
              dependencies,
              uptime: 1,
              response_time: 0.001,
            },
          ];
        },
      ],
    ],
    async (req) => {
      const r = contract.flows.gateway.routes.find((x) => req.url === x.prefix || req.url.startsWith(`${x.prefix}/`));
      if (!r) return undefined;
      const target = `${urls.get(r.service)}${r.upstreamPrefix}${req.url.slice(r.prefix.length)}`;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (typeof req.headers['authorization'] === 'string') headers['authorization'] = req.headers['authorization'];
      const answer = await fetch(target, {
        method: req.method,
        headers,
        ...(req.body && { body: new Uint8Array(req.body) }),
      }).catch(() => undefined);
      if (!answer) return [502, py({ detail: `${r.service} did not answer` })];
      const status = o.gatewayAlways200 && answer.status < 300 ? 200 : answer.status;
      return [status, await answer.text()];
    },
  );

  // ---- the stack as the fault flow controls it: a service "container" is its server, the storage a flag
  const ids = new Map([...urls.keys()].map((n) => [n, `third:${n}`]));
  const dcEnv = resolveServiceEnv(contract, serviceNamed(contract, 'data-chain'))[contract.flows.storage.env];
  const storageStandIn = standInForUrl(contract, dcEnv);
  const STORAGE = 'third:storage';
  const nameOf = (id: string) => [...ids].find(([, v]) => v === id)?.[0];
  const control: StackControl = {
    async stop(id) {
      if (id === STORAGE) return void (storageUp = false);
      const s = servers.get(nameOf(id) ?? '');
      if (!s) throw new Error(`no container ${id}`);
      await new Promise((r) => {
        s.close(r);
        s.closeAllConnections();
      });
    },
    async start(id) {
      const name = nameOf(id);
      const s = servers.get(name ?? '');
      if (!s || !name) throw new Error(`no container ${id}`);
      const url = await listen(s);
      urls.set(name, url);
      return url;
    },
    isRunning: async (id) => (id === STORAGE ? storageUp : !!servers.get(nameOf(id) ?? '')?.listening),
    async startStandIn() {
      storageUp = true;
      return { readyMs: 0 };
    },
  };
  const standIns = new Map(storageStandIn ? [[storageStandIn.name, { containerId: STORAGE }]] : []);

  return {
    urls,
    env: () => flowEnvOf(contract, 'linux/amd64', false, urls, ids, standIns, control),
    close: () =>
      Promise.all(
        [...servers.values()].map(
          (s) =>
            new Promise((r) => {
              s.close(r);
              s.closeAllConnections();
            }),
        ),
      ),
  };
}
