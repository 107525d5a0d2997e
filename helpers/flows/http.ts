// Requests of the flows (undici). Connection errors become an Exchange with status 0, so a dead
// service fails the step that called it with "no answer (…)" rather than a stack trace.
import { request } from 'undici';
import type { Exchange } from './exchange.ts';

export interface CallOptions {
  /** JSON-encoded when given. */
  json?: unknown;
  /** Bearer token; omitted when undefined. */
  token?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export async function call(baseUrl: string, service: string, method: string, path: string, opts: CallOptions = {}): Promise<Exchange> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (opts.token !== undefined) headers['authorization'] = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['content-type'] = 'application/json';
  }
  const timeout = opts.timeoutMs ?? 10_000;
  const t0 = Date.now();
  try {
    const res = await request(`${baseUrl}${path}`, { method: method as 'GET', headers, body, headersTimeout: timeout, bodyTimeout: timeout });
    const text = await res.body.text();
    return { service, method, path, status: res.statusCode, body: parseJson(text), text, ms: Date.now() - t0 };
  } catch (e) {
    const err = e as Error & { code?: string };
    return { service, method, path, status: 0, body: undefined, text: '', ms: Date.now() - t0, error: [err.code, err.message].filter(Boolean).join(' ') };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
