// One HTTP request on a connection of its own (node:http, no agent), shared by the health probes and the flows.
// Why not a pooled client: a service may close an idle kept-alive connection at any moment (Python's http.server
// with a socket timeout, gunicorn's 2 s keepalive) and a request sent on it just then is lost — a correct
// service would fail on a race. Why not undici: it rejects a 100 Continue the request did not ask for, which
// RFC 9110 §15.2 requires a client to accept (node:http skips any 1xx before the final answer).
import { request, type IncomingHttpHeaders } from 'node:http';

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body decoded as UTF-8 (a leading BOM dropped). */
  text: string;
}

export interface OnceOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Until the final answer's headers arrive. */
  headersTimeoutMs: number;
  /** Longest pause between two pieces of the body. */
  bodyTimeoutMs: number;
}

class HttpTimeout extends Error {
  readonly code = 'ETIMEDOUT';
}

export function httpOnce(url: string, opts: OnceOptions): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (err: Error | undefined, answer?: RawAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(answer!);
    };
    const arm = (ms: number, what: string) => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(new HttpTimeout(`${what} within ${ms} ms`)), ms);
    };
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent: false });
    arm(opts.headersTimeoutMs, 'no answer headers');
    req.on('error', (e) => finish(e));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      arm(opts.bodyTimeoutMs, 'no body data');
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        arm(opts.bodyTimeoutMs, 'no more body data');
      });
      res.on('error', (e) => finish(e));
      res.on('end', () =>
        finish(undefined, {
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: new TextDecoder().decode(Buffer.concat(chunks)),
        }),
      );
      // A connection closed before the body was complete (fewer bytes than Content-Length): no answer.
      res.on('close', () => {
        if (!res.complete)
          finish(Object.assign(new Error('connection closed before the body was complete'), { code: 'ECONNRESET' }));
      });
    });
    req.end(opts.body);
  });
}
