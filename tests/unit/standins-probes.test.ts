// Stand-in readiness probes on crafted servers and on the Mongo wire stand-in itself (no Docker): BSON and
// OP_MSG framing, RESP PING/PONG with and without AUTH, HTTP status, TCP, and what each says when not ready.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { PROJECT_ROOT } from '../../helpers/contract/load.ts';
import type { StandIn } from '../../helpers/contract/schema.ts';
import { decodeBson, encodeBson, mongoCommand, opMsg, parseReply } from '../../helpers/runtime/mongo-wire.ts';
import {
  probeHttp,
  probeMongo,
  probeReady,
  probeRedis,
  probeTcp,
  respCommand,
} from '../../helpers/runtime/standin-probes.ts';

async function listen(onConnection: (s: Socket) => void): Promise<{ port: number; close(): void }> {
  const server = createServer(onConnection);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, close: () => server.close() };
}

describe('BSON and OP_MSG', () => {
  test('round trip of the types a hello carries', () => {
    const doc = {
      hello: 1,
      $db: 'admin',
      big: 2 ** 40,
      ratio: 0.5,
      ok: true,
      none: null,
      when: new Date(1_700_000_000_123),
      list: ['a', 2],
      sub: { x: 'y' },
      bin: new Uint8Array([1, 2, 3]),
      long: 5n,
    };
    const back = decodeBson(encodeBson(doc));
    expect(back).toEqual({ ...doc, big: 2 ** 40, long: 5n });
    expect(typeof back['big']).toBe('number'); // a double on the wire
  });

  test('an OP_MSG is framed as the spec says and its reply body is read back', () => {
    const m = opMsg(7, { ping: 1, $db: 'admin' });
    expect([m.readInt32LE(0), m.readInt32LE(4), m.readInt32LE(12), m.readUInt32LE(16), m[20]]).toEqual([
      m.length,
      7,
      2013,
      0,
      0,
    ]);
    // A reply: same framing, responseTo set.
    const reply = Buffer.from(m);
    reply.writeInt32LE(7, 8);
    expect(parseReply(reply)).toEqual({ responseTo: 7, doc: { ping: 1, $db: 'admin' } });
  });

  test('malformed documents are refused', () => {
    expect(() => decodeBson(Buffer.from([5, 0, 0, 0, 1]))).toThrow(/bad BSON document length/);
    const b = encodeBson({ a: 1 });
    b[4] = 0x13; // decimal128
    expect(() => decodeBson(b)).toThrow(/BSON type 0x13 of "a" is not supported/);
  });
});

