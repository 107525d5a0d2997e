import { httpOnce } from './http-once.ts';
import type { HttpAnswer } from '../model/runtime-facts.ts';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
export const MAX_REDIRECTS = 3;

/**
 * Where a redirect answer sends an HTTP client: the Location's path and query, on the port the request went to
 * (its host is the container's own name, reachable here only through the published port). Undefined when the
 * answer is no redirect.
 */
export function redirectPath(status: number, location: unknown, requestUrl: string): string | undefined {
  if (!REDIRECTS.has(status) || typeof location !== 'string') return undefined;
  const next = new URL(location, requestUrl);
  return `${next.pathname}${next.search}`;
}

/**
 * One GET with a short deadline, on a connection of its own (http-once.ts); JSON bodies are parsed, others kept as text. Throws on connection errors.
 * Redirects are followed as an HTTP client (or a HEALTHCHECK's urllib) follows them: a service may canonicalise
 * /health to /health/ with a 307, as FastAPI does for a route declared with its slash. Only the Location's path
 * is taken (its host is the container's own name); the last answer is judged, its body included.
 */
export async function httpGet(url: string, timeoutMs = 2000): Promise<HttpAnswer> {
  let at = url;
  for (let hop = 0; ; hop++) {
    const res = await httpOnce(at, { headersTimeoutMs: timeoutMs, bodyTimeoutMs: timeoutMs });
    const text = res.text;
    const next = hop < MAX_REDIRECTS ? redirectPath(res.status, res.headers['location'], at) : undefined;
    if (next !== undefined) {
      at = new URL(next, at).href;
      continue;
    }
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON: keep text */
    }
    return { status: res.status, body, text };
  }
}
