// A byte-level HTTP server on 127.0.0.1 for transport tests: each test takes one choice a correct service may
// take (HTTP/1.0, no Content-Length, a 1xx first, dropping a kept-alive connection…) that node:http would not.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface RawRequest {
  method: string;
  path: string;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  body: string;
  /** 0 for the first request on its connection, 1 for the next one on the same connection… */
  onConnection: number;
}

/** What to write back: bytes (the connection stays open unless `close`), or 'drop' to destroy it unanswered. */
export type RawReply = { bytes: string | Buffer; close?: boolean } | 'drop';

export interface RawServer {
  base: string;
  requests: RawRequest[];
  close(): Promise<void>;
}

/**
 * `oneAtATime`: serves one connection until its client closes it, the others waiting their turn — Python's
 * single-threaded http.server.HTTPServer speaking HTTP/1.1.
 */
export async function rawServer(
  reply: (req: RawRequest) => RawReply | Promise<RawReply>,
  opts: { oneAtATime?: boolean } = {},
): Promise<RawServer> {
  const requests: RawRequest[] = [];
  const sockets = new Set<Socket>();
  const waiting: Socket[] = [];
  let serving: Socket | undefined;
  const serveNext = () => {
    serving = waiting.shift();
    serving?.resume();
  };
  const server: Server = createServer({ pauseOnConnect: !!opts.oneAtATime }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      if (opts.oneAtATime && socket === serving) serveNext();
    });
    socket.on('error', () => {});
    if (opts.oneAtATime) {
      waiting.push(socket);
      if (!serving) serveNext();
    }
    let buf = Buffer.alloc(0);
    let onConnection = 0;
    let busy = false;
    const next = async (): Promise<void> => {
      if (busy) return;
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [line = '', ...lines] = buf.subarray(0, end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines)
        headers[l.slice(0, l.indexOf(':')).trim().toLowerCase()] = l.slice(l.indexOf(':') + 1).trim();
      const length = Number(headers['content-length'] ?? 0);
      if (buf.length < end + 4 + length) return;
      const [method = '', path = ''] = line.split(' ');
      const req = { method, path, headers, body: buf.subarray(end + 4, end + 4 + length).toString(), onConnection };
      buf = buf.subarray(end + 4 + length);
      onConnection++;
      requests.push(req);
      busy = true;
      const r = await reply(req);
      busy = false;
      if (r === 'drop') return void socket.destroy();
      if (r.close) socket.end(r.bytes);
      else socket.write(r.bytes, () => void next());
    };
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      void next();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A response's bytes: status line, headers as given (no Content-Length added), body. */
export function response(status: string, headers: string[], body: string | Buffer = ''): Buffer {
  const head = Buffer.from(`${status}\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`, 'latin1');
  return Buffer.concat([head, Buffer.isBuffer(body) ? body : Buffer.from(body)]);
}

/** An HTTP/1.1 200 with Content-Length and the given extra headers. */
export const ok = (body: string | Buffer, headers: string[] = []): Buffer =>
  response('HTTP/1.1 200 OK', [...headers, `Content-Length: ${Buffer.byteLength(body)}`], body);
