// HTTP transport and encoding choices the contract leaves open (Content-Type, HTTP/1.0, Connection: close or
// keep-alive, chunked, compression only when asked, JSON layout, Python floats, a BOM, 1xx answers, slow or
// large answers): one choice per server, run through the real probe → judge of the health check and the real
// request → parse → judge of the flows. Every correct choice passes; a body that is not what the contract names
// still fails, saying what was expected and what was seen.
import { createHash, randomBytes } from 'node:crypto';
import { get, type ClientRequest } from 'node:http';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { loadContract, serviceNamed } from '../../helpers/contract/load.ts';
import { probeHealthEndpoints } from '../../helpers/runtime/probe-health.ts';
import type { StartedService } from '../../helpers/runtime/start-service.ts';
import { judgeHealth } from '../../helpers/checks/health.ts';
import { call } from '../../helpers/flows/http.ts';
import { judgeChunk } from '../../helpers/flows/checks.ts';
import { objectBody, stringField } from '../../helpers/flows/expect.ts';
import { StepProblem } from '../../helpers/flows/steps.ts';
import { ok, rawServer, response, type RawReply, type RawRequest } from '../support/raw-http.ts';

const contract = loadContract({});
const gateway = serviceNamed(contract, 'api-gateway');

/** What a correct gateway answers, as JSON text; `pyFloats` writes its numbers the way Python writes floats. */
function gatewayBody(path: string, pyFloats = false): string | undefined {
  if (path === '/health') return JSON.stringify({ status: 'healthy', service: 'api-gateway' });
  if (path !== '/api/v1/meta/health') return undefined;
  const text = JSON.stringify({
    status: 'healthy',
    timestamp: new Date().toISOString(),
    service: 'api-gateway',
    version: '1.0.0',
    dependencies: { 'session-anchoring': 'healthy', 'd\u00e9p\u00f4t': 'unknown' },
    uptime: 12,
    response_time: 0,
  });
  return pyFloats
    ? text.replace('"uptime":12', '"uptime":12.0').replace('"response_time":0', '"response_time":0.0')
    : text;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const asks = (req: RawRequest, coding: string) => (req.headers['accept-encoding'] ?? '').includes(coding);

/** One choice: how a correct service writes an answer whose JSON text is `json`. */
type Choice = (req: RawRequest, json: string, status: string) => RawReply | Promise<RawReply>;
const status11 = (status: string) => `HTTP/1.1 ${status}`;
const withLength = (status: string, headers: string[], body: string | Buffer) =>
  response(status11(status), [...headers, `Content-Length: ${Buffer.byteLength(body)}`], body);

const CHOICES: Record<string, Choice> = {
  'Content-Type application/json (FastAPI)': (_, j, s) => ({
    bytes: withLength(s, ['Content-Type: application/json'], j),
  }),
  'Content-Type application/json; charset=utf-8 (http.server apps)': (_, j, s) => ({
    bytes: withLength(s, ['Content-Type: application/json; charset=utf-8'], j),
  }),
  'Content-Type text/plain': (_, j, s) => ({ bytes: withLength(s, ['Content-Type: text/plain'], j) }),
  'no Content-Type': (_, j, s) => ({ bytes: withLength(s, [], j) }),
  'HTTP/1.0, the body ended by closing the connection': (_, j, s) => ({
    bytes: response(`HTTP/1.0 ${s}`, ['Content-Type: application/json'], j),
    close: true,
  }),
  'Connection: close after every answer': (_, j, s) => ({
    bytes: withLength(s, ['Connection: close'], j),
    close: true,
  }),
  'chunked transfer encoding': (_, j, s) => {
    const size = Buffer.byteLength(j);
    const half = j.slice(0, 5);
    const rest = j.slice(5);
    const chunks = `5\r\n${half}\r\n${(size - 5).toString(16)}\r\n${rest}\r\n0\r\n\r\n`;
    return { bytes: response(status11(s), ['Transfer-Encoding: chunked'], chunks) };
  },
  'gzip when (and only when) the request accepts it': (req, j, s) =>
    asks(req, 'gzip')
      ? { bytes: withLength(s, ['Content-Encoding: gzip'], gzipSync(j)) }
      : { bytes: withLength(s, [], j) },
  'deflate when (and only when) the request accepts it': (req, j, s) =>
    asks(req, 'deflate')
      ? { bytes: withLength(s, ['Content-Encoding: deflate'], deflateSync(j)) }
      : { bytes: withLength(s, [], j) },
  // No Accept-Encoding means no preference (RFC 9110 §12.5.3): a server may compress anyway.
  'gzip though the request did not ask for it': (_, j, s) => ({
    bytes: withLength(s, ['Content-Encoding: gzip'], gzipSync(j)),
  }),
  'raw deflate and brotli, though the request did not ask': (req, j, s) => ({
    bytes:
      req.method === 'GET' && req.path === '/health'
        ? withLength(s, ['Content-Encoding: deflate'], deflateRawSync(j))
        : withLength(s, ['Content-Encoding: br'], brotliCompressSync(j)),
  }),
  'pretty-printed JSON with a trailing newline': (_, j, s) => ({
    bytes: withLength(s, [], `${JSON.stringify(JSON.parse(j), null, 2)}\n`),
  }),
  'keys in another order, every non-ASCII character escaped': (_, j, s) => {
    const o = JSON.parse(j) as Record<string, unknown>;
    const text = JSON.stringify(Object.fromEntries(Object.entries(o).reverse()));
    return {
      bytes: withLength(
        s,
        [],
        text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
      ),
    };
  },
  'a large answer (2 MB)': (_, j, s) => ({
    bytes: withLength(s, [], j.replace(/}$/, `,"padding":"${'x'.repeat(2_000_000)}"}`)),
  }),
  'a UTF-8 BOM before the JSON': (_, j, s) => ({
    bytes: withLength(
      s,
      ['Content-Type: application/json; charset=utf-8'],
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(j)]),
    ),
  }),
  'a slow answer (1.5 s before the headers)': async (_, j, s) => (await sleep(1500), { bytes: withLength(s, [], j) }),
  '100 Continue first, though the request did not ask for it (RFC 9110 §15.2)': (_, j, s) => ({
    bytes: Buffer.concat([response('HTTP/1.1 100 Continue', []), withLength(s, [], j)]),
  }),
  '103 Early Hints first': (_, j, s) => ({
    bytes: Buffer.concat([
      response('HTTP/1.1 103 Early Hints', ['Link: </style.css>; rel=preload']),
      withLength(s, [], j),
    ]),
  }),
  // Its idle timeout fires just as the client sends its next request on the kept-alive connection (no
  // Keep-Alive header tells the client how long it may wait, as with Python's http.server or uvicorn).
  'keep-alive, but a kept-alive connection is closed as the next request arrives': (req, j, s) =>
    req.onConnection > 0 ? 'drop' : { bytes: withLength(s, [], j) },
  // Lines ended by LF alone, as a server writing its own status line and headers may: curl, Python's http.client
  // (the image's own HEALTHCHECK) and browsers read them (RFC 9112 §2.2 lets a recipient accept a bare LF).
  'bare LF line endings (a hand-written server)': (_, j, s) => ({
    bytes: `${status11(s)}\nContent-Type: application/json\nContent-Length: ${Buffer.byteLength(j)}\n\n${j}`,
  }),
  'HEAD and OPTIONS not implemented': (req, j, s) =>
    req.method === 'GET' || req.method === 'POST'
      ? { bytes: withLength(s, [], j) }
      : { bytes: withLength('501 Not Implemented', [], 'no'), close: true },
};