describe('RESP, HTTP and TCP probes on crafted servers', () => {
  test('PING → PONG is ready; anything else says what came back', async () => {
    const replies: Record<string, string> = {
      pong: '+PONG\r\n',
      loading: '-LOADING Redis is loading the dataset in memory\r\n',
    };
    let mode = 'pong';
    const seen: string[] = [];
    const s = await listen((c) => c.on('data', (d) => (seen.push(d.toString('latin1')), c.write(replies[mode]!))));
    expect(await probeRedis('127.0.0.1', s.port, undefined, 1_000)).toEqual({ summary: 'PING → PONG' });
    expect(seen[0]).toBe('*1\r\n$4\r\nPING\r\n');
    mode = 'loading';
    await expect(probeRedis('127.0.0.1', s.port, undefined, 1_000)).rejects.toThrow(
      /PING answered "-LOADING Redis is loading/,
    );
    s.close();
  });

  test('with a password: AUTH first, a refused AUTH is named', async () => {
    const s = await listen((c) => {
      let buf = '';
      c.on('data', (d) => {
        buf += d.toString('latin1');
        if (!buf.includes('PING')) return;
        c.write(
          buf.includes('$6\r\nsecret\r\n')
            ? '+OK\r\n+PONG\r\n'
            : '-WRONGPASS invalid username-password pair\r\n-NOAUTH Authentication required.\r\n',
        );
      });
    });
    expect(respCommand('AUTH', 'secret').toString()).toBe('*2\r\n$4\r\nAUTH\r\n$6\r\nsecret\r\n');
    expect((await probeRedis('127.0.0.1', s.port, 'secret', 1_000)).summary).toBe('PING → PONG');
    await expect(probeRedis('127.0.0.1', s.port, 'nope!!', 1_000)).rejects.toThrow(/AUTH answered "-WRONGPASS/);
    s.close();
  });

  test('silence ends at the deadline; a refused port at once', async () => {
    const s = await listen(() => undefined);
    await expect(probeRedis('127.0.0.1', s.port, undefined, 200)).rejects.toThrow(/no complete answer within 200 ms/);
    await expect(mongoCommand('127.0.0.1', s.port, { hello: 1 }, 200)).rejects.toThrow(
      /no reply to hello within 200 ms/,
    );
    expect((await probeTcp('127.0.0.1', s.port, 500)).summary).toBe('accepts TCP connections');
    s.close();
    await expect(probeTcp('127.0.0.1', s.port, 500)).rejects.toThrow(/ECONNREFUSED/);
  });

  test('HTTP: the named path and status', async () => {
    const server = createHttpServer((req, res) => res.writeHead(req.url === '/ready' ? 204 : 404).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    expect((await probeHttp('127.0.0.1', port, '/ready', 204, 1_000)).summary).toBe('GET /ready → 204');
    await expect(probeHttp('127.0.0.1', port, '/', 200, 1_000)).rejects.toThrow(
      /GET \/ on 127\.0\.0\.1:\d+ answered 404, not 200/,
    );
    server.close();
  });
});

const python = ['python3'].find(
  (p) => spawnSync(p, ['-c', 'import sys; sys.exit(sys.version_info < (3, 11))']).status === 0,
);

describe.skipIf(!python)('probeMongo against fixtures/standins/mongo_wire.py', () => {
  const children: ChildProcess[] = [];
  afterAll(() => children.forEach((c) => c.kill('SIGTERM')));

  test('hello and ping over OP_MSG answer ok:1; the probe of the contract entry says so', async () => {
    const free = await listen(() => undefined);
    const port = free.port;
    free.close();
    const child = spawn(python!, [join(PROJECT_ROOT, 'fixtures/standins/mongo_wire.py')], {
      env: {
        ...process.env,
        PYTHONDONTWRITEBYTECODE: '1',
        MONGO_STANDIN_PORT: String(port),
        MONGO_STANDIN_BIND: '127.0.0.1',
      },
      stdio: 'ignore',
    });
    children.push(child);
    let ready: string | undefined;
    for (let i = 0; i < 100 && !ready; i++) {
      ready = await probeMongo('127.0.0.1', port, 500).then(
        (r) => r.summary,
        () => undefined,
      );
      if (!ready) await new Promise((r) => setTimeout(r, 50));
    }
    expect(ready).toBe('hello → ok:1, maxWireVersion 21, writable primary; ping → ok:1');
    const hello = await mongoCommand('127.0.0.1', port, { isMaster: 1, $db: 'admin' });
    expect(hello).toMatchObject({ ismaster: true, helloOk: true, minWireVersion: 0, maxWireVersion: 21, ok: 1 });
    expect(await mongoCommand('127.0.0.1', port, { insert: 'x', $db: 'lucid' })).toMatchObject({
      ok: 0,
      code: 59,
      codeName: 'CommandNotFound',
    });
    const s: StandIn = {
      name: 'mongo',
      image: 'builtin:mongo-wire',
      aliases: ['m'],
      port: 27017,
      env: {},
      readyBudgetMs: 1000,
      neededBy: ['data-chain'],
    };
    expect((await probeReady(s, '127.0.0.1', port)).summary).toMatch(/^hello → ok:1/);
  });
});
