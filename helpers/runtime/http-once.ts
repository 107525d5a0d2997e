// One HTTP request on a connection of its own (node:http, no agent), shared by the health probes and the flows.
// Why not a pooled client: a service may close an idle kept-alive connection at any moment (Python's http.server
// with a socket timeout, gunicorn's 2 s keepalive) and a request sent on it just then is lost — a correct
// service would fail on a race. Why not undici: it rejects a 100 Continue the request did not ask for, which
// RFC 9110 §15.2 requires a client to accept (node:http skips any 1xx before the final answer).
import { request, type IncomingHttpHeaders } from 'node:http';
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body, its Content-Encoding undone, decoded as UTF-8 (a leading BOM dropped). */
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
    // The lenient parser reads what curl and Python's http.client (the image's own HEALTHCHECK) read: lines ended by
    // a bare LF, a Content-Length repeated with the same value (RFC 9112 §2.2, RFC 9110 §8.6 let a client accept both).
    // The peer is the service under test, not an untrusted proxy, so request smuggling is not at stake here.
    const req = request(url, {
      method: opts.method ?? 'GET',
      headers: opts.headers,
      agent: false,
      insecureHTTPParser: true,
    });
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
          text: new TextDecoder().decode(decoded(Buffer.concat(chunks), res.headers['content-encoding'])),
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

const DECODERS: Record<string, (b: Buffer) => Buffer> = {
  gzip: gunzipSync,
  'x-gzip': gunzipSync,
  br: brotliDecompressSync,
  // "deflate" is zlib-wrapped by the RFC; some servers send it raw.
  deflate: (b) => {
    try {
      return inflateSync(b);
    } catch {
      return inflateRawSync(b);
    }
  },
  identity: (b) => b,
};

/**
 * Undoes a Content-Encoding. The harness sends no Accept-Encoding, which RFC 9110 §12.5.3 reads as "no preference":
 * a server may compress anyway. A coding this cannot undo, or a body that does not decode, is kept as it came, for
 * the judge to show.
 */
function decoded(body: Buffer, encoding: string | undefined): Buffer {
  const codings = (encoding ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter(Boolean);
  try {
    return codings.reduceRight((b, c) => {
      const undo = DECODERS[c];
      if (!undo) throw new Error(`unknown coding ${c}`);
      return undo(b);
    }, body);
  } catch {
    return body;
  }
}
