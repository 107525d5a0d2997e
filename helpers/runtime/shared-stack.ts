// One stack per platform, started once before any suite runs and shared by all of them (vitest globalSetup
// with provide/inject): the smoke runtime facts are read from its containers, then the flows run on it.
// Each image boots once per platform instead of three times (own run, hardened run, flow stack).
import type { Platform } from '../model/platform.ts';
import type { Contract, Service } from '../contract/schema.ts';
import { serviceNamed } from '../contract/load.ts';
import { docker, isEmulated } from '../engine/docker.ts';
import { harnessLabels, RUN_ID } from '../engine/labels.ts';
import { gatherImageFacts } from '../facts/gather.ts';
import { runHealthcheckOnce } from './healthcheck-exec.ts';
import { mapLimit, startConcurrency } from './limit.ts';
import { probeHealthEndpoints } from './probe-health.ts';
import type { HealthFacts, HttpAnswer, SmokeRuntimeFacts } from '../model/runtime-facts.ts';
import { targetKey, type SharedRun, type SharedStackHandle } from '../model/shared-run.ts';
import { containerEnd, inspectRunning } from './smoke-run.ts';
import { stackGroups, startStack, type Stack } from './stack.ts';
import { startStandIns, type StandIns } from './standins.ts';
import { stackImages, underTestIn } from './peers.ts';
import type { ImageTarget } from '../model/target.ts';
import type { StartedService } from './start-service.ts';

type Log = (line: string) => void;

/**
 * A network of its own for every stack after the first: two platforms' stacks cannot share aliases on one
 * network, and running them side by side halves the wall time. Labelled, so the sweep removes it.
 */
async function extraNetwork(contract: Contract, platform: Platform): Promise<string> {
  const name = `${contract.network.name}.${platform.replace('/', '-')}.${RUN_ID}`;
  await docker().createNetwork({
    Name: name,
    Driver: 'bridge',
    CheckDuplicate: true,
    Labels: harnessLabels('network'),
  });
  return name;
}

/**
 * Pure: the re-probe's health facts told with the stack start's first 200. Passed, the first 200 is the stack
 * start's (the figure recorded); failed, the facts are the re-probe's, and say it had answered before. A container
 * that stopped before it could be asked again had become healthy: its first answer is judged, the paths never
 * asked are marked so (the crash is still-running's finding, after the flows, not health's).
 */
export function withStackStart(
  health: HealthFacts[],
  first: { elapsedMs: number; answer?: HttpAnswer } | undefined,
  service: Service,
): HealthFacts[] {
  const main = health[0];
  if (!main || !first) return health;
  if (main.ok) return [{ ...main, elapsedMs: first.elapsedMs }, ...health.slice(1)];
  if (!main.exited || !first.answer) return [{ ...main, earlierOkMs: first.elapsedMs }, ...health.slice(1)];
  return [
    {
      path: main.path,
      schema: main.schema,
      budgetMs: main.budgetMs,
      ok: true,
      elapsedMs: first.elapsedMs,
      answer: first.answer,
    },
    ...service.extraHealthPaths.map((x) => ({
      path: x.path,
      schema: x.schema,
      budgetMs: main.budgetMs,
      ok: false,
      elapsedMs: main.elapsedMs,
      exited: true,
    })),
  ];
}

/** Smoke facts of one stack container: it answered, so its own run and its hardened run are this one. */
async function smokeFactsOf(
  contract: Contract,
  s: StartedService,
  first: { elapsedMs: number; answer?: HttpAnswer } | undefined,
): Promise<SmokeRuntimeFacts> {
  const facts = await gatherImageFacts(s.target.image, { platform: s.target.platform }).catch(() => undefined);
  // It answered 200 at the stack's start, maybe longer ago than the startup budget (the other members, the
  // facts of the images read before it): the re-probe gets a budget of its own, from now.
  const health = withStackStart(
    await probeHealthEndpoints(contract, s, first ? { since: Date.now() } : {}),
    first,
    s.service,
  );
  const budget = contract.budgets[s.emulated ? 'emulated' : 'native'].dockerHealthyMs;
  const timing = contract.runtimeHealthcheck[s.emulated ? 'emulated' : 'native'];
  // As the re-probe: its retries count from now, not from a stack start that may be older than the budget.
  const dockerHealth = await runHealthcheckOnce(
    docker().getContainer(s.container.getId()),
    timing,
    s.startedAt,
    budget,
    first ? Date.now() : s.startedAt,
  );
  const ok = health.every((h) => h.ok) && dockerHealth.status === 'healthy';
  const inspected = await inspectRunning(contract, s, facts);
  // How it stands once read, as on the own-container path: a stopped container's checks point to its end.
  const end = await containerEnd(s);
  const run = { health, dockerHealth, end, where: ok ? undefined : end.where };
  return { normal: { ...run, ...inspected }, hardened: run, source: 'shared-stack' };
}

/** The stand-ins of one network as a handle carries them (serialisable). */
function standInHandles(s: StandIns | undefined): NonNullable<SharedStackHandle['standIns']> {
  const out: NonNullable<SharedStackHandle['standIns']> = {};
  for (const x of s?.started ?? []) out[x.standIn.name] = { containerId: x.container.getId() };
  for (const x of s?.skipped ?? []) out[x.name] = { skipped: x.reason };
  return out;
}

