/**
 * The client's retry and token logic against a small in-test HTTP server on 127.0.0.1 — only for what the real
 * registry binary cannot be made to do: answer 429 or 5xx, run Docker Hub's bearer-token flow, or serve bytes
 * that do not match their digest. Everything else is tested against the real registry (registry-client-real).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { RegistryClient } from '../../helpers/registry/client.ts';
import {
  AuthRejectedError,
  AuthRequiredError,
  DigestMismatchError,
  RateLimitedError,
  ServerError,
} from '../../helpers/registry/errors.ts';
import { OCI_MANIFEST, sha256Digest } from '../../helpers/registry/media.ts';

/** The error a promise rejects with (fails the test when it resolves). */
const failure = (p: Promise<unknown>): Promise<Error> =>
  p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: Error) => e,
  );

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let server: Server;
let host = '';
let handler: Handler = (_q, r) => r.end();
const seen: { method: string; url: string; auth?: string }[] = [];
const slept: number[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization });
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host = `127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen.length = 0;
  slept.length = 0;
});

const manifest = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'x', digest: `sha256:${'a'.repeat(64)}`, size: 2 },
    layers: [],
  }),
);
const digest = sha256Digest(manifest);
const serveManifest = (res: ServerResponse, announced = digest) => {
  res.writeHead(200, { 'content-type': OCI_MANIFEST, 'docker-content-digest': announced });
  res.end(manifest);
};
const client = (o: Partial<ConstructorParameters<typeof RegistryClient>[0]> = {}) =>
  new RegistryClient({ registry: host, credentials: null, sleep: async (ms) => void slept.push(ms), ...o });

describe('retries (in-test stub server: the real registry never answers 429/5xx on demand)', () => {
  test('429 with Retry-After, then 200: waits what the server asked', async () => {
    let n = 0;
    handler = (_q, res) => (n++ < 2 ? res.writeHead(429, { 'retry-after': '2' }).end() : serveManifest(res));
    const doc = await client().getManifest('pickme/x', 'latest-arm64');
    expect(doc.digest).toBe(digest);
    expect(slept).toEqual([2000, 2000]);
  });
  test('429 without Retry-After until tries run out → RateLimitedError, one line', async () => {
    handler = (_q, res) => res.writeHead(429).end();
    const e = await failure(client({ retry: { attempts: 3 } }).getManifest('pickme/x', 't'));
    expect(e).toBeInstanceOf(RateLimitedError);
    expect(e.message).toBe(
      `registry ${host} rate-limited requests for pickme/x (429, 3 attempt(s)): try later, or log in for a higher limit`,
    );
    expect(slept).toEqual([500, 1000]);
  });
  test('429 asking for an hour fails at once, saying so', async () => {
    handler = (_q, res) => res.writeHead(429, { 'retry-after': '3600' }).end();
    await expect(client().getManifest('pickme/x', 't')).rejects.toThrow(/it asks to wait 3600 s/);
    expect(slept).toEqual([]);
  });
  test('503 twice, then 200: exponential backoff', async () => {
    let n = 0;
    handler = (_q, res) => (n++ < 2 ? res.writeHead(503).end() : serveManifest(res));
    await client().getManifest('pickme/x', 't');
    expect(slept).toEqual([500, 1000]);
    expect(seen).toHaveLength(3);
  });
  test('500 for ever → ServerError after the bounded schedule', async () => {
    handler = (_q, res) => res.writeHead(500).end();
    const e = await failure(client().getManifest('pickme/x', 't'));
    expect(e).toBeInstanceOf(ServerError);
    expect(e.message).toBe(`registry ${host} answered 500 for GET manifest pickme/x:t (5 attempt(s))`);
    expect(slept).toEqual([500, 1000, 2000, 4000]);
  });
});

describe('bearer token flow as Docker Hub runs it (in-test stub server)', () => {
  const tokenHandler =
    (opts: { user?: string; token: string }): Handler =>
    (req, res) => {
      const url = new URL(req.url!, 'http://x');
      if (url.pathname === '/token') {
        const basic = req.headers.authorization;
        if (opts.user && basic !== `Basic ${Buffer.from(opts.user).toString('base64')}`)
          return void res.writeHead(401).end();
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(
          JSON.stringify({ token: opts.token, expires_in: 300, scopes: url.searchParams.getAll('scope') }),
        );
      }
      if (req.headers.authorization === `Bearer ${opts.token}`) return serveManifest(res);
      res
        .writeHead(401, {
          'www-authenticate': `Bearer realm="http://${host}/token",service="stub.registry",scope="repository:pickme/x:pull"`,
        })
        .end();
    };

  test('anonymous: 401 → token from the realm with service and scope → retry with the token; token reused', async () => {
    handler = tokenHandler({ token: 'anon-token' });
    const c = client();
    await c.getManifest('pickme/x', 't');
    await c.getManifest('pickme/x', 't');
    expect(seen.map((s) => `${s.method} ${s.url.split('?')[0]} ${s.auth ?? '-'}`)).toEqual([
      'GET /v2/pickme/x/manifests/t -',
      'GET /token -',
      'GET /v2/pickme/x/manifests/t Bearer anon-token',
      'GET /v2/pickme/x/manifests/t Bearer anon-token',
    ]);
    const q = new URL(seen[1]!.url, 'http://x').searchParams;
    expect(q.get('service')).toBe('stub.registry');
    expect(q.getAll('scope')).toEqual(['repository:pickme/x:pull']);
  });
  test('with credentials: the token request carries basic auth', async () => {
    handler = tokenHandler({ user: 'ci:pw', token: 'user-token' });
    await client({ credentials: { credentials: { username: 'ci', password: 'pw', source: 'test' } } }).getManifest(
      'pickme/x',
      't',
    );
    expect(seen[1]!.auth).toBe(`Basic ${Buffer.from('ci:pw').toString('base64')}`);
  });
  test('the token service refuses the credentials → AuthRejectedError', async () => {
    handler = tokenHandler({ user: 'ci:pw', token: 'user-token' });
    const e = await failure(
      client({ credentials: { credentials: { username: 'ci', password: 'bad', source: 'test' } } }).getManifest(
        'pickme/x',
        't',
      ),
    );
    expect(e).toBeInstanceOf(AuthRejectedError);
  });
  test('an anonymous token the registry still refuses (private or absent repository) → AuthRequiredError saying so', async () => {
    let n = 0;
    handler = (req, res) => {
      if (req.url!.startsWith('/token')) return void res.end(JSON.stringify({ token: `t${n++}` }));
      res
        .writeHead(401, {
          'www-authenticate': `Bearer realm="http://${host}/token",service="s",scope="repository:pickme/x:pull"`,
        })
        .end();
    };
    const e = await failure(client().getManifest('pickme/x', 't'));
    expect(e).toBeInstanceOf(AuthRequiredError);
    expect(e.message).toBe(
      `authentication required for pickme/x at ${host}: set LUCID_REGISTRY_USER/LUCID_REGISTRY_PASSWORD or docker login ${host} (an anonymous token was refused: the repository is private or does not exist)`,
    );
  });
});

describe('digest verification (in-test stub server: the real registry never serves wrong bytes)', () => {
  test('bytes not matching Docker-Content-Digest → DigestMismatchError', async () => {
    handler = (_q, res) => serveManifest(res, `sha256:${'b'.repeat(64)}`);
    await expect(client().getManifest('pickme/x', 't')).rejects.toBeInstanceOf(DigestMismatchError);
  });
  test('bytes not matching the digest asked for → DigestMismatchError', async () => {
    handler = (_q, res) => {
      res.writeHead(200, { 'content-type': OCI_MANIFEST });
      res.end(manifest);
    };
    await expect(client().getManifest('pickme/x', `sha256:${'c'.repeat(64)}`)).rejects.toThrow(
      `has digest ${digest}, expected sha256:${'c'.repeat(64)}`,
    );
  });
  test('a blob whose bytes are not its digest fails after the last chunk', async () => {
    handler = (_q, res) => res.end('not the blob');
    await expect(client().getBlob('pickme/x', `sha256:${'d'.repeat(64)}`)).rejects.toBeInstanceOf(DigestMismatchError);
  });
});
