// Requests of the flows, each on a connection of its own (runtime/http-once.ts). Connection errors become an Exchange with status 0, so a dead
// service fails the step that called it with "no answer (…)" rather than a stack trace.
import { httpOnce } from '../runtime/http-once.ts';
import { MAX_REDIRECTS, redirectPath } from '../runtime/http-probe.ts';
import type { Exchange } from './exchange.ts';

export interface CallOptions {
  /** JSON-encoded when given. */
  json?: unknown;
  /** Bearer token; omitted when undefined. */
  token?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/**
 * One request, following redirects as an HTTP client does (a service may canonicalise a trailing slash with a
 * 307, as FastAPI does): 307/308 keep method and body, the others become a GET. Only the Location's path is
 * taken: its host is the container's own name, reachable here only through the published port.
 */
export async function call(
  baseUrl: string,
  service: string,
  method: string,
  path: string,
  opts: CallOptions = {},
): Promise<Exchange> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (opts.token !== undefined) headers['authorization'] = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['content-type'] = 'application/json';
  }
  const timeout = opts.timeoutMs ?? 10_000;
  const t0 = Date.now();
  let [m, p] = [method, path];
  const hops: string[] = [];
  try {
    for (;;) {
      const res = await httpOnce(`${baseUrl}${p}`, {
        method: m,
        headers,
        body,
        headersTimeoutMs: timeout,
        bodyTimeoutMs: timeout,
      });
      const { text } = res;
      const location = res.headers['location'];
      const next = hops.length < MAX_REDIRECTS ? redirectPath(res.status, location, `${baseUrl}${p}`) : undefined;
      if (next !== undefined) {
        hops.push(`${res.status} → ${location}`);
        p = next;
        if (res.status !== 307 && res.status !== 308) {
          m = 'GET';
          body = undefined;
          delete headers['content-type'];
        }
        continue;
      }
      return {
        service,
        method,
        path,
        status: res.status,
        body: parseJson(text),
        text,
        ms: Date.now() - t0,
        ...(hops.length ? { redirects: hops } : {}),
      };
    }
  } catch (e) {
    const err = e as Error & { code?: string };
    return {
      service,
      method,
      path,
      status: 0,
      body: undefined,
      text: '',
      ms: Date.now() - t0,
      error: [err.code, err.message].filter(Boolean).join(' '),
    };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