const fakeService = (base: string) =>
  ({
    service: gateway,
    emulated: false,
    container: { getId: () => 'never-inspected' },
    baseUrl: base,
    startedAt: Date.now(),
    diagnostics: async () => ({}),
    describe: () => 'fake service',
  }) as unknown as StartedService;

describe('health: a correct gateway passes whatever transport and encoding it chooses', () => {
  for (const [name, choice] of Object.entries(CHOICES)) {
    test(name, async () => {
      const srv = await rawServer((req) => {
        const json = gatewayBody(req.path);
        return json === undefined
          ? { bytes: withLength('404 Not Found', [], '{"detail":"Not Found"}') }
          : choice(req, json, '200 OK');
      });
      try {
        const facts = await probeHealthEndpoints(contract, fakeService(srv.base));
        expect(facts.map((f) => [f.path, f.ok, f.answer?.status])).toEqual([
          ['/api/v1/meta/health', true, 200],
          ['/health', true, 200],
        ]);
        expect(facts.flatMap((f) => judgeHealth(gateway, gateway.port, f))).toEqual([]);
      } finally {
        await srv.close();
      }
    });
  }

  test('numbers written as Python floats (12.0, 0.0)', async () => {
    const srv = await rawServer((req) => ({ bytes: ok(gatewayBody(req.path, true) ?? '{}') }));
    try {
      const facts = await probeHealthEndpoints(contract, fakeService(srv.base));
      expect(facts[0]!.answer?.text).toContain('"uptime":12.0');
      expect(facts.flatMap((f) => judgeHealth(gateway, gateway.port, f))).toEqual([]);
    } finally {
      await srv.close();
    }
  });
});

