import type { Contract, Service } from '../contract/schema.ts';
import type { HealthFacts } from '../model/runtime-facts.ts';
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
  const raw = s.container;
  const w = await waitForHttp200(`${s.baseUrl}${service.healthPath}`, {
    budgetMs,
    since: opts.since ?? s.startedAt,
    container: docker().getContainer(raw.getId()),
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
  // The service already answered: an extra path only has to answer once. Under QEMU on a busy box one
  // answer took over 2 s (seen in the smoke matrix), so emulated runs get more time.
  const extraBudgetMs = s.emulated ? 10_000 : 2_000;
  for (const extra of service.extraHealthPaths) {
    const t0 = Date.now();
    try {
      const answer = await httpGet(`${s.baseUrl}${extra.path}`, extraBudgetMs);
      const absent = extra.optional && answer.status === 404;
      facts.push({
        path: extra.path,
        schema: extra.schema,
        budgetMs: extraBudgetMs,
        ok: answer.status === 200 || absent,
        ...(absent ? { absent } : {}),
        elapsedMs: Date.now() - t0,
        answer,
      });
    } catch (e) {
      facts.push({
        path: extra.path,
        schema: extra.schema,
        budgetMs: extraBudgetMs,
        ok: false,
        elapsedMs: Date.now() - t0,
        error: (e as Error).message,
      });
    }
  }
  const failed = facts.filter((f) => !f.ok || (f.answer?.status !== 200 && !f.absent));
  if (failed.length) {
    const where = s.describe(await s.diagnostics());
    for (const f of failed) f.where = where;
  }
  return facts;
}