function handleOf(
  platform: Platform,
  network: string,
  emulated: boolean,
  stack: Stack,
  standIns: StandIns | undefined,
): SharedStackHandle {
  const services: SharedStackHandle['services'] = {};
  for (const m of stack.members) {
    const s = stack.get(m.name);
    services[m.name] = {
      containerId: s.container.getId(),
      baseUrl: s.baseUrl,
      ...(m.instanceOf && { instanceOf: m.instanceOf }),
    };
  }
  return {
    platform,
    network,
    emulated,
    services,
    standIns: standInHandles(standIns),
    stackStartMs: stack.startMs,
    firstOkMs: Object.fromEntries(stack.firstOkMs),
  };
}

/**
 * Starts a hardened stack for every platform of the plan that has every contract service (the first on the contract
 * network, under the alias lock the caller holds for it with its stand-ins, the others each on a network of
 * their own with their own stand-ins), then
 * reads the smoke runtime facts of its images from it. A stack that fails to come up is reported in its
 * handle; its images then get their own containers in the smoke suite, which tells which run condition broke.
 */
export async function startSharedStacks(
  contract: Contract,
  targets: readonly ImageTarget[],
  contractNetwork: string,
  log: Log,
  /** Settles when the contract network's stand-ins are ready: only the stack on that network waits for it. */
  contractNetworkReady: Promise<StandIns | undefined> = Promise.resolve(undefined),
  /**
   * smokeFacts false: a run without the smoke suite (e.g. the flow matrix's) reads none. peers: images that fill in
   * for services the targets lack (verify --peers), started in the stack but not judged, so no facts are read.
   */
  opts: { smokeFacts?: boolean; peers?: readonly ImageTarget[] } = {},
): Promise<{ run: SharedRun; stop(): Promise<void> }> {
  const { groups } = stackGroups(contract, stackImages(targets, opts.peers));
  const judged = underTestIn(targets);
  // The images' facts (layer indexes, for the shells to try) are read now, while the stand-ins boot: read
  // later, a cold index ran on this process's event loop while the other platform's stack was booting, and
  // delayed it (a cold verify took 11.5 s longer than a warm one; memoised, so smokeFactsOf waits for these).
  if (opts.smokeFacts !== false)
    for (const g of groups)
      for (const t of g.targets.filter(judged))
        gatherImageFacts(t.image, { platform: t.platform }).catch(() => undefined);
  const stacks: Stack[] = [];
  const standIns: StandIns[] = [];
  const run: SharedRun = { stacks: [], smoke: {} };
  await Promise.all(
    groups.map(async (group, i) => {
      const emulated = await isEmulated(group.platform);
      let network = contractNetwork;
      let mine: StandIns | undefined;
      try {
        // The stand-ins first: a service that needs one (data-chain's storage) is not healthy without it.
        if (i > 0) {
          network = await extraNetwork(contract, group.platform);
          mine = await startStandIns(contract, network, { services: group.targets.map((t) => t.service), log });
          standIns.push(mine);
        } else {
          mine = await contractNetworkReady;
        }
        // The contract network's alias lock is the caller's (global setup): it covers that network's stand-ins too.
        const stack = await startStack(contract, group.targets, network, { hardened: true });
        stacks.push(stack);
        run.stacks.push(handleOf(group.platform, network, emulated, stack, mine));
        log(
          `shared stack [${group.platform}] on ${network}: ${stack.members.length} containers (${stack.members.map((m) => m.name).join(', ')}) answered after ${stack.startMs} ms`,
        );
        if (opts.smokeFacts === false) return;
        // Emulated probes are Python starts under QEMU: no more at once than there are cores.
        const t0 = Date.now();
        const underTest = group.targets.filter(judged);
        await mapLimit(underTest, emulated ? startConcurrency(true) : 6, async (t) => {
          try {
            const name = serviceNamed(contract, t.service).name;
            const firstOkMs = stack.firstOkMs.get(name);
            run.smoke[targetKey(t)] = await smokeFactsOf(
              contract,
              stack.get(name),
              firstOkMs === undefined ? undefined : { elapsedMs: firstOkMs, answer: stack.firstAnswers.get(name) },
            );
          } catch (e) {
            log(
              `shared stack [${group.platform}]: could not read the runtime facts of ${t.label}, it gets its own containers: ${(e as Error).message}`,
            );
          }
        });
        log(
          `shared stack [${group.platform}]: runtime facts of ${underTest.length} images read in ${Date.now() - t0} ms`,
        );
      } catch (e) {
        run.stacks.push({ platform: group.platform, network, emulated, services: {}, error: (e as Error).message });
        log(
          `shared stack [${group.platform}] did not come up; its images get their own containers: ${(e as Error).message.split('\n')[0]}`,
        );
      }
    }),
  );
  return {
    run,
    stop: async () => {
      await Promise.all(stacks.map((s) => s.stop()));
      await Promise.all(standIns.map((s) => s.stop()));
    },
  };
}