/** data-chain's chunk record for the bytes a request sent, hashed the way the service would (SHA-256). */
function chunkRecord(req: RawRequest, sizeText?: string): string {
  const { data, session_id, index } = JSON.parse(req.body) as { data: string; session_id: string; index: number };
  const raw = Buffer.from(data, 'base64');
  const hash = createHash('sha256').update(raw).digest('hex');
  const size = sizeText ?? String(raw.length);
  return `{"chunk_id":"c-${hash.slice(0, 16)}","session_id":"${session_id}","index":${index},"size_bytes":${size},"hash_value":"${hash}","created_at":"2026-12-07T10:00:00Z"}`;
}

describe('flows: a correct data-chain passes whatever transport and encoding it chooses', () => {
  const raws = [1024, 1777, 2600].map((n) => new Uint8Array(randomBytes(n)));
  const upload = (base: string, raw: Uint8Array, index: number) =>
    call(base, 'data-chain', 'POST', '/api/v1/chunks', {
      json: { data: Buffer.from(raw).toString('base64'), session_id: 's-1', index },
    });
  const choices: Record<string, Choice> = {
    ...CHOICES,
    'size_bytes as a Python float (1024.0)': (req, _j, s) => {
      const size = Buffer.from((JSON.parse(req.body) as { data: string }).data, 'base64').length;
      return { bytes: withLength(s, [], chunkRecord(req, `${size}.0`)) };
    },
  };
  for (const [name, choice] of Object.entries(choices)) {
    test(name, async () => {
      const srv = await rawServer((req) => choice(req, chunkRecord(req), '201 Created'));
      try {
        const xs = [];
        for (const [i, raw] of raws.entries()) xs.push(await upload(srv.base, raw, i));
        expect(xs.map((x) => [x.status, x.error])).toEqual(raws.map(() => [201, undefined]));
        expect(xs.flatMap((x, i) => judgeChunk(x.body, raws[i]!, 'SHA256'))).toEqual([]);
        // The request body arrived whole, as JSON with its length (Python's http.server reads Content-Length).
        expect(srv.requests.every((r) => r.headers['content-length'] === String(Buffer.byteLength(r.body)))).toBe(true);
      } finally {
        await srv.close();
      }
    });
  }
});

const findingsOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof StepProblem) return e.findings;
    throw e;
  }
  return [];
};

