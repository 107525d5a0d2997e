import type { Platform } from '../model/platform.ts';
import type { Contract } from '../contract/schema.ts';
import { serviceNamed } from '../contract/load.ts';
import { CheckFailed, type Finding } from '../model/finding.ts';
import { exitStory } from './diagnostics.ts';
import { isEmulated } from '../engine/docker.ts';
import { mapLimit, startConcurrency } from './limit.ts';
import type { ImageTarget } from '../model/target.ts';
import { StartError, startService, type StartedService } from './start-service.ts';
import { waitForHttp200 } from './wait.ts';
import { docker } from '../engine/docker.ts';

/**
 * Flows judge services by their answers, not by Docker health (the smoke suites check that); emulated
 * HEALTHCHECK runs cost ~2 s of CPU each, so six of them every few seconds would saturate two cores.
 */
export const QUIET_HEALTHCHECK = { intervalMs: 300_000, timeoutMs: 20_000, retries: 3 };

export interface Stack {
  platform: Platform;
  services: Map<string, StartedService>;
  /** Milliseconds from the first start request until every service answered its health path. */
  startMs: number;
  /** Per service: milliseconds from its own start until its first 200. */
  firstOkMs: Map<string, number>;
  get(name: string): StartedService;
  stop(): Promise<void>;
}

/**
 * Starts every service of one platform on the contract network under its aliases, as compose does on the Pi,
 * and waits until each answers its health path. On any failure everything already started is removed.
 */
export async function startStack(contract: Contract, targets: ImageTarget[], network: string, opts: { extraEnv?: Record<string, Record<string, string>>; hardened?: boolean } = {}): Promise<Stack> {
  const platform = targets[0]!.platform;
  const emulated = await isEmulated(platform);
  const budget = contract.budgets[emulated ? 'emulated' : 'native'].firstHealthyResponseMs;
  const started: StartedService[] = [];
  const firstOkMs = new Map<string, number>();
  const t0 = Date.now();
  const stopAll = () => Promise.all(started.map((s) => s.stop())).then(() => undefined);
  // Every service's failure is kept, not only the first: when five of six die, the report names all five.
  const failures: Finding[] = [];
  // All at once, as compose does: six healthy soonest that way, even emulated on two cores (the boot
  // floor of the benchmark starts them so; two at a time took 7.9 s instead of ~5 s here).
  const limit = process.env.LUCID_START_CONCURRENCY ? startConcurrency(emulated) : targets.length;
  await mapLimit(targets, limit, async (target) => {
    const service = serviceNamed(contract, target.service);
    const check = `${service.name} starts in the stack`;
    const expected = `HTTP 200 on ${service.healthPath} within ${budget / 1000} s`;
    let s: StartedService;
    try {
      s = await startService(contract, service, target, { network, aliases: service.aliases, extraEnv: opts.extraEnv?.[service.name], healthcheckTiming: QUIET_HEALTHCHECK, hardened: opts.hardened });
    } catch (e) {
      failures.push({ check, expected, seen: (e as Error).message.split('\n')[0]!, where: e instanceof StartError ? e.where : undefined });
      return;
    }
    started.push(s);
    const w = await waitForHttp200(`${s.baseUrl}${service.healthPath}`, { budgetMs: budget, since: s.startedAt, container: docker().getContainer(s.container.getId()) });
    if (w.ok) return void firstOkMs.set(service.name, w.elapsedMs);
    const d = await s.diagnostics();
    const seen = w.exited ? `the container ${exitStory(d)}` : `${w.last ? `HTTP ${w.last.status}` : (w.lastError ?? 'no answer')}`;
    failures.push({ check, expected, seen, where: s.describe(d) });
  });
  if (failures.length) {
    await stopAll();
    throw new CheckFailed(`stack [${platform}]: ${failures.length} of ${targets.length} service(s) did not come up`, failures);
  }
  const services = new Map(started.map((s) => [s.service.name, s]));
  return {
    platform,
    services,
    startMs: Date.now() - t0,
    firstOkMs,
    get(name) {
      const s = services.get(name);
      if (!s) throw new Error(`service ${name} is not part of the stack (${[...services.keys()].join(', ')})`);
      return s;
    },
    stop: stopAll,
  };
}
