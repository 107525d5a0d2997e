import type { Contract, Service } from '../contract/schema.ts';
import type { HealthFacts, HttpAnswer } from '../model/runtime-facts.ts';
import { docker } from '../engine/docker.ts';
import { httpGet } from './http-probe.ts';
import type { StartedService } from './start-service.ts';
import { waitForHttp200 } from './wait.ts';

/**
 * Gathers the facts for every health path a service declares: the main one first (with the startup budget,
 * counted from `since`: the container's start unless the caller says otherwise).
 */
export async function probeHealthEndpoints(
  contract: Contract,
  s: StartedService,
  opts: { since?: number } = {},
): Promise<HealthFacts[]> {
  const service: Service = s.service;
  const budgetMs = contract.budgets[s.emulated ? 'emulated' : 'native'].firstHealthyResponseMs;
  const container = docker().getContainer(s.container.getId());
  const w = await waitForHttp200(`${s.baseUrl}${service.healthPath}`, {
    budgetMs,
    since: opts.since ?? s.startedAt,
    container,
  });
  const main: HealthFacts = {
    path: service.healthPath,
    schema: service.healthSchema,
    budgetMs,
    ok: w.ok,
    elapsedMs: w.elapsedMs,
    answer: w.last,
    error: w.lastError,
    exited: w.exited,
  };
  if (!w.ok) {
    main.where = s.describe(await s.diagnostics());
    return [main];
  }
  const facts = [main];
  // The service already answered: an extra path gets the rest of the startup budget (and at least the one try it
  // had: 2 s native, more emulated, where one answer took over 2 s on a busy box), tried again on connection errors,
  // timeouts and 5xx (a readiness path may say 503 once while it warms up); a 4xx is its answer.
  const extraMinMs = s.emulated ? 10_000 : 2_000;
  const running = async () => (await container.inspect().catch(() => undefined))?.State.Running === true;
  for (const extra of service.extraHealthPaths) {
    const t0 = Date.now();
    const deadline = Math.max((opts.since ?? s.startedAt) + budgetMs, t0 + extraMinMs);
    const r = await askUntilAnswered(`${s.baseUrl}${extra.path}`, { deadline, running });
    const absent = extra.optional && r.answer?.status === 404;
    facts.push({
      path: extra.path,
      schema: extra.schema,
      budgetMs: deadline - t0,
      ok: r.answer?.status === 200 || !!absent,
      ...(absent ? { absent } : {}),
      elapsedMs: Date.now() - t0,
      answer: r.answer,
      error: r.error,
      ...(r.exited ? { exited: true } : {}),
    });
  }
  const failed = facts.filter((f) => !f.ok || (f.answer?.status !== 200 && !f.absent));
  if (failed.length) {
    const where = s.describe(await s.diagnostics());
    for (const f of failed) f.where = where;
  }
  return facts;
}

/**
 * Asks a URL until it gives an answer that stands (below 500) or the deadline passes; connection errors,
 * timeouts and 5xx are tried again, each request allowed the rest of the time (at least 2 s). A connection error
 * while the container no longer runs ends it: nothing will answer any more.
 */
export async function askUntilAnswered(
  url: string,
  opts: { deadline: number; running: () => Promise<boolean>; pollMs?: number },
): Promise<{ answer?: HttpAnswer; error?: string; exited?: boolean }> {
  let answer: HttpAnswer | undefined;
  let error: string | undefined;
  for (;;) {
    try {
      answer = await httpGet(url, Math.max(2000, opts.deadline - Date.now()));
      error = undefined;
      if (answer.status < 500) return { answer };
    } catch (e) {
      error = (e as Error).message || String(e);
      if (!(await opts.running())) return { answer, error, exited: true };
    }
    if (Date.now() >= opts.deadline) return { answer, error };
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 200));
  }
}