describe('the reverse: what is not the contract still fails, naming what was expected and what was seen', () => {
  test('health: a 200 whose body is not JSON (said to be gzip, and not even that)', async () => {
    const srv = await rawServer(() => ({ bytes: ok('OK', ['Content-Type: text/plain', 'Content-Encoding: gzip']) }));
    try {
      const [main] = await probeHealthEndpoints(contract, fakeService(srv.base));
      const [f] = judgeHealth(gateway, gateway.port, main!);
      expect(f?.expected).toMatch(/a JSON body matching the "gateway" health schema with service "api-gateway"/);
      expect(f?.seen).toBe('a body that is not JSON: OK');
    } finally {
      await srv.close();
    }
  });

  test('health: a 200 with an empty body, and one whose JSON is a bare string', async () => {
    const srv = await rawServer((req) => ({ bytes: ok(req.path === '/api/v1/meta/health' ? '' : '"healthy"') }));
    try {
      const [main, extra] = await probeHealthEndpoints(contract, fakeService(srv.base));
      expect(judgeHealth(gateway, gateway.port, main!)[0]?.seen).toBe('an empty body');
      expect(judgeHealth(gateway, gateway.port, extra!)[0]?.seen).toMatch(
        /expected object, received string in "healthy"$/,
      );
    } finally {
      await srv.close();
    }
  });

  test('health: JSON with a field of the wrong type (uptime a string, dependencies a list)', async () => {
    const srv = await rawServer((req) => {
      const body = JSON.parse(gatewayBody(req.path) ?? '{}') as Record<string, unknown>;
      if (req.path === '/api/v1/meta/health') Object.assign(body, { uptime: '12', dependencies: ['mongo'] });
      return { bytes: ok(JSON.stringify(body), ['Content-Type: application/json']) };
    });
    try {
      const [main] = await probeHealthEndpoints(contract, fakeService(srv.base));
      const [f] = judgeHealth(gateway, gateway.port, main!);
      expect(f?.seen).toMatch(/dependencies: .*expected record, received array/);
      expect(f?.seen).toMatch(/uptime: .*expected number, received string/);
    } finally {
      await srv.close();
    }
  });

  test('flows: a 201 whose body is not JSON, and one whose chunk_id is a number', async () => {
    let n = 0;
    const srv = await rawServer((req) => ({
      bytes: withLength(
        '201 Created',
        [],
        n++ ? chunkRecord(req).replace(/"chunk_id":"[^"]*"/, '"chunk_id":7') : 'stored',
      ),
    }));
    try {
      const text = await upload0(srv.base);
      expect(findingsOf(() => objectBody(text))).toEqual([
        expect.objectContaining({ expected: 'a JSON object body', seen: 'HTTP 201 stored' }),
      ]);
      const wrongType = await upload0(srv.base);
      expect(findingsOf(() => stringField(wrongType, 'chunk_id'))).toEqual([
        expect.objectContaining({
          expected: 'a non-empty string chunk_id',
          seen: expect.stringMatching(/^chunk_id = 7 in HTTP 201 /),
        }),
      ]);
    } finally {
      await srv.close();
    }
  });
});

const upload0 = (base: string) =>
  call(base, 'data-chain', 'POST', '/api/v1/chunks', {
    json: { data: Buffer.alloc(1024).toString('base64'), session_id: 's-1', index: 0 },
  });

describe('one request on a connection of its own still says when nothing (whole) came back', () => {
  test('no headers within the deadline, a body that stalls, a body cut short: errors, never an answer', async () => {
    const srv = await rawServer(async (req) => {
      if (req.path === '/silent') return sleep(3000).then(() => 'drop' as const);
      if (req.path === '/stall') return { bytes: response('HTTP/1.1 200 OK', ['Content-Length: 100'], '{"sta') };
      return { bytes: response('HTTP/1.1 200 OK', ['Content-Length: 100'], '{"status":'), close: true };
    });
    try {
      const at = (path: string) => call(srv.base, 'data-chain', 'GET', path, { timeoutMs: 300 });
      expect((await at('/silent')).error).toMatch(/^ETIMEDOUT no answer headers within 300 ms/);
      expect((await at('/stall')).error).toMatch(/^ETIMEDOUT no more body data within 300 ms/);
      expect((await at('/cut')).status).toBe(0);
    } finally {
      await srv.close();
    }
  });
});

test('a single-threaded HTTP/1.1 server (one connection at a time) is not held by the harness between its requests', async () => {
  // Its own HEALTHCHECK or a peer must get a turn while the flows poll it: a kept-alive connection of the harness
  // would keep them waiting for as long as the polling lasts.
  const srv = await rawServer((req) => ({ bytes: ok(req.body ? chunkRecord(req) : '{"status":"healthy"}') }), {
    oneAtATime: true,
  });
  try {
    let polling = true;
    const poll = (async () => {
      while (polling) {
        expect((await upload0(srv.base)).status).toBe(200);
        await sleep(20);
      }
    })();
    await sleep(100);
    const t0 = Date.now();
    // The other client is not the harness's (whose own pool would reuse its connection): a fresh one, as a peer's.
    const other = await new Promise<number | Error>((resolve) =>
      get(`${srv.base}/health`, { agent: false, timeout: 1000 }, (res) =>
        res.resume().on('end', () => resolve(res.statusCode ?? 0)),
      )
        .on('timeout', function (this: ClientRequest) {
          this.destroy(new Error('no turn within 1 s'));
        })
        .on('error', (e) => resolve(e)),
    );
    polling = false;
    await poll;
    expect(other).toBe(200);
    expect(Date.now() - t0).toBeLessThan(500);
  } finally {
    await srv.close();
  }
});
