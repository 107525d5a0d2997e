import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { httpGet } from '../../helpers/runtime/http-probe.ts';
import { waitForHttp200 } from '../../helpers/runtime/wait.ts';
import { askUntilAnswered, probeHealthEndpoints } from '../../helpers/runtime/probe-health.ts';
import { loadContract, serviceNamed } from '../../helpers/contract/load.ts';
import type { StartedService } from '../../helpers/runtime/start-service.ts';

let server: Server;
let base = '';
let readinessCalls = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    // As FastAPI answers a route declared as /health/: a 307 to the slash spelling, on its own host name.
    if (req.url === '/health') res.writeHead(307, { location: 'http://data-chain:8087/health/' }).end();
    else if (req.url === '/health/')
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"healthy"}');
    else if (req.url === '/loop') res.writeHead(302, { location: '/loop' }).end();
    // A health answer that checks its dependencies first: always 200, never within 2 s.
    // A readiness path that says 503 "starting" on its first call.
    else if (req.url === '/ready')
      res.writeHead(readinessCalls++ ? 200 : 503).end(readinessCalls > 1 ? 'ready' : 'starting');
    else if (req.url === '/slow') setTimeout(() => res.writeHead(200).end('{"status":"healthy"}'), 2300);
    else if (req.url === '/broken') res.writeHead(500).end('boom');
    else res.writeHead(404).end('not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

test('a redirect to the slash spelling is followed on the published port, and the last answer judged', async () => {
  expect(await httpGet(`${base}/health`)).toEqual({
    status: 200,
    body: { status: 'healthy' },
    text: '{"status":"healthy"}',
  });
});

test('a redirect loop ends with the redirect as the answer; other statuses are returned as they are', async () => {
  expect((await httpGet(`${base}/loop`)).status).toBe(302);
  expect(await httpGet(`${base}/nope`)).toEqual({ status: 404, body: 'not found', text: 'not found' });
});

test('a health answer slower than 2 s is waited for within the budget: the contract bounds the budget only', async () => {
  const w = await waitForHttp200(`${base}/slow`, { budgetMs: 6_000 });
  expect([w.ok, w.last?.status, w.lastError]).toEqual([true, 200, undefined]);
  expect(w.elapsedMs).toBeGreaterThanOrEqual(2300);
});

describe('an extra health path is asked until it answers within the rest of the startup budget', () => {
  const running = async () => true;
  test('a 503 once, then 200: the 200', async () => {
    const r = await askUntilAnswered(`${base}/ready`, { deadline: Date.now() + 3_000, running, pollMs: 10 });
    expect([r.answer?.status, r.answer?.text, r.exited]).toEqual([200, 'ready', undefined]);
  });
  test('a 4xx is the answer at once: a missing path does not wait the budget out', async () => {
    const t0 = Date.now();
    const r = await askUntilAnswered(`${base}/nope`, { deadline: Date.now() + 20_000, running });
    expect(r.answer?.status).toBe(404);
    expect(Date.now() - t0).toBeLessThan(2_000);
  });
  test('no connection while the container no longer runs: it stopped, nothing more to wait for', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const r = await askUntilAnswered(`http://127.0.0.1:${port}/health`, {
      deadline: Date.now() + 20_000,
      running: async () => false,
    });
    expect([r.exited, r.answer]).toEqual([true, undefined]);
    expect(r.error).toMatch(/ECONNREFUSED/);
  });
  test('5xx until the deadline: the last 5xx is the answer', async () => {
    const r = await askUntilAnswered(`${base}/broken`, { deadline: Date.now() + 150, running, pollMs: 10 });
    expect(r.answer?.status).toBe(500);
  });
});

test('probeHealthEndpoints: /api/v1/health says 503 once, then 200: it is judged on the 200', async () => {
  const contract = loadContract({});
  let calls = 0;
  const app = createServer((req, res) => {
    const json = (status: number, body: object) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === '/health') json(200, { status: 'ok', service: 'x' });
    else if (req.url === '/api/v1/health')
      json(calls++ ? 200 : 503, { status: calls > 1 ? 'ok' : 'starting', service: 'x', version: '1.0.0' });
    else json(404, { detail: 'Not Found' });
  });
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  try {
    const fake = {
      service: serviceNamed(contract, 'block-manager'),
      emulated: false,
      container: { getId: () => 'never-inspected' },
      baseUrl: `http://127.0.0.1:${(app.address() as AddressInfo).port}`,
      startedAt: Date.now(),
    } as unknown as StartedService;
    const facts = await probeHealthEndpoints(contract, fake);
    expect(facts.map((f) => [f.path, f.ok, f.answer?.status])).toEqual([
      ['/health', true, 200],
      ['/api/v1/health', true, 200],
    ]);
  } finally {
    await new Promise<void>((r) => app.close(() => r()));
  }
});
