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

/** The shortest deadline of one request, even at the very end of the budget. */
const MIN_REQUEST_MS = 2000;

/**
 * Polls a health URL every `pollMs` until it answers 200, the budget runs out, or the container stops.
 * A short poll keeps the delay between "answers" and "noticed" small; the container check makes a
 * crash fail at once instead of after the whole budget. A request may take the rest of the budget: a correct
 * health answer that checks its dependencies took 2.5-5 s under QEMU, and the contract bounds only the budget.
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
      last = await httpGet(url, Math.max(MIN_REQUEST_MS, since + opts.budgetMs - Date.now()));
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
