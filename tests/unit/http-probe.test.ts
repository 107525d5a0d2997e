import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { httpGet } from '../../helpers/runtime/http-probe.ts';
import { waitForHttp200 } from '../../helpers/runtime/wait.ts';

let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    // As FastAPI answers a route declared as /health/: a 307 to the slash spelling, on its own host name.
    if (req.url === '/health') res.writeHead(307, { location: 'http://data-chain:8087/health/' }).end();
    else if (req.url === '/health/')
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"healthy"}');
    else if (req.url === '/loop') res.writeHead(302, { location: '/loop' }).end();
    // A health answer that checks its dependencies first: always 200, never within 2 s.
    else if (req.url === '/slow') setTimeout(() => res.writeHead(200).end('{"status":"healthy"}'), 2300);
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
