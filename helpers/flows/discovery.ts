// Flow 4, discovery and faults (contract §3, §4.10): the mesh and the gateway see a stopped data-chain
// go unhealthy and come back when the same container is started again; data-chain's /health answers
// 503 unhealthy (and its storage-backed calls 503) while its storage is down — the SHA-256 data-chain too,
// which shares it. Storage is taken down the way a deployment loses it — the stand-in that data-chain's
// MONGODB_URL names is stopped, then started again — never through an endpoint of the service itself.
import { randomUUID } from 'node:crypto';
import { resolveServiceEnv, serviceNamed } from '../contract/load.ts';
import type { StandIn } from '../contract/schema.ts';
import { standInForUrl } from '../runtime/standins.ts';
import { httpGet } from '../runtime/http-probe.ts';
import { waitForHttp200 } from '../runtime/wait.ts';
import type { Flow } from './context.ts';
import {
  gatewayDependencies,
  gatewayDependencyWant,
  judgeStatuses,
  meshStatuses,
  type Health,
} from './discovery-checks.ts';
import { excerpt, requestLine, seenOf } from './exchange.ts';
import { expectStatus } from './expect.ts';
import { pollUntil } from './poll.ts';
import { FLOW_SERVICES, ROLE } from './roles.ts';
import { StepProblem } from './steps.ts';

/** Polls one listing until every wanted service shows the wanted status (bounded); `optional` only if listed. */
async function awaitStatuses(
  f: Flow,
  which: 'mesh' | 'gateway',
  want: Record<string, Health>,
  optional: Record<string, Health> = {},
): Promise<number> {
  const [service, path, read] =
    which === 'mesh'
      ? ([ROLE.mesh, f.env.contract.flows.api.meshServices, meshStatuses] as const)
      : ([ROLE.gateway, serviceNamed(f.env.contract, ROLE.gateway).healthPath, gatewayDependencies] as const);
  const where = which === 'mesh' ? `mesh ${path}` : 'gateway dependencies';
  // A gateway missing a dependency may say so with a 503 and its health body (§3 names degraded and unhealthy, and
  // no HTTP status for them): the dependencies are read from it then. All healthy, its health answers 200 (§2).
  const statuses = which === 'gateway' && Object.values(want).includes('unhealthy') ? [200, 503] : [200];
  const r = await pollUntil(
    async () => {
      const x = await f.call(service, 'GET', path);
      const listing = read(x.body);
      // What came back is shown whenever the listing could not be read from it (not JSON, another shape).
      const problems = statuses.includes(x.status)
        ? judgeStatuses(listing, want, where, optional).map((p) =>
            listing ? p : { ...p, seen: `${p.seen}: ${seenOf(x, 200)}` },
          )
        : [{ expected: `HTTP ${statuses.join(' or ')} from ${where}`, seen: seenOf(x, 200) }];
      return problems.length ? { done: false, value: { x, problems } } : { done: true, value: { x, problems } };
    },
    { budgetMs: f.env.budgets.discoveryMs, intervalMs: f.env.budgets.pollMs * 2 },
  );
  if (!r.ok) {
    throw new StepProblem(
      r.value.problems.map((p) => ({
        check: requestLine(r.value.x),
        expected: `${p.expected} within ${f.env.budgets.discoveryMs / 1000} s`,
        seen: p.seen,
      })),
    );
  }
  return r.elapsedMs;
}

const all = (names: readonly string[], s: Health) =>
  Object.fromEntries(names.map((n) => [n, s])) as Record<string, Health>;

/** The gateway's dependencies all `healthy` (contract data flows.gateway.dependencies, overridable per run). */
const gatewayAllHealthy = (f: Flow) => {
  const { want, optional } = gatewayDependencyWant(
    f.env.contract.flows.gateway.dependencies,
    ROLE.dataChain,
    'healthy',
  );
  return awaitStatuses(f, 'gateway', want, optional);
};

