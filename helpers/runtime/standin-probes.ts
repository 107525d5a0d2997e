// Readiness probes of stand-ins (contract standIns[].ready): each resolves with one line saying what the
// stand-in answered, or rejects with why it is not ready. They run from the harness against the published port.
import { connect } from 'node:net';
import { request } from 'undici';
import { builtinOf, readinessOf, type StandIn } from '../contract/schema.ts';
import { mongoCommand } from './mongo-wire.ts';
import { probeTorControl, type TorControlFacts } from './tor-control.ts';

export interface ReadyFacts {
  /** e.g. `PING → PONG`, `hello → ok:1, maxWireVersion 21`, `Tor "0.4.8.13", bootstrap 100%`. */
  summary: string;
  /** What a Tor control port said (tor-control probes). */
  tor?: TorControlFacts;
}

/** Sends `payload` (if any) and resolves with what came back once `done(received)` says it is complete. */
function tcpExchange(
  host: string,
  port: number,
  payload: Buffer | undefined,
  done: (got: Buffer) => boolean,
  timeoutMs: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let got = Buffer.alloc(0);
    let settled = false;
    const finish = (e?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (e) reject(e);
      else resolve(got);
    };
    const timer = setTimeout(
      () =>
        finish(
          new Error(
            `${host}:${port}: no complete answer within ${timeoutMs} ms${got.length ? ` (got ${JSON.stringify(got.toString('latin1').slice(0, 60))})` : ''}`,
          ),
        ),
      timeoutMs,
    );
    socket.on('connect', () => {
      if (!payload) return finish();
      socket.write(payload);
    });
    socket.on('data', (c: Buffer) => {
      got = Buffer.concat([got, c]);
      if (done(got)) finish();
    });
    socket.on('error', (e) => finish(new Error(`${host}:${port}: ${e.message}`)));
    socket.on('close', () =>
      finish(
        done(got)
          ? undefined
          : new Error(
              `${host}:${port}: the connection closed${got.length ? ` after ${JSON.stringify(got.toString('latin1').slice(0, 60))}` : ' without an answer'}`,
            ),
      ),
    );
  });
}

/** RESP array of bulk strings, as redis-cli sends commands. */
export const respCommand = (...args: string[]) =>
  Buffer.from(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);

/** Complete RESP simple replies (+OK, -ERR …) in `got`, one per CRLF line. */
const respLines = (got: Buffer) => got.toString('latin1').split('\r\n').slice(0, -1);

export async function probeRedis(
  host: string,
  port: number,
  password: string | undefined,
  timeoutMs: number,
): Promise<ReadyFacts> {
  const cmds = [...(password ? [respCommand('AUTH', password)] : []), respCommand('PING')];
  const got = await tcpExchange(host, port, Buffer.concat(cmds), (g) => respLines(g).length >= cmds.length, timeoutMs);
  const lines = respLines(got);
  const last = lines[cmds.length - 1];
  if (password && lines[0] !== '+OK') throw new Error(`${host}:${port}: AUTH answered ${JSON.stringify(lines[0])}`);
  if (last !== '+PONG') throw new Error(`${host}:${port}: PING answered ${JSON.stringify(last)}, not +PONG`);
  return { summary: 'PING → PONG' };
}

export async function probeMongo(host: string, port: number, timeoutMs: number): Promise<ReadyFacts> {
  const r = await mongoCommand(host, port, { hello: 1, $db: 'admin' }, timeoutMs);
  if (r['ok'] !== 1)
    throw new Error(
      `${host}:${port}: hello answered ok:${String(r['ok'])}${r['errmsg'] ? ` (${String(r['errmsg'])})` : ''}`,
    );
  const ping = await mongoCommand(host, port, { ping: 1, $db: 'admin' }, timeoutMs);
  if (ping['ok'] !== 1) throw new Error(`${host}:${port}: ping answered ok:${String(ping['ok'])}`);
  return {
    summary: `hello → ok:1, maxWireVersion ${String(r['maxWireVersion'])}${r['isWritablePrimary'] === true ? ', writable primary' : ''}; ping → ok:1`,
  };
}

export async function probeHttp(
  host: string,
  port: number,
  path: string,
  status: number,
  timeoutMs: number,
): Promise<ReadyFacts> {
  const r = await request(`http://${host}:${port}${path}`, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs }).catch(
    (e: Error) => {
      throw new Error(`GET ${path} on ${host}:${port}: ${e.message}`);
    },
  );
  await r.body.dump();
  if (r.statusCode !== status)
    throw new Error(`GET ${path} on ${host}:${port} answered ${r.statusCode}, not ${status}`);
  return { summary: `GET ${path} → ${status}` };
}

export async function probeTcp(host: string, port: number, timeoutMs: number): Promise<ReadyFacts> {
  await tcpExchange(host, port, undefined, () => true, timeoutMs);
  return { summary: 'accepts TCP connections' };
}

/** One attempt of the stand-in's readiness probe. */
export async function probeReady(s: StandIn, host: string, port: number, timeoutMs = 1_000): Promise<ReadyFacts> {
  const r = readinessOf(s);
  switch (r.probe) {
    case 'tcp':
      return probeTcp(host, port, timeoutMs);
    case 'http':
      return probeHttp(host, port, r.path, r.status, timeoutMs);
    case 'redis':
      return probeRedis(host, port, r.password, timeoutMs);
    case 'mongo':
      return probeMongo(host, port, timeoutMs);
    case 'tor-control': {
      const password = r.password ?? (builtinOf(s) === 'tor-control' ? s.env['TOR_STANDIN_PASSWORD'] : undefined);
      const tor = await probeTorControl(host, port, { password, timeoutMs });
      const b = tor.bootstrap;
      return { summary: `Tor "${tor.protocolInfo.torVersion}", bootstrap ${b ? `${b.progress}%` : 'unknown'}`, tor };
    }
  }
}

/** What the probe is, for messages: "PROTOCOLINFO", "PING/PONG", … */
export function probeName(s: StandIn): string {
  const r = readinessOf(s);
  return {
    tcp: 'a TCP connection',
    http: r.probe === 'http' ? `GET ${r.path} → ${r.status}` : '',
    'tor-control': 'PROTOCOLINFO',
    redis: 'PING/PONG',
    mongo: 'hello/ping over OP_MSG',
  }[r.probe];
}
