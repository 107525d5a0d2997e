/** How long to wait before each retry of a request that met a 429, a 5xx or a dropped connection. */

export interface RetryPolicy {
  /** Total tries, the first included (default 5). */
  attempts: number;
  /** First delay; doubles each retry (default 500 ms). */
  baseMs: number;
  /** Upper bound of one exponential delay (default 8 s). */
  maxMs: number;
  /** A 429 whose Retry-After is longer than this fails at once instead of blocking a run (default 60 s). */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseMs: 500, maxMs: 8000, maxRetryAfterMs: 60_000 };

/** The delays between tries: attempts − 1 of them, base·2^i capped at max. No jitter: one client, one registry. */
export function backoffSchedule(p: Pick<RetryPolicy, 'attempts' | 'baseMs' | 'maxMs'>): number[] {
  return Array.from({ length: Math.max(0, p.attempts - 1) }, (_, i) => Math.min(p.maxMs, p.baseMs * 2 ** i));
}

/**
 * The wait before retry `i` (0-based) after a 429: the server's Retry-After when it gave one (honoured even
 * above the exponential cap), else the schedule. Undefined = do not retry (no tries left, or too long a wait).
 */
export function rateLimitDelay(p: RetryPolicy, i: number, retryAfterMs: number | undefined): number | undefined {
  const schedule = backoffSchedule(p);
  if (i >= schedule.length) return undefined;
  if (retryAfterMs === undefined) return schedule[i];
  return retryAfterMs > p.maxRetryAfterMs ? undefined : Math.max(retryAfterMs, 0);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
