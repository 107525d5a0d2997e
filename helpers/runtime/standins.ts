// Stand-ins (contract `standIns`): the infrastructure the real images need — the Tor control port the real
// api-gateway asks for, a Mongo for data-chain's storage, a Redis — started once per run on a network before
// the services that need them, under the declared aliases, ready by their own probe, removed after. An image
// is judged with what its deployment gives it. Built-in ones run on the engine's native platform: they are
// infrastructure, not the image under test, and every container on the network reaches them alike.
import '../engine/testcontainers-env.ts';
import type { StartedTestContainer } from 'testcontainers';
import type { Platform } from '../model/platform.ts';
import { builtinOf, type Contract, type StandIn } from '../contract/schema.ts';
import { docker, engineFacts } from '../engine/docker.ts';
import { engineEndpoint } from '../engine/endpoint.ts';
import { harnessLabels, LABEL_OWNER } from '../engine/labels.ts';
import type { Log } from '../image/build.ts';
import { builtinRunSettings, ensureStandInImage } from '../../fixtures/standins/image.ts';
import { demux } from './diagnostics.ts';
import { LucidContainer, QUIET_HEALTHCHECK } from './lucid-container.ts';
import { probeName, probeReady, type ReadyFacts } from './standin-probes.ts';

export const LABEL_STANDIN = 'io.lucid.harness.standin';

/** The stand-ins some of `services` need (all declared ones when `services` is not given). */
export const standInsNeeded = (contract: Contract, services?: readonly string[]): StandIn[] =>
  contract.standIns.filter((s) => !services || s.neededBy.some((n) => services.includes(n)));

/** The container env of a stand-in: what a built-in needs to listen on the contract port, then the contract's env. */
export function standInEnv(s: StandIn): Record<string, string> {
  return { ...builtinRunSettings(s).env, ...s.env };
}

export async function nativePlatform(): Promise<Platform> {
  const arch = (await engineFacts()).arch;
  if (arch !== 'amd64' && arch !== 'arm64')
    throw new Error(`the engine's architecture ${arch} has no reference base image (amd64, arm64)`);
  return `linux/${arch}`;
}

/**
 * alias → a container not made by the harness already answering to it on the network (by alias or name).
 * On the Pi the network may hold the real tor-proxy from compose: a second container under the same name
 * would split DNS answers between the two, so that stand-in is not started. Another run's stand-in does
 * not count: it leaves when that run ends, and the engine's DNS answers only with running containers.
 */
async function namesInUse(network: string, names: readonly string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const net = await docker()
    .getNetwork(network)
    .inspect()
    .catch(() => undefined);
  const ids = Object.keys((net?.Containers ?? {}) as Record<string, unknown>);
  for (const id of ids) {
    const c = await docker()
      .getContainer(id)
      .inspect()
      .catch(() => undefined);
    if (!c || c.Config.Labels?.[LABEL_OWNER] === 'true') continue;
    const name = c.Name.replace(/^\//, '');
    const aliases = [name, ...(c.NetworkSettings.Networks[network]?.Aliases ?? [])];
    for (const n of names) if (aliases.includes(n) && !found.has(n)) found.set(n, name);
  }
  return found;
}

interface StartedStandIn {
  standIn: StandIn;
  platform: Platform;
  container: StartedTestContainer;
  /** Where the harness reaches the stand-in's port (published on the engine's loopback unless remote). */
  host: string;
  port: number;
  /** What its readiness probe saw. */
  ready: ReadyFacts;
  readyMs: number;
  /** The image it runs (an id) and how it is named in messages. */
  image: string;
  label: string;
  stop(): Promise<void>;
}

export interface StandIns {
  started: StartedStandIn[];
  /** Stand-ins not started, and why (a container on the network already answers to the alias). */
  skipped: { name: string; reason: string }[];
  stop(): Promise<void>;
}

interface StandInOptions {
  /** Default: the engine's native platform. */
  platform?: Platform;
  /** Only the stand-ins these services need (the plan's targets); default every declared one. */
  services?: readonly string[];
  log?: Log;
}

/** Starts each needed stand-in on `network` (side by side) and waits until each is ready; on any failure all are removed. */
export async function startStandIns(contract: Contract, network: string, opts: StandInOptions = {}): Promise<StandIns> {
  const wanted = standInsNeeded(contract, opts.services);
  const started: StartedStandIn[] = [];
  const skipped: StandIns['skipped'] = [];
  const stopAll = async () => {
    await Promise.all(started.map((s) => s.stop()));
  };
  if (!wanted.length) return { started, skipped, stop: stopAll };
  const platform = opts.platform ?? (await nativePlatform());
  const taken = await namesInUse(
    network,
    wanted.flatMap((s) => s.aliases),
  );
  const toStart: StandIn[] = [];
  for (const s of wanted) {
    const owner = s.aliases.map((a) => taken.get(a)).find(Boolean);
    if (!owner) {
      toStart.push(s);
      continue;
    }
    skipped.push({
      name: s.name,
      reason: `container ${owner} already answers to ${s.aliases.join('/')} on ${network}`,
    });
    opts.log?.(`stand-in ${s.name}: not started, ${skipped.at(-1)!.reason}`);
  }
  const results = await Promise.allSettled(
    toStart.map(async (s) => {
      const one = await startOne(contract, s, network, platform, opts.log);
      started.push(one);
      opts.log?.(
        `stand-in ${s.name} (${one.label}, ${platform}) ready as ${s.aliases.join('/')}:${s.port} on ${network} after ${one.readyMs} ms: ${one.ready.summary}`,
      );
    }),
  );
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length) {
    await stopAll();
    throw new Error(failed.map((f) => (f.reason as Error).message).join('\n'));
  }
  return { started, skipped, stop: stopAll };
}

