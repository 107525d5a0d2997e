// Flow 4, discovery and faults (contract §3, §4.10): the mesh and the gateway see a stopped data-chain
// go unhealthy and come back when the same container is started again; data-chain's /health
// answers 503 unhealthy while its storage is down.
import { serviceNamed } from '../contract/load.ts';
import { waitForHttp200 } from '../runtime/wait.ts';
import { isRunning, startContainer, stopContainer } from './containers.ts';
import type { Flow } from './context.ts';
import { gatewayDependencies, judgeStatuses, meshStatuses, type Health } from './discovery-checks.ts';
import { requestLine } from './exchange.ts';
import { expectField, expectStatus } from './expect.ts';
import { pollUntil } from './poll.ts';
import { FLOW_SERVICES, ROLE } from './roles.ts';
import { StepProblem } from './steps.ts';

/** The gateway's dependencies per contract §3 (the gateway's own upstreams). */
const GATEWAY_DEPS = [ROLE.anchoring, ROLE.blocks, ROLE.dataChain, ROLE.engine];

/** Polls one listing until every wanted service shows the wanted status (bounded). */
async function awaitStatuses(f: Flow, which: 'mesh' | 'gateway', want: Record<string, Health>): Promise<number> {
  const [service, path, read] =
    which === 'mesh' ? [ROLE.mesh, '/services', meshStatuses] as const : [ROLE.gateway, '/api/v1/meta/health', gatewayDependencies] as const;
  const where = which === 'mesh' ? 'mesh /services' : 'gateway dependencies';
  const r = await pollUntil(
    async () => {
      const x = await f.call(service, 'GET', path);
      const problems = x.status === 200 ? judgeStatuses(read(x.body), want, where) : [{ expected: `HTTP 200 from ${where}`, received: `HTTP ${x.status}` }];
      return problems.length ? { done: false, value: { x, problems } } : { done: true, value: { x, problems } };
    },
    { budgetMs: f.env.budgets.discoveryMs, intervalMs: f.env.budgets.pollMs * 2 },
  );
  if (!r.ok) {
    throw new StepProblem(r.value.problems.map((p) => ({ request: requestLine(r.value.x), expected: `${p.expected} within ${f.env.budgets.discoveryMs / 1000} s`, received: p.received })));
  }
  return r.elapsedMs;
}

const all = (names: readonly string[], s: Health) => Object.fromEntries(names.map((n) => [n, s])) as Record<string, Health>;

export async function discoveryAndFaults(f: Flow): Promise<void> {
  const { env } = f;
  const dc = serviceNamed(env.contract, ROLE.dataChain);
  const id = env.containerId(ROLE.dataChain);
  const others = FLOW_SERVICES.filter((s) => s !== ROLE.mesh);
  try {
    await f.step('mesh-lists-others-healthy', () => awaitStatuses(f, 'mesh', all(others, 'healthy')));
    await f.step('gateway-dependencies-healthy', () => awaitStatuses(f, 'gateway', all(GATEWAY_DEPS, 'healthy')));
    await f.step('stop-data-chain', () => stopContainer(id));
    f.figures['meshSeesStopMs'] = await f.step('mesh-sees-data-chain-down', () => awaitStatuses(f, 'mesh', { [ROLE.dataChain]: 'unhealthy' }));
    await f.step('gateway-sees-data-chain-down', () => awaitStatuses(f, 'gateway', { [ROLE.dataChain]: 'unhealthy' }));
    const restartedAt = Date.now();
    await f.step('restart-data-chain', async () => {
      env.setUrl(ROLE.dataChain, await startContainer(id, dc.port));
      const w = await waitForHttp200(`${env.url(ROLE.dataChain)}${dc.healthPath}`, { budgetMs: env.budgets.restartMs });
      if (!w.ok) throw new StepProblem([{ request: `GET ${ROLE.dataChain} ${dc.healthPath}`, expected: `HTTP 200 within ${env.budgets.restartMs / 1000} s of docker start`, received: w.last ? `HTTP ${w.last.status}` : (w.lastError ?? 'no answer') }]);
    });
    await f.step('mesh-sees-recovery', () => awaitStatuses(f, 'mesh', all(others, 'healthy')));
    await f.step('gateway-sees-recovery', () => awaitStatuses(f, 'gateway', all(GATEWAY_DEPS, 'healthy')));
    f.figures['restartRecoveredMs'] = Date.now() - restartedAt;

    await f.step('storage-down', async () => expectStatus(await f.call(ROLE.dataChain, 'POST', '/api/v1/admin/storage', { json: { state: 'down' } }), 200));
    await f.step('health-503-storage-down', async () => {
      const x = await f.call(ROLE.dataChain, 'GET', dc.healthPath);
      expectStatus(x, 503, 'storage is down: a health endpoint must not say healthy');
      expectField(x, 'status', 'unhealthy');
    });
    await f.step('storage-up', async () => expectStatus(await f.call(ROLE.dataChain, 'POST', '/api/v1/admin/storage', { json: { state: 'up' } }), 200));
    await f.step('health-200-storage-up', async () => {
      const x = await f.call(ROLE.dataChain, 'GET', dc.healthPath);
      expectStatus(x, 200);
      expectField(x, 'status', 'healthy');
    });
  } finally {
    await restore(f, id, dc.port);
  }
}

/** Leaves data-chain running with storage up, whatever step failed, for any flow that runs after. */
async function restore(f: Flow, id: string, port: number): Promise<void> {
  if (!(await isRunning(id))) f.env.setUrl(ROLE.dataChain, await startContainer(id, port).catch(() => f.env.url(ROLE.dataChain)));
  await f.call(ROLE.dataChain, 'POST', '/api/v1/admin/storage', { json: { state: 'up' } }).catch(() => undefined);
}
