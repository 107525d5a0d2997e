import type Dockerode from 'dockerode';
import type { HttpAnswer } from '../model/runtime-facts.ts';
import { httpGet } from './http-probe.ts';

interface WaitResult {
  ok: boolean;
  /** Milliseconds from `since` to the first 200 (or to giving up). */
  elapsedMs: number;
  last?: HttpAnswer;
  lastError?: string;
  /** Set when the container stopped running while we waited. */
  exited?: boolean;
}

/**
 * Polls a health URL every `pollMs` until it answers 200, the budget runs out, or the container stops.
 * A short poll keeps the delay between "answers" and "noticed" small; the container check makes a
 * crash fail at once instead of after the whole budget.
 */
export async function waitForHttp200(
  url: string,
  opts: { budgetMs: number; since?: number; pollMs?: number; container?: Dockerode.Container },
): Promise<WaitResult> {
  const since = opts.since ?? Date.now();
  const pollMs = opts.pollMs ?? 100;
  let last: HttpAnswer | undefined;
  let lastError: string | undefined;
  let lastStateCheck = 0;
  for (;;) {
    try {
      last = await httpGet(url, 2000);
      lastError = undefined;
      if (last.status === 200) return { ok: true, elapsedMs: Date.now() - since, last };
    } catch (e) {
      lastError = (e as Error).message || String(e);
    }
    const now = Date.now();
    if (opts.container && now - lastStateCheck > 500) {
      lastStateCheck = now;
      const info = await opts.container.inspect().catch(() => undefined);
      if (!info || !info.State.Running) return { ok: false, elapsedMs: now - since, last, lastError, exited: true };
    }
    if (now - since >= opts.budgetMs) return { ok: false, elapsedMs: now - since, last, lastError };
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
