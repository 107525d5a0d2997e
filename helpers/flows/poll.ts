// Bounded polling: every wait in a flow has a budget, and gives up early on an answer that can
// never turn into the awaited one (e.g. a 404 for an anchoring that was just accepted).

type PollVerdict<T> = { done: true; value: T } | { done: false; value: T; fatal?: boolean };

interface PollResult<T> {
  ok: boolean;
  /** The last value seen (the one that ended the wait, or the last before the budget ran out). */
  value: T;
  elapsedMs: number;
  attempts: number;
  /** True when the wait ended on a fatal answer rather than the budget. */
  fatal: boolean;
}

export async function pollUntil<T>(
  probe: () => Promise<PollVerdict<T>>,
  opts: { budgetMs: number; intervalMs: number },
): Promise<PollResult<T>> {
  const t0 = Date.now();
  for (let attempts = 1; ; attempts++) {
    const v = await probe();
    const elapsedMs = Date.now() - t0;
    if (v.done) return { ok: true, value: v.value, elapsedMs, attempts, fatal: false };
    if (v.fatal) return { ok: false, value: v.value, elapsedMs, attempts, fatal: true };
    if (elapsedMs >= opts.budgetMs) return { ok: false, value: v.value, elapsedMs, attempts, fatal: false };
    await new Promise((r) => setTimeout(r, opts.intervalMs));
  }
}
