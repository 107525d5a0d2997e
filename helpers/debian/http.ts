/** Plain HTTP GET for archive files, with a typed 404 so callers can tell "vanished" from "broken". */
export class HttpNotFound extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
  ) {
    super(`${url}: HTTP ${status}`);
  }
}
class HttpError extends Error {}

const TIMEOUT_MS = Number(process.env.LUCID_HTTP_TIMEOUT_MS ?? 300_000);

export async function httpGet(url: string, attempts = 3): Promise<Buffer> {
  let lastErr: unknown;
  for (let i = 0; i < attempts; i++) {
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'follow' });
    } catch (e) {
      lastErr = e; // network errors and 5xx are retried; 4xx answers are final
      await new Promise((r) => setTimeout(r, 500 * (i + 1)));
      continue;
    }
    if (res.status === 404 || res.status === 410) {
      await res.body?.cancel();
      throw new HttpNotFound(url, res.status);
    }
    if (!res.ok) {
      await res.body?.cancel();
      lastErr = new HttpError(`${url}: HTTP ${res.status} ${res.statusText}`);
      if (res.status < 500) throw lastErr; // 5xx: a busy mirror, worth another try
      await new Promise((r) => setTimeout(r, 500 * (i + 1)));
      continue;
    }
    return Buffer.from(await res.arrayBuffer());
  }
  if (lastErr instanceof HttpError) throw lastErr;
  const why =
    lastErr instanceof Error
      ? lastErr.cause instanceof Error
        ? lastErr.cause.message
        : lastErr.message
      : String(lastErr);
  throw new HttpError(`${url}: ${why}`);
}