export async function discoveryAndFaults(f: Flow): Promise<void> {
  const { env } = f;
  const dc = serviceNamed(env.contract, ROLE.dataChain);
  const id = env.containerId(ROLE.dataChain);
  const others = FLOW_SERVICES.filter((s) => s !== ROLE.mesh);
  try {
    await f.step('mesh-lists-others-healthy', () => awaitStatuses(f, 'mesh', all(others, 'healthy')));
    await f.step('gateway-dependencies-healthy', () => gatewayAllHealthy(f));
    await f.step('stop-data-chain', () => env.control.stop(id));
    f.figures['meshSeesStopMs'] = await f.step('mesh-sees-data-chain-down', () =>
      awaitStatuses(f, 'mesh', { [ROLE.dataChain]: 'unhealthy' }),
    );
    await f.step('gateway-sees-data-chain-down', () => awaitStatuses(f, 'gateway', { [ROLE.dataChain]: 'unhealthy' }));
    const restartedAt = Date.now();
    await f.step('restart-data-chain', async () => {
      env.setUrl(ROLE.dataChain, await env.control.start(id, dc.port));
      const w = await waitForHttp200(`${env.url(ROLE.dataChain)}${dc.healthPath}`, { budgetMs: env.budgets.restartMs });
      if (!w.ok)
        throw new StepProblem([
          {
            check: `GET ${ROLE.dataChain} ${dc.healthPath}`,
            expected: `HTTP 200 within ${env.budgets.restartMs / 1000} s of docker start`,
            seen: w.last ? `HTTP ${w.last.status} ${excerpt(w.last.text, 200)}` : (w.lastError ?? 'no answer'),
          },
        ]);
    });
    await f.step('mesh-sees-recovery', () => awaitStatuses(f, 'mesh', all(others, 'healthy')));
    await f.step('gateway-sees-recovery', () => gatewayAllHealthy(f));
    f.figures['restartRecoveredMs'] = Date.now() - restartedAt;

    const storage = storageOf(f);
    await f.step('stop-storage', async () => env.control.stop(storage.containerId()));
    f.figures['storageDownSeenMs'] = await f.step('health-503-storage-down', () =>
      awaitDataChainHealth(f, 503, 'storage is down: a health endpoint must not say healthy'),
    );
    await f.step('chunk-503-storage-down', async () => {
      const x = await f.call(ROLE.dataChain, 'POST', env.contract.flows.api.chunks, {
        json: { data: Buffer.alloc(1024, 7).toString('base64'), session_id: randomUUID(), index: 0 },
      });
      expectStatus(x, 503, 'storage is down: a storage-backed call must not succeed');
    });
    await f.step('start-storage', async () => {
      const r = await env.control.startStandIn(storage.standIn(), storage.containerId()).catch((e: Error) => {
        throw new StepProblem([
          {
            check: `docker start ${storage.standIn().name}`,
            expected: 'the storage stand-in ready again',
            seen: e.message.split('\n')[0]!,
          },
        ]);
      });
      f.figures['storageReadyAgainMs'] = r.readyMs;
    });
    f.figures['storageUpSeenMs'] = await f.step('health-200-storage-up', () => awaitDataChainHealth(f, 200));
    await f.step('mesh-and-gateway-see-storage-back', async () => {
      await Promise.all([awaitStatuses(f, 'mesh', all(others, 'healthy')), gatewayAllHealthy(f)]);
    });
  } finally {
    await restore(f, id, dc.port, dc.healthPath);
  }
}

