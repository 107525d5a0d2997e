// Stand-ins (contract `standIns`): the infrastructure the real images need — first the Tor control port
// the real api-gateway asks for — started once per run on the contract network under the declared aliases,
// so an image is judged with what its deployment gives it. They run on the engine's native platform: they
// are infrastructure, not the image under test, and every container on the network reaches them alike.
import '../engine/testcontainers-env.ts';
import type { StartedTestContainer } from 'testcontainers';
import type { Contract, Platform, StandIn } from '../contract/schema.ts';
import { docker, engineFacts } from '../engine/docker.ts';
import { engineEndpoint } from '../engine/endpoint.ts';
import { harnessLabels, LABEL_OWNER } from '../engine/labels.ts';
import type { Log } from '../image/index.ts';
import { ensureStandInImage } from '../../fixtures/standins/image.ts';
import { demux } from './diagnostics.ts';
import { LucidContainer } from './lucid-container.ts';
import { probeTorControl, type TorControlFacts } from './tor-control.ts';

export const LABEL_STANDIN = 'io.lucid.harness.standin';
const READY_BUDGET_MS = 20_000;

/** The stand-ins some of `services` need (all declared ones when `services` is not given). */
export const standInsNeeded = (contract: Contract, services?: readonly string[]): StandIn[] =>
  contract.standIns.filter((s) => !services || s.neededBy.some((n) => services.includes(n)));

/** The container env carrying a stand-in's contract settings (the image reads nothing else). */
export function standInEnv(s: StandIn): Record<string, string> {
  return {
    TOR_STANDIN_PORT: String(s.port),
    TOR_STANDIN_BOOTSTRAP: String(s.settings.bootstrapProgress),
    ...(s.settings.password ? { TOR_STANDIN_PASSWORD: s.settings.password } : {}),
  };
}

export async function nativePlatform(): Promise<Platform> {
  const arch = (await engineFacts()).arch;
  if (arch !== 'amd64' && arch !== 'arm64') throw new Error(`the engine's architecture ${arch} has no reference base image (amd64, arm64)`);
  return `linux/${arch}`;
}

/**
 * alias → a container not made by the harness already answering to it on the network (by alias or name).
 * On the Pi the network may hold the real tor-proxy from compose: a second container under the same name
 * would split DNS answers between the two, so that stand-in is not started. Another run's stand-in does
 * not count: it leaves when that run ends, and the engine's DNS answers only with running containers.
 */
export async function namesInUse(network: string, names: readonly string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const net = await docker().getNetwork(network).inspect().catch(() => undefined);
  const ids = Object.keys((net?.Containers ?? {}) as Record<string, unknown>);
  for (const id of ids) {
    const c = await docker().getContainer(id).inspect().catch(() => undefined);
    if (!c || c.Config.Labels?.[LABEL_OWNER] === 'true') continue;
    const name = c.Name.replace(/^\//, '');
    const aliases = [name, ...(c.NetworkSettings.Networks[network]?.Aliases ?? [])];
    for (const n of names) if (aliases.includes(n) && !found.has(n)) found.set(n, name);
  }
  return found;
}

export interface StartedStandIn {
  standIn: StandIn;
  platform: Platform;
  container: StartedTestContainer;
  /** Where the harness reaches the stand-in's port (published on the engine's loopback unless remote). */
  host: string;
  port: number;
  facts: TorControlFacts;
  readyMs: number;
  stop(): Promise<void>;
}

export interface StandIns {
  started: StartedStandIn[];
  /** Stand-ins not started, and why (a container on the network already answers to the alias). */
  skipped: { name: string; reason: string }[];
  stop(): Promise<void>;
}

export interface StandInOptions {
  /** Default: the engine's native platform. */
  platform?: Platform;
  /** Only the stand-ins these services need (the plan's targets); default every declared one. */
  services?: readonly string[];
  log?: Log;
}

/** Starts each needed stand-in on `network` and waits until its port answers; on any failure all are removed. */
export async function startStandIns(contract: Contract, network: string, opts: StandInOptions = {}): Promise<StandIns> {
  const wanted = standInsNeeded(contract, opts.services);
  const started: StartedStandIn[] = [];
  const skipped: StandIns['skipped'] = [];
  const stopAll = async () => {
    await Promise.all(started.map((s) => s.stop()));
  };
  if (!wanted.length) return { started, skipped, stop: stopAll };
  const platform = opts.platform ?? (await nativePlatform());
  const taken = await namesInUse(network, wanted.flatMap((s) => s.aliases));
  try {
    for (const s of wanted) {
      const owner = s.aliases.map((a) => taken.get(a)).find(Boolean);
      if (owner) {
        skipped.push({ name: s.name, reason: `container ${owner} already answers to ${s.aliases.join('/')} on ${network}` });
        opts.log?.(`stand-in ${s.name}: not started, ${skipped.at(-1)!.reason}`);
        continue;
      }
      const one = await startOne(contract, s, network, platform, opts.log);
      started.push(one);
      const b = one.facts.bootstrap;
      opts.log?.(`stand-in ${s.name} (${s.kind}, ${platform}) answers as ${s.aliases.join('/')}:${s.port} on ${network} after ${one.readyMs} ms: Tor "${one.facts.protocolInfo.torVersion}", bootstrap ${b ? `${b.progress}%` : 'unknown'}`);
    }
  } catch (e) {
    await stopAll();
    throw e;
  }
  return { started, skipped, stop: stopAll };
}

async function startOne(contract: Contract, s: StandIn, network: string, platform: Platform, log?: Log): Promise<StartedStandIn> {
  const { image, label } = await ensureStandInImage(contract, s, platform, { log });
  const host = engineEndpoint().publishHost;
  const c = new LucidContainer(image.replace(/^sha256:/, ''))
    .withPlatform(platform)
    .withEnvironment(standInEnv(s))
    .withPublishedPorts(host, s.port)
    .withNetworkMode(network)
    .withNetworkAliases(...s.aliases)
    .withDroppedCapabilities('ALL')
    .withSecurityOpt('no-new-privileges')
    .withLabels({ ...harnessLabels('standin'), [LABEL_STANDIN]: s.name, 'io.lucid.harness.platform': platform });
  const t0 = Date.now();
  const container = await c.start();
  const raw = docker().getContainer(container.getId());
  const remove = () => raw.remove({ force: true, v: true }).then(() => undefined, () => undefined);
  const port = container.getMappedPort(s.port);
  let last = 'no answer yet';
  while (Date.now() - t0 < READY_BUDGET_MS) {
    try {
      const facts = await probeTorControl(host, port, { password: s.settings.password, timeoutMs: 1_000 });
      return { standIn: s, platform, container, host, port, facts, readyMs: Date.now() - t0, stop: remove };
    } catch (e) {
      last = (e as Error).message;
    }
    const state = await raw.inspect().then((i) => i.State, () => undefined);
    if (state && !state.Running) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const state = await raw.inspect().then((i) => i.State, () => undefined);
  const logs = demux((await raw.logs({ stdout: true, stderr: true, tail: 20 }).catch(() => Buffer.alloc(0))) as unknown as Buffer).trim();
  await remove();
  throw new Error(
    `stand-in ${s.name} (${label}, ${image.slice(0, 19)}) did not answer PROTOCOLINFO on ${host}:${port} (container port ${s.port}) within ${READY_BUDGET_MS / 1000} s: ${last}` +
      `${state && !state.Running ? `; the container exited with ${state.ExitCode}` : ''}${logs ? `\nlogs:\n${logs}` : ''}`,
  );
}
