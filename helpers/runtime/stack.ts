// The shared stack of one platform, as the contract declares it: every contract service of the plan (one image
// each) under its aliases, plus the contract's extra instances (stack.extraInstances: another instance of a
// service's image with its own name and env, e.g. the flows' SHA-256 data-chain), all started at once as one
// compose project would. A seventh service in a profile joins the stack with no code change.
import type { Platform } from '../model/platform.ts';
import type { ImageTarget } from '../model/target.ts';
import type { Contract, Service } from '../contract/schema.ts';
import { serviceNamed } from '../contract/load.ts';
import { CheckFailed, type Finding } from '../model/finding.ts';
import { exitStory } from './diagnostics.ts';
import { isEmulated } from '../engine/docker.ts';
import { mapLimit, startConcurrency } from './limit.ts';
import { StartError, startService, type StartedService } from './start-service.ts';
import { QUIET_HEALTHCHECK } from './lucid-container.ts';
import { waitForHttp200 } from './wait.ts';
import { docker } from '../engine/docker.ts';
import type { HttpAnswer } from '../model/runtime-facts.ts';

/** One container of a stack: a contract service's image, or an extra instance of one. */
interface StackMember {
  /** The service's name, or the extra instance's (which is also its only alias). */
  name: string;
  service: Service;
  target: ImageTarget;
  aliases: string[];
  extraEnv: Record<string, string>;
  /** Set for an extra instance: the service whose image it runs. */
  instanceOf?: string;
}

interface StackGroup {
  platform: Platform;
  /** One target per contract service, in contract order. */
  targets: ImageTarget[];
}

/**
 * Plan targets grouped by platform, in plan order, keeping only platforms that have every contract service
 * exactly once; the others are listed with what they lack (their images run in their own containers).
 */
export function stackGroups(
  contract: Contract,
  targets: readonly ImageTarget[],
): { groups: StackGroup[]; skipped: { platform: Platform; reason: string }[] } {
  const names = contract.services.map((s) => s.name);
  const byPlatform = new Map<Platform, ImageTarget[]>();
  for (const t of targets) byPlatform.set(t.platform, [...(byPlatform.get(t.platform) ?? []), t]);
  const groups: StackGroup[] = [];
  const skipped: { platform: Platform; reason: string }[] = [];
  for (const [platform, list] of byPlatform) {
    const missing = names.filter((s) => !list.some((t) => t.service === s));
    const doubled = names.filter((s) => list.filter((t) => t.service === s).length > 1);
    if (missing.length) skipped.push({ platform, reason: `lacks ${missing.join(', ')}` });
    else if (doubled.length) skipped.push({ platform, reason: `has more than one image for ${doubled.join(', ')}` });
    else groups.push({ platform, targets: names.map((s) => list.find((t) => t.service === s)!) });
  }
  return { groups, skipped };
}

/** Pure: the containers of a stack for these targets: the services, then the extra instances of those present. */
export function stackMembers(contract: Contract, targets: readonly ImageTarget[]): StackMember[] {
  const services: StackMember[] = targets.map((target) => {
    const service = serviceNamed(contract, target.service);
    return { name: service.name, service, target, aliases: service.aliases, extraEnv: {} };
  });
  const extras = contract.stack.extraInstances.flatMap((x): StackMember[] => {
    const of = services.find((m) => m.name === x.of);
    return of
      ? [{ name: x.name, service: of.service, target: of.target, aliases: [x.name], extraEnv: x.env, instanceOf: x.of }]
      : [];
  });
  return [...services, ...extras];
}

export interface Stack {
  platform: Platform;
  /** Every container of the stack by member name (services and extra instances). */
  services: Map<string, StartedService>;
  members: StackMember[];
  /** Milliseconds from the first start request until every member answered its health path. */
  startMs: number;
  /** Per member: milliseconds from its own start until its first 200. */
  firstOkMs: Map<string, number>;
  /** Per member: that first 200 (its body is judged when the container is gone before it can be asked again). */
  firstAnswers: Map<string, HttpAnswer>;
  get(name: string): StartedService;
  stop(): Promise<void>;
}

/**
 * Starts every member of one platform's stack on `network` under its aliases and waits until each answers its
 * health path. On any failure everything already started is removed, and every member that did not come up is
 * named with its state. The caller holds the network's alias lock.
 */
export async function startStack(
  contract: Contract,
  targets: ImageTarget[],
  network: string,
  opts: { hardened?: boolean } = {},
): Promise<Stack> {
  const platform = targets[0]!.platform;
  const emulated = await isEmulated(platform);
  const budget = contract.budgets[emulated ? 'emulated' : 'native'].firstHealthyResponseMs;
  const members = stackMembers(contract, targets);
  const started: StartedService[] = [];
  const byName = new Map<string, StartedService>();
  const firstOkMs = new Map<string, number>();
  const firstAnswers = new Map<string, HttpAnswer>();
  const t0 = Date.now();
  const stopAll = () => Promise.all(started.map((s) => s.stop())).then(() => undefined);
  // Every member's failure is kept, not only the first: when five of six die, the report names all five.
  const failures: Finding[] = [];
  // All at once, as compose does: healthy soonest that way, even emulated on two cores (the boot
  // floor of the benchmark starts them so; two at a time took 7.9 s instead of ~5 s here).
  const limit = process.env.LUCID_START_CONCURRENCY ? startConcurrency(emulated) : members.length;
  await mapLimit(members, limit, async (m) => {
    const env = Object.entries(m.extraEnv)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    const check = `${m.name}${m.instanceOf ? ` (${m.instanceOf} with ${env})` : ''} starts in the stack`;
    const expected = `HTTP 200 on ${m.service.healthPath} within ${budget / 1000} s`;
    let s: StartedService;
    try {
      s = await startService(contract, m.service, m.target, {
        network,
        aliases: m.aliases,
        extraEnv: m.extraEnv,
        healthcheckTiming: QUIET_HEALTHCHECK,
        hardened: opts.hardened,
      });
    } catch (e) {
      failures.push({
        check,
        expected,
        seen: (e as Error).message.split('\n')[0]!,
        where: e instanceof StartError ? e.where : undefined,
      });
      return;
    }
    started.push(s);
    byName.set(m.name, s);
    const w = await waitForHttp200(`${s.baseUrl}${m.service.healthPath}`, {
      budgetMs: budget,
      since: s.startedAt,
      container: docker().getContainer(s.container.getId()),
    });
    if (w.ok) {
      firstOkMs.set(m.name, w.elapsedMs);
      if (w.last) firstAnswers.set(m.name, w.last);
      return;
    }
    const d = await s.diagnostics();
    const seen = w.exited
      ? `the container ${exitStory(d)}`
      : `${w.last ? `HTTP ${w.last.status}` : (w.lastError ?? 'no answer')}`;
    failures.push({ check, expected, seen, where: s.describe(d) });
  });
  if (failures.length) {
    await stopAll();
    throw new CheckFailed(
      `stack [${platform}]: ${failures.length} of ${members.length} container(s) did not come up`,
      failures,
    );
  }
  return {
    platform,
    services: byName,
    members,
    startMs: Date.now() - t0,
    firstOkMs,
    firstAnswers,
    get(name) {
      const s = byName.get(name);
      if (!s) throw new Error(`${name} is not part of the stack (${[...byName.keys()].join(', ')})`);
      return s;
    },
    stop: stopAll,
  };
}