/** The storage stand-in of data-chain: the one answering to the host of its storage URL (contract flows.storage). */
function storageOf(f: Flow): { standIn(): StandIn; containerId(): string } {
  const { contract } = f.env;
  const envName = contract.flows.storage.env;
  const url = resolveServiceEnv(contract, serviceNamed(contract, ROLE.dataChain))[envName];
  const standIn = standInForUrl(contract, url);
  const entry = standIn ? f.env.standIns.get(standIn.name) : undefined;
  const problem = (seen: string): never => {
    throw new StepProblem([
      {
        check: `${ROLE.dataChain} ${envName}`,
        expected: 'a storage stand-in started by the harness, to stop and start',
        seen,
      },
    ]);
  };
  return {
    standIn: () =>
      standIn ??
      problem(
        url
          ? `no contract stand-in answers to the host of ${envName}=${url}`
          : `data-chain has no ${envName} in the contract`,
      ),
    containerId: () => {
      if (!standIn)
        return problem(
          url
            ? `no contract stand-in answers to the host of ${envName}=${url}`
            : `data-chain has no ${envName} in the contract`,
        );
      return (
        entry?.containerId ??
        problem(
          entry?.skipped
            ? `stand-in ${standIn.name} was not started: ${entry.skipped}`
            : `stand-in ${standIn.name} is not running on this stack's network`,
        )
      );
    },
  };
}

/**
 * Polls the health of data-chain and of the SHA-256 data-chain (same image, same storage) until both answer
 * `want` (503 unhealthy or 200 healthy); the time it took.
 */
async function awaitDataChainHealth(f: Flow, want: 200 | 503, why = ''): Promise<number> {
  const dc = serviceNamed(f.env.contract, ROLE.dataChain);
  const wantStatus = want === 200 ? 'healthy' : 'unhealthy';
  // Every instance of data-chain's image in the stack shares its storage (the contract's extra instances).
  const extras = f.env.contract.stack.extraInstances.filter((x) => x.of === ROLE.dataChain).map((x) => x.name);
  const instances = [ROLE.dataChain, ...extras.filter((n) => hasService(f, n))];
  const t0 = Date.now();
  await Promise.all(
    instances.map(async (name) => {
      const r = await pollUntil(
        async () => {
          const x = await f.call(name, 'GET', dc.healthPath);
          const body = x.body as { status?: unknown } | undefined;
          return { done: x.status === want && body?.status === wantStatus, value: x };
        },
        { budgetMs: f.env.budgets.discoveryMs, intervalMs: f.env.budgets.pollMs },
      );
      if (r.ok) return;
      const body = r.value.body as { status?: unknown } | undefined;
      throw new StepProblem([
        {
          check: requestLine(r.value),
          expected: `HTTP ${want} {status: "${wantStatus}"} within ${f.env.budgets.discoveryMs / 1000} s${why ? ` (${why})` : ''}`,
          // The status field when the body has one; otherwise the body itself (not JSON, or no status in it).
          seen:
            body && typeof body === 'object' && 'status' in body
              ? `HTTP ${r.value.status} {status: ${JSON.stringify(body.status)}}`
              : seenOf(r.value, 200),
        },
      ]);
    }),
  );
  return Date.now() - t0;
}

function hasService(f: Flow, name: string): boolean {
  try {
    f.env.url(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Leaves data-chain and its storage running, whatever step failed, for any flow that runs after; data-chain, if it
 * had to be started again, serving: the still-running judgement that follows the flows wants its port served, and a
 * correct image still starting (seconds under QEMU) is not a server that ended.
 */
async function restore(f: Flow, id: string, port: number, healthPath: string): Promise<void> {
  const { control } = f.env;
  let restarted = false;
  if (!(await control.isRunning(id)))
    f.env.setUrl(
      ROLE.dataChain,
      await control.start(id, port).then(
        (url) => ((restarted = true), url),
        () => f.env.url(ROLE.dataChain),
      ),
    );
  try {
    const storage = storageOf(f);
    if (!(await control.isRunning(storage.containerId())))
      await control.startStandIn(storage.standIn(), storage.containerId());
  } catch {
    /* no storage stand-in of ours, or it cannot start: the step that needed it has failed already */
  }
  // Any answer will do (503 while its storage is down is serving); giving up judges nothing here.
  const until = Date.now() + f.env.budgets.restartMs;
  while (restarted && Date.now() < until) {
    const answered = await httpGet(`${f.env.url(ROLE.dataChain)}${healthPath}`, Math.max(500, until - Date.now())).then(
      () => true,
      () => false,
    );
    if (answered || !(await control.isRunning(id))) break;
    await new Promise((r) => setTimeout(r, f.env.budgets.pollMs));
  }
}
