import '../engine/testcontainers-env.ts';
import { randomUUID } from 'node:crypto';
import type { StartedTestContainer } from 'testcontainers';
import type { ImageTarget } from '../model/target.ts';
import type { Contract, Service } from '../contract/schema.ts';
import { resolveServiceEnv } from '../contract/load.ts';
import { docker, isEmulated } from '../engine/docker.ts';
import { harnessLabels } from '../engine/labels.ts';
import { engineEndpoint } from '../engine/endpoint.ts';
import { collectDiagnostics, describeDiagnostics, engineLogTail, exitStory, type Diagnostics } from './diagnostics.ts';
import { LogTail } from './log-tail.ts';
import { LucidContainer, withImageTimeout, type HealthcheckTiming } from './lucid-container.ts';

interface StartOptions {
  hardened?: boolean;
  network?: string;
  aliases?: string[];
  extraEnv?: Record<string, string>;
  /** Replaces the contract's run-time HEALTHCHECK timing (e.g. a long interval where Docker health is not under test). */
  healthcheckTiming?: HealthcheckTiming;
}

export interface StartedService {
  target: ImageTarget;
  service: Service;
  emulated: boolean;
  container: StartedTestContainer;
  /** http://127.0.0.1:<mapped port> of the contract port. */
  baseUrl: string;
  startedAt: number;
  logs: LogTail;
  diagnostics(): Promise<Diagnostics>;
  describe(d: Diagnostics): string;
  stop(): Promise<void>;
}

/**
 * /tmp plus the contract's writable dirs: the tmpfs mounts of a hardened run. The engine copies the image
 * directory's mode onto the tmpfs (a mode= option is ignored), so the mount is given to the contract user.
 */
export const writableDirs = (service: Service) => [...new Set(['/tmp', ...service.writableDirs])];

/** Address the engine publishes ports on and tests connect to; loopback unless the engine is remote. */
export const publishHost = () => engineEndpoint().publishHost;

/** Image ids go to testcontainers without the sha256: prefix, which it would read as a tag. */
const imageRefForTestcontainers = (image: string) => image.replace(/^sha256:/, '');

/** When the container really started: the engine's StartedAt, kept within [requested, returned] so clock skew cannot move it out. */
export function startInstant(engineStartedAt: string | undefined, requestedAt: number, returnedAt: number): number {
  const t = engineStartedAt ? Date.parse(engineStartedAt) : NaN;
  return Number.isFinite(t) ? Math.min(Math.max(t, requestedAt), returnedAt) : requestedAt;
}

export async function startService(
  contract: Contract,
  service: Service,
  target: ImageTarget,
  opts: StartOptions = {},
): Promise<StartedService> {
  const emulated = await isEmulated(target.platform);
  const imageHealthcheck = (
    await docker()
      .getImage(target.image)
      .inspect()
      .catch(() => undefined)
  )?.Config?.Healthcheck;
  const timing = withImageTimeout(
    opts.healthcheckTiming ?? contract.runtimeHealthcheck[emulated ? 'emulated' : 'native'],
    imageHealthcheck?.Timeout,
  );
  const logs = new LogTail();
  const c = new LucidContainer(imageRefForTestcontainers(target.image))
    .withPlatform(target.platform)
    .withEnvironment({ ...resolveServiceEnv(contract, service), ...opts.extraEnv })
    .withPublishedPorts(publishHost(), service.port)
    .withHealthcheckTiming(timing)
    .withLogConsumer(logs.consume);
  if (opts.network) c.withNetworkAndAliases(opts.network, opts.aliases ?? []);
  if (opts.hardened) {
    c.withReadOnlyRootfs()
      .withDroppedCapabilities('ALL')
      .withSecurityOpt('no-new-privileges')
      .withTmpFs(
        Object.fromEntries(
          // The real compose mounts /tmp as tmpfs (its options); the other writable dirs are bind mounts there.
          writableDirs(service).map((d) => [
            d,
            `${d === '/tmp' ? contract.hardened.tmpfsOptions : contract.hardened.writableDirOptions},uid=${contract.user.uid},gid=${contract.user.gid}`,
          ]),
        ),
      );
  }
  const startId = randomUUID();
  c.withLabels({
    ...harnessLabels('service'),
    'io.lucid.harness.service': service.name,
    'io.lucid.harness.platform': target.platform,
    [LABEL_START]: startId,
  });
  const requestedAt = Date.now();
  let container: StartedTestContainer;
  try {
    container = await c.start();
  } catch (e) {
    throw await startFailure(e as Error, startId, contract.base.python, service.port);
  }
  const raw = docker().getContainer(container.getId());
  // Budgets count from the container's own start, not from the create request: on a busy engine, create and
  // network attach took 14 s of a 20 s first-200 budget (seven containers "did not come up" after 2-6 s alive).
  const startedAt = startInstant(
    (await raw.inspect().catch(() => undefined))?.State?.StartedAt,
    requestedAt,
    Date.now(),
  );
  return {
    target,
    service,
    emulated,
    container,
    baseUrl: `http://${publishHost()}:${container.getMappedPort(service.port)}`,
    startedAt,
    logs,
    diagnostics: () => collectDiagnostics(raw, logs.tail(), contract.base.python),
    describe: (d) => describeDiagnostics(d, service.port),
    // Killed and removed at once: its facts are already gathered, and a graceful stop of an emulated
    // Python waited out most of its 2 s grace (teardown of a stack took 2.9 s).
    stop: async () => {
      await raw.remove({ force: true, v: true }).catch(() => {});
    },
  };
}

/** Marks one start attempt, so a container that testcontainers gave up on can still be found and explained. */
const LABEL_START = 'io.lucid.harness.start';

/** A start that failed, carrying what the container showed before it was removed. */
export class StartError extends Error {
  constructor(
    message: string,
    readonly where?: string,
    /** What the engine said of the container, when it could be seen. */
    readonly diagnostics?: Diagnostics,
  ) {
    super(where ? `${message}\n${where}` : message);
    this.name = 'StartError';
  }
}

/**
 * testcontainers gives up when a container exits before its ports are bound (a crash at start): it throws
 * "waiting for container ports" and leaves the container. Its exit code, lifetime and logs are the real story,
 * so they head the message; testcontainers' own words come last.
 */
async function startFailure(e: Error, startId: string, python: string, port: number): Promise<StartError> {
  const found = await docker()
    .listContainers({ all: true, filters: { label: [`${LABEL_START}=${startId}`] } })
    .catch(() => []);
  const info = found[0];
  if (!info) return new StartError(`the container could not be started: ${e.message}`);
  const c = docker().getContainer(info.Id);
  const d = await collectDiagnostics(c, await engineLogTail(c), python);
  await c.remove({ force: true }).catch(() => undefined);
  const story =
    d.exitCode !== null
      ? `the container ${exitStory(d)}, before it served anything`
      : `the container did not get ready (${exitStory(d)})`;
  return new StartError(
    story,
    `${describeDiagnostics(d, port)}
(testcontainers: ${e.message.split('\n')[0]})`,
    d,
  );
}
