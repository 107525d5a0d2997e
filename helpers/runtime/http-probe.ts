import { request } from 'undici';
import type { HttpAnswer } from '../model/runtime-facts.ts';

/** One GET with a short deadline; JSON bodies are parsed, others kept as text. Throws on connection errors. */
export async function httpGet(url: string, timeoutMs = 2000): Promise<HttpAnswer> {
  const res = await request(url, { method: 'GET', headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const text = await res.body.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON: keep text */
  }
  return { status: res.statusCode, body, text };
}
