// One HTTP request of a flow and its answer, and how a failure message names them (pure).
import { parse } from 'lossless-json';
import { JsonNumberText } from '../crypto/canonical-json.ts';

export interface Exchange {
  /** Contract service name (or a flow-local name such as data-chain-sha256). */
  service: string;
  method: string;
  /** Path and query as sent, e.g. /api/v1/blocks/height/3. */
  path: string;
  /** HTTP status; 0 when nothing answered (see `error`). */
  status: number;
  /** Parsed JSON, or the raw text when the body is not JSON. */
  body: unknown;
  text: string;
  ms: number;
  /** Connection error or timeout, when status is 0. */
  error?: string;
  /** Redirects followed on the way ("307 → /api/v1/transactions/"). */
  redirects?: string[];
}

/** "GET block-manager /api/v1/blocks/height/3": what a failure message calls a request. */
export const requestLine = (x: Pick<Exchange, 'method' | 'service' | 'path'>): string =>
  `${x.method} ${x.service} ${x.path}`;

export function excerpt(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** "HTTP 404 {"detail":"…"}" or "no answer (connect ECONNREFUSED …)": what a finding says was seen. */
export function seenOf(x: Exchange, max = 300): string {
  if (x.status === 0) return `no answer (${x.error ?? 'unknown error'})`;
  const body = x.text ? ` ${excerpt(x.text, max)}` : ' (empty body)';
  return `HTTP ${x.status}${body}`;
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON with object keys sorted, so two answers compare equal whatever their key order. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (isObject(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/**
 * The body parsed again from its text with every number kept as written (JsonNumberText), for hashes over the
 * service's own JSON (tx ids): JSON.parse turns `0.0` into 0 and rounds ints beyond 2^53. A repeated key keeps
 * its last value, as JSON.parse and Python's json do. Undefined when the text is not JSON.
 */
export function bodyWithNumberText(x: Pick<Exchange, 'text'>): unknown {
  try {
    return parse(x.text, null, {
      parseNumber: (text) => new JsonNumberText(text),
      onDuplicateKey: ({ newValue }) => newValue,
    });
  } catch {
    return undefined;
  }
}