/** The image a stand-in runs: a built-in is built (or found) here; any other is the user's reference or id. */
async function imageOf(
  contract: Contract,
  s: StandIn,
  platform: Platform,
  log?: Log,
): Promise<{ image: string; label: string; builtin: boolean }> {
  if (builtinOf(s)) return { ...(await ensureStandInImage(contract, s, platform, { log })), builtin: true };
  return { image: s.image, label: s.image, builtin: false };
}

async function startOne(
  contract: Contract,
  s: StandIn,
  network: string,
  platform: Platform,
  log?: Log,
): Promise<StartedStandIn> {
  const { image, label, builtin } = await imageOf(contract, s, platform, log);
  const host = engineEndpoint().publishHost;
  const run = builtinRunSettings(s);
  // Image ids go to testcontainers without the sha256: prefix, which it would read as a tag.
  const c = new LucidContainer(image.replace(/^sha256:/, ''))
    .withEnvironment(standInEnv(s))
    .withPublishedPorts(host, s.port)
    .withNetworkAndAliases(network, s.aliases)
    // Readiness is the harness's probe on the published port; the image's HEALTHCHECK stays declared for compose
    // but is not run every 10 s beside it (each run an exec: ~0.2 CPU-s of engine work, measured).
    .withHealthcheckTiming(QUIET_HEALTHCHECK)
    .withLabels({ ...harnessLabels('standin'), [LABEL_STANDIN]: s.name, 'io.lucid.harness.platform': platform });
  if (run.cmd) c.withCommand(run.cmd);
  // The built-ins run nonroot and need no capability; a user's image (a real mongo drops root itself) runs as it asks.
  if (builtin) c.withPlatform(platform).withDroppedCapabilities('ALL').withSecurityOpt('no-new-privileges');
  const t0 = Date.now();
  const container = await c.start().catch((e: Error) => {
    throw new Error(`stand-in ${s.name} (${label}) could not be started on ${network}: ${e.message.split('\n')[0]}`);
  });
  const raw = docker().getContainer(container.getId());
  const remove = () =>
    raw.remove({ force: true, v: true }).then(
      () => undefined,
      () => undefined,
    );
  const port = container.getMappedPort(s.port);
  try {
    const ready = await waitReady(s, container.getId(), host, port, t0);
    return { standIn: s, platform, container, host, port, ready, readyMs: Date.now() - t0, image, label, stop: remove };
  } catch (e) {
    await remove();
    throw new Error(`stand-in ${s.name} (${label}${builtin ? `, ${image.slice(0, 19)}` : ''}) ${(e as Error).message}`);
  }
}

/**
 * Polls the stand-in's readiness probe until it answers, the container exits, or its budget ends; the
 * error says what the probe saw last, the exit code and the log tail.
 */
async function waitReady(
  s: StandIn,
  containerId: string,
  host: string,
  port: number,
  since = Date.now(),
): Promise<ReadyFacts> {
  const raw = docker().getContainer(containerId);
  let last = 'no answer yet';
  while (Date.now() - since < s.readyBudgetMs) {
    try {
      return await probeReady(s, host, port);
    } catch (e) {
      last = (e as Error).message;
    }
    const state = await raw.inspect().then(
      (i) => i.State,
      () => undefined,
    );
    if (state && !state.Running) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const state = await raw.inspect().then(
    (i) => i.State,
    () => undefined,
  );
  const logs = demux(
    (await raw.logs({ stdout: true, stderr: true, tail: 20 }).catch(() => Buffer.alloc(0))) as unknown as Buffer,
  ).trim();
  throw new Error(
    `did not answer ${probeName(s)} on ${host}:${port} (container port ${s.port}) within ${s.readyBudgetMs / 1000} s: ${last}` +
      `${state && !state.Running ? `; the container exited with ${state.ExitCode}` : ''}${logs ? `\nlogs:\n${logs}` : ''}`,
  );
}

/** Where a stand-in container's port is published now (a restarted container may get a new host port). */
async function publishedPort(containerId: string, port: number): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const info = await docker().getContainer(containerId).inspect();
    const hostPort = info.NetworkSettings.Ports?.[`${port}/tcp`]?.[0]?.HostPort;
    if (hostPort) return Number(hostPort);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`stand-in container ${containerId.slice(0, 12)} publishes no host port for ${port}/tcp`);
}

/** Starts a stopped stand-in container again (same container: its aliases persist) and waits for its readiness again. */
export async function restartStandIn(s: StandIn, containerId: string): Promise<{ ready: ReadyFacts; readyMs: number }> {
  const t0 = Date.now();
  await docker().getContainer(containerId).start();
  const port = await publishedPort(containerId, s.port);
  const ready = await waitReady(s, containerId, engineEndpoint().publishHost, port, t0);
  return { ready, readyMs: Date.now() - t0 };
}

/** The stand-in answering to the host of a URL (e.g. data-chain's MONGODB_URL), if the contract declares one. */
export function standInForUrl(contract: Contract, url: string | undefined): StandIn | undefined {
  if (!url) return undefined;
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return undefined;
  }
  return contract.standIns.find((s) => s.aliases.includes(host));
}
